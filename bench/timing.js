// Timing of one benchmark body: warm-up calls (so V8 tiers the wasm up past Liftoff; a slow body gets
// one), then timed calls until both a minimum count and a time budget are reached; returns the median.

export const DEFAULT_TIMING = { warmup: 2, minRuns: 5, maxRuns: 30, budgetMs: 1500 };

/** Median wall time of `fn` (sync or async) in ms, with the number of timed runs. */
export async function measure(fn, { warmup, minRuns, maxRuns, budgetMs } = DEFAULT_TIMING) {
  const warmStart = performance.now();
  for (let i = 0; i < warmup && (i === 0 || performance.now() - warmStart < budgetMs / 2); i++) await fn();
  const times = [];
  const start = performance.now();
  while (times.length < minRuns || (times.length < maxRuns && performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), runs: times.length };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
