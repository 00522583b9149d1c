// Timing of benchmark bodies: each is warmed up (so V8 tiers the wasm up past Liftoff; a slow body
// gets one call), then all are timed in interleaved rounds, one call of each per round, so load from
// other processes hits every peer alike. (No forced GC between calls: it slowed every peer, tfjs 3×.)

export const DEFAULT_TIMING = { warmup: 2, minRounds: 5, maxRounds: 30, budgetMs: 3000 };

/** { name: { ms, runs } }: the median wall time in ms of each body (sync or async) of `bodies`. */
export async function measureRounds(bodies, { warmup, minRounds, maxRounds, budgetMs } = DEFAULT_TIMING) {
  const names = Object.keys(bodies);
  for (const name of names) {
    const start = performance.now();
    for (let i = 0; i < warmup && (i === 0 || performance.now() - start < budgetMs / 4); i++) await bodies[name]();
  }
  const times = Object.fromEntries(names.map((name) => [name, []]));
  const start = performance.now();
  for (let round = 0; round < minRounds || (round < maxRounds && performance.now() - start < budgetMs); round++) {
    for (const name of names) {
      const t0 = performance.now();
      await bodies[name]();
      times[name].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { ms: median(times[name]), runs: times[name].length }]));
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
