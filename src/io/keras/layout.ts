// Keras weight layouts to PyTorch's: Keras kernels are [inputs, G·H] (x · kernel) with the gate blocks
// in Keras order (LSTM i f c o, GRU z r h), PyTorch weights are [G·H, inputs] (W · x) with blocks in
// PyTorch order (LSTM i f g o, GRU r z n). Pure array shuffles, nothing else; each with its inverse
// (gradients go back to Keras's layout).

/**
 * PyTorch weight [G·H, rows] from a Keras kernel [rows, G·H]: our gate block g is Keras block
 * `order[g]`, each H wide. A Dense kernel [in, out] is the case order [0], H = out.
 */
export function kernelToWeight(kernel: Float32Array, rows: number, order: readonly number[], H: number): Float32Array {
  const G = order.length;
  const out = new Float32Array(G * H * rows);
  for (let g = 0; g < G; g++) {
    const from = order[g] * H;
    for (let u = 0; u < H; u++) {
      const dst = (g * H + u) * rows;
      for (let r = 0; r < rows; r++) out[dst + r] = kernel[r * G * H + from + u];
    }
  }
  return out;
}

/** The inverse of kernelToWeight: the Keras kernel [rows, G·H] of a PyTorch weight [G·H, rows]. */
export function weightToKernel(weight: Float32Array, rows: number, order: readonly number[], H: number): Float32Array {
  const G = order.length;
  const out = new Float32Array(G * H * rows);
  for (let g = 0; g < G; g++) {
    const to = order[g] * H;
    for (let u = 0; u < H; u++) {
      const src = (g * H + u) * rows;
      for (let r = 0; r < rows; r++) out[r * G * H + to + u] = weight[src + r];
    }
  }
  return out;
}

/** A bias [G·H] with its gate blocks reordered: our block g is Keras block `order[g]`. */
export function reorderBlocks(bias: Float32Array, order: readonly number[], H: number): Float32Array {
  const out = new Float32Array(order.length * H);
  order.forEach((from, g) => out.set(bias.subarray(from * H, (from + 1) * H), g * H));
  return out;
}

/** The inverse of reorderBlocks: Keras block order[g] is our block g. */
export function restoreBlocks(bias: Float32Array, order: readonly number[], H: number): Float32Array {
  const out = new Float32Array(order.length * H);
  order.forEach((to, g) => out.set(bias.subarray(g * H, (g + 1) * H), to * H));
  return out;
}
