// One benchmark process for one SIMD build of wasm-rnn (`node suite.js auto|plain`): our
// sgemm rates, then every workload on ours and each peer in this same process (agreement checked
// once, outside timing), printed as a table with the target verdicts.

import os from "node:os";
import { readFileSync } from "node:fs";
import { WORKLOADS, flops, stateDict, data } from "./workloads.js";
import { measureRounds, DEFAULT_TIMING } from "./timing.js";
import { disagreement } from "./agreement.js";
import { evaluateTargets } from "./targets.js";
import { sgemmRates } from "./sgemm.js";
import { formatTable, formatThroughput, formatAgreement, formatSgemm, formatTargets } from "./report.js";
import { loadOurs } from "./peers/ours.js";
import { loadOrt } from "./peers/ort.js";
import { loadTfjs } from "./peers/tfjs.js";

// A peer: { name, settings, supports(workload), prepare(workload, stateDict, data) → handle }, where a
// handle has run() (the timed body), result() (standard arrays for the agreement check, or null when
// the peer computes a different function) and dispose().
const simd = process.argv[2] ?? "auto";
const ours = await loadOurs(simd);
const peers = [ours, await loadOrt("web"), await loadOrt("node"), await loadTfjs()];

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
for (const p of peers) console.log(`  ${p.name.padEnd(8)} ${p.settings}`);

console.log(`\nsgemm, our kernel (${ours.engine.simd} SIMD), C = A·B row-major, median:`);
console.log(formatSgemm(await sgemmRates(ours.engine)));

const rows = [];
for (const w of WORKLOADS) {
  const sd = stateDict(w), input = data(w);
  const active = peers.filter((p) => p.supports(w));
  const handles = [];
  for (const peer of active) handles.push(await peer.prepare(w, sd, input));
  const results = [];
  for (const handle of handles) results.push(handle.result ? await handle.result() : null);
  const reference = results[active.indexOf(ours)];
  const checks = {};
  active.forEach((peer, i) => {
    if (peer !== ours) checks[peer.name] = handles[i].result ? disagreement(reference, results[i]) : "not compared (different function)";
  });
  const times = await measureRounds(Object.fromEntries(active.map((peer, i) => [peer.name, handles[i].run])));
  for (const handle of handles) handle.dispose();
  const ratios = {};
  for (const [name, t] of Object.entries(times)) if (name !== ours.name) ratios[name] = t.ms / times[ours.name].ms;
  rows.push({ workload: w, gflop: flops(w) / 1e9, times, ratios, checks });
  process.stderr.write(`  measured ${w.id}\n`);
}

console.log(`\nmedian ms over ≥${DEFAULT_TIMING.minRounds} interleaved rounds after warm-up; ratio = peer ms / ours ms (> 1: ours faster)`);
console.log(formatTable(rows, peers.map((p) => p.name)));
console.log("\nlanguage-model training step, median:");
console.log(formatThroughput(rows));
console.log("\nagreement with ours, max |Δ| (outputs; W6: mean loss per token of the first step; W7: input gradient and weight_hh gradient):");
console.log(formatAgreement(rows));
console.log(`\ntargets (${ours.engine.simd} SIMD build, single thread):`);
console.log(formatTargets(evaluateTargets(rows)));
