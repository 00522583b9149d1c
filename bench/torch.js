// W6 (one training step of the character LSTM language model) against PyTorch CPU on one thread, in
// one run: rounds that alternate our step (median over a batch of steps in this process) with a fresh
// `native/torch_lm.py` process (its own median over 21 steps), so host load falls on both alike; the
// medians over the rounds and their ratio are printed. Needs Debian's python3-torch and
// python3-threadpoolctl under /usr/bin/python3 (`node torch.js`, run by bench.js when they exist), and
// libopenblas0-pthread (else torch uses the reference BLAS). The Python process runs without
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which this environment sets (Haswell, an AVX2 kernel) and
// which would keep OpenBLAS off its AVX-512 kernel; the kernel that ran is printed (threadpoolctl).

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadOurs } from "./peers/ours.js";
import { median } from "./timing.js";
import { WORKLOADS, data, stateDict, tokens } from "./workloads.js";

export const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const ROUNDS = 7, STEPS = 21, TARGET = 1.2;
const script = fileURLToPath(new URL("./native/torch_lm.py", import.meta.url));

/** Variables that pin OpenBLAS's kernel or cache size; unset for native processes only. */
export const OPENBLAS_OVERRIDES = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/** This process's environment less OPENBLAS_OVERRIDES, for the native (Python) processes. */
export function nativeEnv() {
  const env = { ...process.env };
  for (const name of OPENBLAS_OVERRIDES) delete env[name];
  return env;
}

/** " (removed from its environment: OPENBLAS_CORETYPE=Haswell, …)", or "" when neither is set here. */
function overridesNote() {
  const set = OPENBLAS_OVERRIDES.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`);
  return set.length ? ` (removed from its environment: ${set.join(", ")})` : "";
}

/** Whether PyTorch and threadpoolctl import under PYTHON. */
export function torchAvailable() {
  return spawnSync(PYTHON, ["-c", "import torch, threadpoolctl"], { stdio: "ignore", env: nativeEnv() }).status === 0;
}

function torchStepMs() {
  const run = spawnSync(PYTHON, [script], { encoding: "utf8", env: nativeEnv() });
  const match = /: ([\d.]+) ms\/step/.exec(run.stdout ?? "");
  if (run.status !== 0 || !match) throw new Error(`torch_lm.py failed: ${run.stderr || run.stdout}`);
  return { ms: Number(match[1]), pools: run.stdout.split("\n")[0] };
}

export async function torchComparison() {
  const w = WORKLOADS.find((x) => x.id === "W6");
  const ours = await loadOurs("auto");
  const step = await ours.prepare(w, stateDict(w), data(w));
  for (let i = 0; i < 3; i++) step.run();
  const oursMs = [], torchMs = [];
  let pools = "";
  for (let round = 0; round < ROUNDS; round++) {
    const times = [];
    for (let i = 0; i < STEPS; i++) {
      const t0 = performance.now();
      step.run();
      times.push(performance.now() - t0);
    }
    oursMs.push(median(times));
    const torch = torchStepMs();
    torchMs.push(torch.ms);
    pools = torch.pools;
  }
  step.dispose();
  return { workload: w, ours: median(oursMs), torch: median(torchMs), oursRuns: oursMs, torchRuns: torchMs, pools, settings: ours.settings };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!torchAvailable()) {
    console.log(`\n(W6 against PyTorch skipped: ${PYTHON} cannot import torch and threadpoolctl; apt-get install python3-torch python3-threadpoolctl)`);
    process.exit(0);
  }
  const r = await torchComparison();
  const list = (xs) => xs.map((x) => x.toFixed(1)).join(", ");
  const ratio = r.ours / r.torch;
  console.log(`\n=== W6 against PyTorch CPU, one thread (${ROUNDS} alternating rounds; medians) ===`);
  console.log(`  ours:    ${r.settings}`);
  console.log(`  PyTorch: ${r.pools}${overridesNote()}`);
  console.log(`  ours    ${r.ours.toFixed(2).padStart(8)} ms/step = ${Math.round(tokens(r.workload) / r.ours * 1e3)} tokens/s   (rounds: ${list(r.oursRuns)})`);
  console.log(`  PyTorch ${r.torch.toFixed(2).padStart(8)} ms/step = ${Math.round(tokens(r.workload) / r.torch * 1e3)} tokens/s   (rounds: ${list(r.torchRuns)})`);
  console.log(`  ${ratio <= TARGET ? "PASS" : "FAIL"}  W6 time / PyTorch time ≤ ${TARGET}×: ${ratio.toFixed(2)}×`);
}
