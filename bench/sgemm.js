// GFLOP/s of wasm-rnn's sgemm kernel called directly through the engine's raw exports, at an RNN
// batch shape and at 1024³ (C = A·B, row-major, no accumulation), with a spot check against plain JS.

import { measureRounds } from "./timing.js";
import { randomUniform } from "./workloads.js";

export const SGEMM_SHAPES = [
  { M: 32, K: 256, N: 1024 },
  { M: 1024, K: 1024, N: 1024 },
];

/** [{ M, K, N, ms, gflops, maxError }] for each shape. */
export async function sgemmRates(engine) {
  const { core, arena } = engine;
  const results = [];
  for (const { M, K, N } of SGEMM_SHAPES) {
    const a = randomUniform(M * K, 7), b = randomUniform(K * N, 8);
    const A = arena.alloc(M * K * 4), B = arena.alloc(K * N * 4), C = arena.alloc(M * N * 4);
    const work = arena.alloc(core.gemmWorkspaceBytes());
    engine.f32.set(a, A >> 2);
    engine.f32.set(b, B >> 2);
    const { sgemm } = await measureRounds(
      { sgemm: () => core.sgemm(M, N, K, A, K, 1, B, N, 1, C, N, 0, work) },
      { warmup: 3, minRounds: 7, maxRounds: 50, budgetMs: 1000 },
    );
    const c = engine.f32.subarray(C >> 2, (C >> 2) + M * N);
    let maxError = 0;
    for (let s = 0; s < 64; s++) {
      const i = (s * 7919) % M, j = (s * 104729) % N;
      let ref = 0;
      for (let k = 0; k < K; k++) ref += a[i * K + k] * b[k * N + j];
      maxError = Math.max(maxError, Math.abs(ref - c[i * N + j]));
    }
    for (const p of [A, B, C, work]) arena.release(p);
    results.push({ M, K, N, ms: sgemm.ms, gflops: (2 * M * N * K) / sgemm.ms / 1e6, maxError });
  }
  return results;
}
