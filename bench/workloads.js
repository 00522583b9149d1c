// The benchmark workloads (shapes, cell, training or inference), their FLOP counts, and the seeded
// random data every peer is fed: inputs, output gradients, and weights as a PyTorch-named state dict
// ({ shape, data } per tensor, torch.nn.{LSTM,GRU,RNN} layout), which each peer converts to its own.
// W6 is a whole language model (V set): Embedding(V, I) → LSTM(I, H) → Linear(H, V), trained one
// step with cross-entropy and Adam (learning rate lr). Its data are token ids, and its state dict has
// the module prefixes "embedding.", "rnn." and "fc." (as wasm-rnn's LanguageModel and torch_lm.py).

import { CELLS } from "../dist/engine/cells.js"; // gate counts: the engine's table of cells

const base = { layers: 1, bidirectional: false, training: false };

export const WORKLOADS = [
  { ...base, id: "W1", cell: "lstm", T: 128, B: 1, I: 64, H: 256, title: "LSTM B1 T128 I64 H256, all steps" },
  { ...base, id: "W2", cell: "lstm", T: 128, B: 32, I: 64, H: 256, title: "LSTM B32 T128 I64 H256" },
  { ...base, id: "W3", cell: "gru", T: 128, B: 32, I: 64, H: 256, title: "GRU B32 T128 I64 H256" },
  { ...base, id: "W4", cell: "lstm", T: 64, B: 16, I: 128, H: 256, layers: 2, bidirectional: true, title: "LSTM 2 layers bidir B16 T64 I128 H256" },
  { ...base, id: "W5", cell: "rnn", T: 128, B: 32, I: 64, H: 256, title: "RNN tanh B32 T128 I64 H256" },
  { ...base, id: "W6", cell: "lstm", T: 64, B: 32, I: 64, H: 256, V: 65, lr: 2e-3, training: true, title: "char LM train step V65 E64 H256 B32 T64" },
  { ...base, id: "W7", cell: "lstm", T: 64, B: 32, I: 64, H: 256, training: true, title: "LSTM fwd+bwd B32 T64 I64 H256" },
];

export function directions(w) {
  return w.bidirectional ? 2 : 1;
}

/** Input features of layer l: I for the first, D·H after it. */
export function layerInput(w, l) {
  return l === 0 ? w.I : directions(w) * w.H;
}

/** A language-model workload: token ids in, a next-token loss out. */
export function isLanguageModel(w) {
  return w.V !== undefined;
}

/** Forward FLOPs: 2·B·T·(I_l + H)·G·H per layer and direction, plus 2·B·T·H·V for a language model's
 *  output projection; training counts 3× (forward, ∂x/∂h, ∂W). Embedding, softmax, Adam are not counted. */
export function flops(w) {
  let f = 0;
  for (let l = 0; l < w.layers; l++) f += directions(w) * 2 * w.B * w.T * (layerInput(w, l) + w.H) * CELLS[w.cell].gates * w.H;
  if (isLanguageModel(w)) f += 2 * w.B * w.T * directions(w) * w.H * w.V;
  return w.training ? 3 * f : f;
}

/** Tokens one call processes (T·B). */
export function tokens(w) {
  return w.T * w.B;
}

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
export function randomUniform(n, seed, lo = -1, hi = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Parameter-name suffix of layer l, direction d (PyTorch). */
export function suffix(l, d) {
  return `_l${l}${d === 1 ? "_reverse" : ""}`;
}

/** PyTorch-layout weights, uniform ±1/√fan like torch's reset_parameters (fan = H for the recurrent
 *  layers and the output projection's input); a language model's embedding is uniform ±1. */
export function stateDict(w, seed = 1) {
  const G = CELLS[w.cell].gates * w.H;
  const prefix = isLanguageModel(w) ? "rnn." : "";
  const sd = {};
  let n = seed;
  const param = (shape, k = 1 / Math.sqrt(w.H)) => ({ shape, data: randomUniform(shape[0] * (shape[1] ?? 1), n++, -k, k) });
  for (let l = 0; l < w.layers; l++) {
    for (let d = 0; d < directions(w); d++) {
      const s = suffix(l, d);
      sd[`${prefix}weight_ih${s}`] = param([G, layerInput(w, l)]);
      sd[`${prefix}weight_hh${s}`] = param([G, w.H]);
      sd[`${prefix}bias_ih${s}`] = param([G]);
      sd[`${prefix}bias_hh${s}`] = param([G]);
    }
  }
  if (isLanguageModel(w)) {
    sd["embedding.weight"] = param([w.V, w.I], 1);
    sd["fc.weight"] = param([w.V, directions(w) * w.H]);
    sd["fc.bias"] = param([w.V]);
  }
  return sd;
}

/** Ids of the first ordinary token: ids 0–3 are the tokenizer's special tokens (pad, bos, eos, unk). */
export const FIRST_ORDINARY_TOKEN = 4;

/** n token ids, uniform over the ordinary tokens [4, V) (clamped: float32 rounding can reach V). */
function randomTokens(n, V, seed) {
  return Int32Array.from(randomUniform(n, seed, FIRST_ORDINARY_TOKEN, V), (u) => Math.min(V - 1, Math.floor(u)));
}

/** Time-major input x [T, B, I] and, for training, the output gradient [T, B, D·H]; for a language
 *  model, time-major token ids: inputs and targets [T·B]. */
export function data(w, seed = 100) {
  if (isLanguageModel(w)) return { inputs: randomTokens(w.T * w.B, w.V, seed), targets: randomTokens(w.T * w.B, w.V, seed + 1) };
  return {
    x: randomUniform(w.T * w.B * w.I, seed),
    gradOutput: w.training ? randomUniform(w.T * w.B * directions(w) * w.H, seed + 1) : null,
  };
}
