// Agreement of a peer's results with ours, checked once per workload outside the timed runs: the
// largest absolute difference over every array both sides produced (output, or gradients).

/** Largest |a[i] − b[i]|; Infinity when the lengths differ. */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Max difference over the keys both results have; null when nothing is comparable. */
export function disagreement(ours, peer) {
  if (!ours || !peer) return null;
  const keys = Object.keys(ours).filter((k) => peer[k] !== undefined);
  if (keys.length === 0) return null;
  return Math.max(...keys.map((k) => maxAbsDiff(ours[k], peer[k])));
}
