// Naive references of loss.ts's softmax forms: softmax and log-softmax of logits / temperature, row by
// row, in float64 and rounded once. (The losses themselves, cross-entropy and binary cross-entropy,
// are checked against the float64 TypeScript reference in test/reference/losses.ts.) The oracle of the
// losses case table (test/cases/losses.json). Test-only: exported from assembly/testing.ts, never from
// assembly/index.ts.
//
// Legend as in loss.ts: N rows, V classes, T temperature.

/** out [N, V] = softmax(logits / T) (log = 0) or log softmax(logits / T) (log = 1), row by row. */
export function softmaxNaive(N: i32, V: i32, logits: usize, temperature: f32, log: i32, out: usize): void {
  let T = <f64>temperature;
  for (let n = 0; n < N; n++) {
    let row = logits + (<usize>(n * V) << 2), o = out + (<usize>(n * V) << 2);
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, <f64>load<f32>(row + (<usize>j << 2)) / T);
    let sum: f64 = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(<f64>load<f32>(row + (<usize>j << 2)) / T - m);
    for (let j = 0; j < V; j++) {
      let z = <f64>load<f32>(row + (<usize>j << 2)) / T - m;
      store<f32>(o + (<usize>j << 2), <f32>(log ? z - Math.log(sum) : Math.exp(z) / sum));
    }
  }
}
