// Naive float64 reference of the losses (src/layers/losses.ts), forward and backward side by side:
// softmax cross-entropy over class logits (reduction, ignoreIndex) and binary cross-entropy with
// logits, as torch.nn.functional.cross_entropy and binary_cross_entropy_with_logits. No wasm.
//
// Legend: N rows, V classes.
//   cross-entropy  loss_n = log Σ_j e^{x_nj} − x_{n,t_n};  ∂loss_n/∂x_nj = softmax_nj − [j = t_n]
//   BCE            loss_i = −y log σ(x) − (1 − y) log(1 − σ(x));  ∂loss_i/∂x = σ(x) − y
// 'mean' divides by the rows counted (cross-entropy: targets ≠ ignoreIndex; BCE: every value), 'sum' does not.

export type Reduction = "mean" | "sum";

export interface CrossEntropySpec {
  reduction: Reduction;
  ignoreIndex: number;
}

/** The divisor of the summed loss: rows counted for 'mean' (1 when none count), 1 for 'sum'. */
function crossEntropyDivisor(targets: readonly number[], spec: CrossEntropySpec): number {
  const counted = targets.filter((t) => t !== spec.ignoreIndex).length;
  return spec.reduction === "mean" ? Math.max(counted, 1) : 1;
}

/** The loss of logits [N, V] against targets [N]. */
export function crossEntropyForward(logits: ArrayLike<number>, targets: readonly number[], V: number, spec: CrossEntropySpec): number {
  let total = 0;
  targets.forEach((target, n) => {
    if (target === spec.ignoreIndex) return;
    const row = Array.from({ length: V }, (_, j) => logits[n * V + j]);
    const max = Math.max(...row);
    total += Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max - row[target];
  });
  return total / crossEntropyDivisor(targets, spec);
}

/** ∂loss/∂logits [N, V] (zero rows where the target is ignored). */
export function crossEntropyBackward(logits: ArrayLike<number>, targets: readonly number[], V: number, spec: CrossEntropySpec): Float64Array {
  const grad = new Float64Array(targets.length * V);
  const divisor = crossEntropyDivisor(targets, spec);
  targets.forEach((target, n) => {
    if (target === spec.ignoreIndex) return;
    const row = Array.from({ length: V }, (_, j) => logits[n * V + j]);
    const max = Math.max(...row);
    const sum = row.reduce((s, x) => s + Math.exp(x - max), 0);
    for (let j = 0; j < V; j++) grad[n * V + j] = (Math.exp(row[j] - max) / sum - (j === target ? 1 : 0)) / divisor;
  });
  return grad;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** log(1 + e^x) without overflow. */
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** The loss of logits against targets in [0, 1] (same length). */
export function binaryCrossEntropyForward(logits: ArrayLike<number>, targets: ArrayLike<number>, reduction: Reduction): number {
  let total = 0;
  // −y log σ(x) − (1 − y) log(1 − σ(x)) = y·softplus(−x) + (1 − y)·softplus(x)
  for (let i = 0; i < logits.length; i++) total += targets[i] * softplus(-logits[i]) + (1 - targets[i]) * softplus(logits[i]);
  return reduction === "mean" ? total / Math.max(logits.length, 1) : total;
}

/** ∂loss/∂logits. */
export function binaryCrossEntropyBackward(logits: ArrayLike<number>, targets: ArrayLike<number>, reduction: Reduction): Float64Array {
  const divisor = reduction === "mean" ? Math.max(logits.length, 1) : 1;
  return Float64Array.from({ length: logits.length }, (_, i) => (sigmoid(logits[i]) - targets[i]) / divisor);
}
