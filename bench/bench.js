// The whole benchmark (`npm run bench`, or `node bench.js [auto|plain|both]`): the suite once per SIMD
// build, each in its own process since the engine is initialised once per process, then W6 against
// PyTorch (when installed), the worker pool, cold starts, wasm and bundle sizes, and the cold start in Chromium. Exits 0 whatever the targets say; only a crash fails it.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { coldStarts } from "./cold-start.js";
import { bundleSizes, wasmSizes } from "./sizes.js";
import { formatColdStarts, formatSizes } from "./report.js";
import { CHROMIUM } from "../scripts/chromium.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

if (!existsSync(here("../dist/index.js")) || !existsSync(here("../build/release.wasm"))) {
  console.error("bench: build wasm-rnn first (`npm run build` in the repository root)");
  process.exit(1);
}
if (!existsSync(here("./node_modules/onnxruntime-web/package.json"))) {
  console.error("bench: install the peers first (`npm ci --prefix bench` in the repository root)");
  process.exit(1);
}

const which = process.argv[2] ?? "both";
const builds = which === "both" ? ["auto", "plain"] : [which];
for (const simd of builds) {
  const { status } = spawnSync(process.execPath, [here("./suite.js"), simd], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}

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

console.log("\ncold start, fresh node process: load the library (import, compile, init) → first W1 result, median of 5:");
console.log(formatColdStarts(coldStarts()));
console.log("\nwasm binaries:");
console.log(formatSizes(wasmSizes()));
console.log("\nwasm-rnn browser bundle (dist/browser):");
console.log(formatSizes(bundleSizes()));

// Cold start in Chromium, when it is installed (Debian: apt-get install chromium).
if (existsSync(CHROMIUM)) {
  const { status } = spawnSync(process.execPath, [here("./browser.js")], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
} else {
  console.log("\n(cold start in Chromium skipped: no /usr/bin/chromium; set $CHROMIUM to its path)");
}
