// Keras weight layouts to PyTorch's: Keras kernels are [inputs, G·H] (x · kernel) with the gate blocks
// in Keras order (LSTM i f c o, GRU z r h), PyTorch weights are [G·H, inputs] (W · x) with blocks in
// PyTorch order (LSTM i f g o, GRU r z n). Pure array shuffles, nothing else.

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

/** A bias [G·H] with its gate blocks reordered: our block g is Keras block `order[g]`. */
export function reorderBlocks(bias: Float32Array, order: readonly number[], H: number): Float32Array {
  const out = new Float32Array(order.length * H);
  order.forEach((from, g) => out.set(bias.subarray(from * H, (from + 1) * H), g * H));
  return out;
}
