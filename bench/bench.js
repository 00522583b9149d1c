// The whole benchmark (`npm run bench`, or `node bench.js [auto|plain|both] [--node 20,26|all]`): the
// suite once per SIMD build and per Node runtime, each in its own process since the engine is
// initialised once per process, then, on the system node, W6 against PyTorch (when installed), the
// worker pool, real models (Silero VAD, a speech enhancer) per frame, tfjs-layers models through
// wasm-rnn/tfjs against tfjs alone, brain.js's nets through wasm-rnn/brain against brain.js,
// serving, cold starts, wasm and bundle sizes, and the cold start in Chromium. Exits 0 whatever the
// targets say; only a crash fails it.
//   --node 26 | 20,26 | all   runtimes for the suite (default: the system node; runtimes.js)
//   --only W1,W2 / --peers ort-node,ort-node-int8 / --int8 per-channel   passed to suite.js (options.js);
//   with --only or --peers, or --suite-only, only the suites run.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { coldStarts } from "./cold-start.js";
import { bundleSizes, wasmSizes } from "./sizes.js";
import { formatColdStarts, formatSizes } from "./report.js";
import { resolveRuntimes } from "./runtimes.js";
import { SUITE_FLAGS } from "./options.js";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

if (!existsSync(here("../dist/index.js")) || !existsSync(here("../build/release.wasm"))) {
  console.error("bench: build wasm-rnn first (`npm run build` in the repository root)");
  process.exit(1);
}
if (!existsSync(here("./node_modules/onnxruntime-web/package.json"))) {
  console.error("bench: install the peers first (`npm ci --prefix bench` in the repository root)");
  process.exit(1);
}

let which = "both", nodeSpec = "system", suiteOnly = false;
const suiteArgs = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === "--node") nodeSpec = process.argv[++i] ?? "";
  else if (arg === "--suite-only") suiteOnly = true;
  else if (SUITE_FLAGS.includes(arg)) {
    suiteArgs.push(arg, process.argv[++i] ?? "");
    if (arg !== "--int8") suiteOnly = true; // a filtered run is a check, not a full run
  } else if (["auto", "plain", "relaxed", "both"].includes(arg)) which = arg;
  else {
    console.error(`bench: unknown argument ${arg} (usage: node bench.js [auto|plain|both] [--node 20,26|all] [--only W1,W2] [--peers …] [--int8 per-tensor|per-channel] [--suite-only])`);
    process.exit(1);
  }
}
let runtimes;
try {
  runtimes = resolveRuntimes(nodeSpec);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const builds = which === "both" ? ["auto", "plain"] : [which];
for (const runtime of runtimes) {
  for (const simd of builds) {
    if (runtimes.length > 1 || runtime.executable !== process.execPath) console.log(`\n##### suite on ${runtime.label}`);
    const { status } = spawnSync(runtime.executable, [here("./suite.js"), simd, ...suiteArgs], { stdio: "inherit" });
    if (status !== 0) process.exit(status ?? 1);
  }
}
if (suiteOnly) process.exit(0);

// W6 against PyTorch on one thread, when Debian's python3-torch is installed.
{
  const { status } = spawnSync(process.execPath, [here("./torch.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

// The worker pool (shared memory, 2 workers) in its own process: onnxruntime-web's thread count is global.
{
  const { status } = spawnSync(process.execPath, [here("./pool.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

// Real models per frame: Silero VAD and the speech enhancer against onnxruntime-web and -node.
{
  const { status } = spawnSync(process.execPath, [here("./silero.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

// TensorFlow.js models with their recurrent layers on wasm-rnn (wasm-rnn/tfjs) against tfjs alone, cpu and wasm backends.
{
  const { status } = spawnSync(process.execPath, [here("./tfjs-bridge.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

// brain.js's recurrent nets on wasm-rnn (wasm-rnn/brain) against brain.js itself: its README examples and a paragraph's character model.
{
  const { status } = spawnSync(process.execPath, [here("./brain.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

// Real-time streams of a stateful model (Silero VAD) through wasm-rnn serve and an onnxruntime-node server.
{
  const { status } = spawnSync(process.execPath, [here("./serve-streams.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

// Serving under load (wasm-rnn serve and onnxruntime-node servers, autocannon clients), its own processes.
{
  const { status } = spawnSync(process.execPath, [here("./serve.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

console.log("\ncold start, fresh node process: load the library (import, compile, init) → first W1 result, median of 5:");
console.log(formatColdStarts(coldStarts()));
console.log("\nwasm binaries:");
console.log(formatSizes(wasmSizes()));
console.log("\nwasm-rnn browser bundle (dist/browser):");
console.log(formatSizes(bundleSizes()));

// Cold start in Chromium (scripts/chromium.mjs: $CHROMIUM, Debian's, or the npm package's).
{
  const { status } = spawnSync(process.execPath, [here("./browser.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}
