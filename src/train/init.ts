// Weight initialisation schemes beyond each layer's PyTorch default: Xavier (Glorot) uniform, and
// orthogonal recurrent matrices (one orthogonal block per gate) as Saxe et al. recommend for RNNs.
// Biases start at zero in both. Runs once per model, in JavaScript.

import { ShapeError } from "../errors.js";
import type { Layer } from "../layers/layer.js";
import { Random } from "../random.js";
import { describe } from "../validate.js";

export type InitScheme = "pytorch" | "xavier" | "orthogonal";

interface Resettable extends Layer {
  resetParameters(random?: Random): void;
}

/** Re-initialises a layer: its PyTorch default, Xavier uniform, or orthogonal hidden-to-hidden blocks. */
export function initializeWeights(layer: Resettable, scheme: InitScheme, seed?: number): void {
  const random = new Random(seed);
  if (scheme === "pytorch") {
    layer.resetParameters(random);
    return;
  }
  if (scheme !== "xavier" && scheme !== "orthogonal") throw new ShapeError(`initializeWeights: scheme must be "pytorch", "xavier" or "orthogonal"; got ${describe(scheme)}`);
  const hidden = (layer as { hiddenSize?: number }).hiddenSize;
  for (const { name, shape } of layer.params.specs) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (shape.length !== 2) {
      layer.params.set(name, new Float32Array(n)); // biases, peepholes
    } else if (scheme === "orthogonal" && name.startsWith("weight_hh") && hidden) {
      const [rows, cols] = shape;
      const values = new Float32Array(n);
      for (let block = 0; block < rows / hidden; block++) values.set(orthogonal(hidden, cols, random), block * hidden * cols);
      layer.params.set(name, values);
    } else {
      const [rows, cols] = shape;
      const bound = Math.sqrt(6 / (rows + cols));
      layer.params.set(name, random.uniformArray(n, -bound, bound));
    }
  }
}

/** A rows × cols matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols), from a Gaussian by Gram–Schmidt. */
export function orthogonal(rows: number, cols: number, random: Random): Float32Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols, k = tall ? cols : rows; // k orthonormal vectors of length m
  const vectors = Array.from({ length: k }, () => Float64Array.from({ length: m }, () => random.normal()));
  for (let i = 0; i < k; i++) {
    const v = vectors[i];
    for (let j = 0; j < i; j++) {
      const u = vectors[j];
      let dot = 0;
      for (let r = 0; r < m; r++) dot += u[r] * v[r];
      for (let r = 0; r < m; r++) v[r] -= dot * u[r];
    }
    let norm = 0;
    for (let r = 0; r < m; r++) norm += v[r] * v[r];
    norm = Math.sqrt(norm);
    for (let r = 0; r < m; r++) v[r] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < k; i++) for (let r = 0; r < m; r++) out[tall ? r * cols + i : i * cols + r] = vectors[i][r];
  return out;
}
