// The library's rule for choosing between two ways of running the same work from timings taken as it
// runs (the thread team's and the pool's split against whole, the servers' batch against alone):
// compare medians, and take the new way only where it takes at most PAYS of the other's time — a
// way that is merely as fast is not worth its cost (barriers, padding, waiting for company).

/** The new way must take at most this share of the other's time. */
export const PAYS = 0.9;

/** The median of `values` (the upper one of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** Whether the way timed `candidate` pays against the way timed `current` (by medians). */
export function pays(candidate: readonly number[], current: readonly number[]): boolean {
  return median(candidate) <= PAYS * median(current);
}
