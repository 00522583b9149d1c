// The error function in float64, for Erf: the Maclaurin series below |x| = 3 (where its alternating
// terms lose at most four of float64's sixteen digits), the asymptotic series of erfc above it (erfc(3)
// = 2.2e-5, so erf is then within 1e-9 of 1 − that), and ±1 beyond 6.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  if (a < 3) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  // erfc(a) ≈ e^(−a²) / (a√π) · (1 − 1/(2a²) + 3/(2a²)² − 15/(2a²)³ + …), stopped at the smallest term.
  const inv = 1 / (2 * a * a);
  let term = 1, series = 1;
  for (let n = 1; n < 30; n++) {
    const next = -term * (2 * n - 1) * inv;
    if (Math.abs(next) >= Math.abs(term)) break;
    term = next;
    series += term;
  }
  const erfc = (Math.exp(-a * a) / (a * Math.sqrt(Math.PI))) * series;
  return Math.sign(x) * (1 - erfc);
}
