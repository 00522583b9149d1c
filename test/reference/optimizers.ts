// Naive float64 reference of the optimizer steps (src/train/optimizers.ts) with torch.optim's formulas:
// SGD (momentum, dampening, Nesterov, L2 weight decay), Adam (L2 decay) and AdamW (decoupled decay).
// One step over flat parameter and gradient arrays, updating them and the optimizer's state in place. No wasm.
//
// Legend: p parameters, g gradients, b momentum buffer, m and v Adam's first and second moments, t the
// step (1 for the first), lr learning rate, wd weight decay, μ momentum, β1 β2 Adam's decay rates.

export interface SgdSpec {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

export interface AdamSpec {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: p ← p·(1 − lr·wd) instead of adding wd·p to the gradient */
  decoupled: boolean;
}

/**
 * d = g + wd·p;  b = (t = 1) ? d : μ·b + (1 − dampening)·d;  d = nesterov ? d + μ·b : b;  p −= lr·d
 * (without momentum, d = g + wd·p and b is untouched).
 */
export function sgdStep(spec: SgdSpec, t: number, p: Float64Array, g: ArrayLike<number>, b: Float64Array): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i] + spec.weightDecay * p[i];
    if (spec.momentum !== 0) {
      b[i] = t === 1 ? d : spec.momentum * b[i] + (1 - spec.dampening) * d;
      d = spec.nesterov ? d + spec.momentum * b[i] : b[i];
    }
    p[i] -= spec.lr * d;
  }
}

/**
 * Adam: g += wd·p;  AdamW: p ·= 1 − lr·wd;  then
 * m = β1 m + (1 − β1) g;  v = β2 v + (1 − β2) g²;  p −= lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 */
export function adamStep(spec: AdamSpec, t: number, p: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array): void {
  const bc1 = 1 - spec.beta1 ** t, bc2 = 1 - spec.beta2 ** t;
  for (let i = 0; i < p.length; i++) {
    const grad = spec.decoupled ? g[i] : g[i] + spec.weightDecay * p[i];
    if (spec.decoupled) p[i] *= 1 - spec.lr * spec.weightDecay;
    m[i] = spec.beta1 * m[i] + (1 - spec.beta1) * grad;
    v[i] = spec.beta2 * v[i] + (1 - spec.beta2) * grad * grad;
    p[i] -= (spec.lr / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + spec.eps);
  }
}
