// Naive float64 reference of one step of the Minimal Gated Unit (Zhou et al. 2016), the test build's
// fourth cell (assembly/testing/mgu.ts), forward and backward side by side; recurrent.ts runs it
// over sequences, layers and directions as cell "mgu".
//
// Legend: I input, H hidden (P = H); gates f n, PyTorch-style weights W_ih [2H, I], W_hh [2H, H].
//   f = σ(W_if x + b_if + W_hf h + b_hf)   n = tanh(W_in x + b_in + W_hn (f⊙h) + b_hn)
//   h' = (1 − f)⊙h + f⊙n
// n is the GRU's reset-before candidate with f as the reset gate (recurrent-step.ts).

import { affine, affineBackward, resetBeforeCandidate, resetBeforeCandidateBackward, sigmoid, type Cell } from "./recurrent-step.js";

interface MguCache {
  f: Float64Array;
  n: Float64Array;
  /** f⊙h, what ∂W_hn needs */
  fh: Float64Array;
}

export const mguCell: Cell<MguCache> = {
  forward(w, { I, H }, x, s) {
    const gi = affine(w.wIh, w.bIh, 0, 2 * H, I, w.operand(x));
    const ghF = affine(w.wHh, w.bHh, 0, H, H, w.operand(s.h));
    const f = ghF.map((v, j) => sigmoid(gi[j] + v));
    const { n, rh: fh } = resetBeforeCandidate(w, H, H, gi.subarray(H), f, s.h);
    const hNew = n.map((nj, j) => (1 - f[j]) * s.h[j] + f[j] * nj);
    return { next: { h: hNew, c: null }, cache: { f, n, fh } };
  },
  backward(w, g, { I, H }, x, s, { f, n, fh }, dNext, dx) {
    const dh = new Float64Array(H);
    const dG = new Float64Array(2 * H); // ∂ of the pre-activations f n (the x and h sides alike)
    for (let j = 0; j < H; j++) {
      dh[j] = dNext.h[j] * (1 - f[j]);
      dG[H + j] = dNext.h[j] * f[j] * (1 - n[j] * n[j]);
    }
    const dfCandidate = resetBeforeCandidateBackward(w, g, H, H, fh, dG.subarray(H), f, s.h, dh);
    for (let j = 0; j < H; j++) dG[j] = (dNext.h[j] * (n[j] - s.h[j]) + dfCandidate[j]) * f[j] * (1 - f[j]);
    affineBackward(w.wIh, g.wIh, g.bIh, 0, 2 * H, I, x, dG, dx);
    affineBackward(w.wHh, g.wHh, g.bHh, 0, H, H, s.h, dG, dh);
    return { h: dh, c: null };
  },
};
