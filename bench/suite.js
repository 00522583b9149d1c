// One benchmark process for one SIMD build of wasm-rnn (`node suite.js auto|plain`): our
// sgemm rates, then every workload on ours and each peer in this same process (agreement checked
// once, outside timing), printed as a table with the target verdicts. The heading names the Node
// that runs it (bench.js --node 26 starts it under bench/node_modules/node26). Filters for short
// runs: `--only W1,W2[,sgemm]`, `--peers ort-node,ort-node-int8` (options.js).

import os from "node:os";
import { readFileSync } from "node:fs";
import { WORKLOADS, flops, stateDict, data, isLanguageModel } from "./workloads.js";
import { measureRounds, DEFAULT_TIMING } from "./timing.js";
import { disagreement } from "./agreement.js";
import { evaluateTargets } from "./targets.js";
import { sgemmRates } from "./sgemm.js";
import { formatTable, formatThroughput, formatAgreement, formatSgemm, formatTargets, formatUnsupported } from "./report.js";
import { parseSuiteOptions, peerKey } from "./options.js";
import { loadOurs } from "./peers/ours.js";
import { loadOrt } from "./peers/ort.js";
import { loadTfjs } from "./peers/tfjs.js";

// A peer: { name, settings, supports(workload), prepare(workload, stateDict, data) → handle }, where a
// handle has run() (the timed body), result() (standard arrays for the agreement check, or null when
// the peer computes a different function) and dispose(). Optional: tolerance (max |Δ| against our
// float32 output before MISMATCH, default 1e-4; the int8 peers allow quantization error) and
// unsupported(workload) → why a workload is left out, printed under the table.
/** Prints a usage error and exits 1 (no stack trace for a mistyped flag). */
function usageError(message) {
  console.error(message);
  process.exit(1);
}
let options;
try {
  options = parseSuiteOptions(process.argv.slice(2));
} catch (error) {
  usageError(error.message);
}
const ours = await loadOurs(options.simd);
// Columns in this order.
const PEERS = [
  ["ours int8", () => ours.int8()],
  ["ort-web", () => loadOrt("web")],
  ["ort-web int8", () => loadOrt("web", { int8: options.int8 })],
  ["ort-node", () => loadOrt("node")],
  ["ort-node int8", () => loadOrt("node", { int8: options.int8 })],
  ["tfjs", () => loadTfjs()],
];
const unknownPeers = [...(options.peers ?? [])].filter((k) => k !== "ours" && !PEERS.some(([name]) => peerKey(name) === k));
if (unknownPeers.length) usageError(`bench: unknown peer ${unknownPeers.join(", ")} (known: ${PEERS.map(([name]) => peerKey(name)).join(", ")})`);
const peers = [ours];
for (const [name, load] of PEERS) if (!options.peers || options.peers.has(peerKey(name))) peers.push(await load());
const workloads = WORKLOADS.filter((w) => !options.only || options.only.has(w.id));

/** CPU model, with family/model numbers on Linux ("AMD EPYC" alone does not tell Zen 1 from Zen 3). */
function cpuDescription() {
  const name = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    return `${name} (family ${/^cpu family\s*:\s*(\d+)/m.exec(info)?.[1]}, model ${/^model\s*:\s*(\d+)/m.exec(info)?.[1]})`;
  } catch {
    return name;
  }
}

console.log(`\n=== wasm-rnn ${ours.engine.simd} SIMD build — Node ${process.version}, ${cpuDescription()}, ${os.cpus().length} cores ===`);
const nameWidth = Math.max(...peers.map((p) => p.name.length));
for (const p of peers) console.log(`  ${p.name.padEnd(nameWidth)} ${p.settings}`);
if (options.only || options.peers) console.log(`  (filtered run: ${[options.only && `only ${[...options.only].join(", ")}`, options.peers && `peers ours, ${[...options.peers].join(", ")}`].filter(Boolean).join("; ")})`);

if (!options.only || options.only.has("sgemm")) {
  console.log(`\nsgemm, our kernel (${ours.engine.simd} SIMD), C = A·B row-major, median:`);
  console.log(formatSgemm(await sgemmRates(ours.engine)));
}

const rows = [];
for (const w of workloads) {
  const sd = stateDict(w), input = data(w);
  const active = peers.filter((p) => p.supports(w));
  const handles = [];
  for (const peer of active) handles.push(await peer.prepare(w, sd, input));
  const results = [];
  for (const handle of handles) results.push(handle.result ? await handle.result() : null);
  const reference = results[active.indexOf(ours)];
  const checks = {}, tolerances = {};
  active.forEach((peer, i) => {
    if (peer !== ours) checks[peer.name] = handles[i].result ? disagreement(reference, results[i]) : "not compared (different function)";
    if (peer.tolerance !== undefined) tolerances[peer.name] = peer.tolerance;
  });
  const unsupported = {};
  for (const peer of peers) if (!active.includes(peer)) unsupported[peer.name] = peer.unsupported?.(w) ?? "not run";
  const times = await measureRounds(Object.fromEntries(active.map((peer, i) => [peer.name, handles[i].run])));
  for (const handle of handles) handle.dispose();
  const ratios = {};
  for (const [name, t] of Object.entries(times)) if (name !== ours.name) ratios[name] = t.ms / times[ours.name].ms;
  rows.push({ workload: w, gflop: flops(w) / 1e9, times, ratios, checks, tolerances, unsupported });
  process.stderr.write(`  measured ${w.id}\n`);
}

console.log(`\nmedian ms over ≥${DEFAULT_TIMING.minRounds} interleaved rounds after warm-up; ratio = peer ms / ours ms (> 1: ours faster)`);
console.log(formatTable(rows, peers.map((p) => p.name)));
const notRun = formatUnsupported(rows);
if (notRun) console.log(`— = not run:\n${notRun}`);
if (rows.some((r) => isLanguageModel(r.workload))) {
  console.log("\nlanguage-model training step, median:");
  console.log(formatThroughput(rows));
}
console.log("\nagreement with ours (float32), max |Δ| (outputs; W6: mean loss per token of the first step; W7: input gradient and weight_hh gradient; int8 peers: MISMATCH above their tolerance, quantization error expected):");
console.log(formatAgreement(rows));
console.log(`\ntargets (${ours.engine.simd} SIMD build, single thread):`);
console.log(formatTargets(evaluateTargets(rows)));
