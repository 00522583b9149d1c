// Naive float64 reference of the recurrent layers (RNN, LSTM, GRU, and the test-only MGU of mgu.ts),
// forward and backward through time side by side: one sequence and one step at a time, PyTorch's
// semantics (docs: DESIGN.md). The oracle the wasm kernels are checked against: plain loops over
// plain arrays, no wasm, no float32. A cell's step is a `Cell` (recurrent-step.ts).
//
// Legend: B batch, T steps, I input (of a layer: I, then D·P), H hidden, P output (projSize, else H),
// G gates (RNN 1; MGU 2: f n; GRU 3: r z n; LSTM 4: i f g o), L layers, D directions, L_b valid steps of row b.
// Matrices are row-major; a weight [G·H, I] maps x [I] to W x [G·H]. Time-major inside: [T, B, F].
// A quantized layer's parameters (int8 weights with `<name>_scale`, quantizeDynamic) run its forward
// as the int8 kernels define it: weights q·scale, and every vector entering a product rounded to 7
// bits over its own largest magnitude (sevenBit), the rest in float64.

import {
  add, affine, affineBackward, resetBeforeCandidate, resetBeforeCandidateBackward, sigmoid,
  type Cell, type CellGradients, type CellSizes, type CellState, type CellWeights,
} from "./recurrent-step.js";
import { mguCell } from "./mgu.js";

export interface RecurrentSpec {
  cell: "lstm" | "gru" | "rnn" | "mgu";
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  batchFirst: boolean;
  /** 0: no projection */
  projSize: number;
  peepholes: boolean;
  resetAfter: boolean;
  nonlinearity: "tanh" | "relu";
}

/** Tensors keyed by PyTorch's parameter names (weight_ih_l0, …), row-major. */
export type NamedTensors = Record<string, ArrayLike<number>>;

// ---- int8 operands -------------------------------------------------------------------------------

/** A vector as an int8 product reads it: values (float32, as stored) rounded to ±63 steps of
 *  max|v| / 63, ties to even, with the kernels' float32 arithmetic for the rounding. */
export function sevenBit(v: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let k = 0; k < v.length; k++) max = Math.max(max, Math.abs(Math.fround(v[k])));
  if (max === 0) return new Float64Array(v.length);
  const inverse = Math.fround(63 / max);
  return Float64Array.from(v, (x) => roundHalfEven(Math.fround(Math.fround(x) * inverse)) * (max / 63));
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A weight [rows, K] as float64: itself, or q·scale per row when `scales` are given (int8). */
export function dequantized(W: ArrayLike<number>, scales: ArrayLike<number> | undefined): ArrayLike<number> {
  if (!scales) return W;
  const K = W.length / scales.length;
  return Float64Array.from(W, (q, i) => q * scales[Math.floor(i / K)]);
}

// ---- RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu ----------------------------

function rnnCell(relu: boolean): Cell<{ hNew: Float64Array }> {
  return {
    forward(w, { I, H }, x, s) {
      const pre = add(affine(w.wIh, w.bIh, 0, H, I, w.operand(x)), affine(w.wHh, w.bHh, 0, H, H, w.operand(s.h)));
      const hNew = pre.map((v) => (relu ? Math.max(v, 0) : Math.tanh(v)));
      return { next: { h: hNew, c: null }, cache: { hNew } };
    },
    backward(w, g, { I, H }, x, s, { hNew }, dNext, dx) {
      // act' from the output: tanh' = 1 − h'², relu' = [h' > 0]
      const dPre = dNext.h.map((d, j) => d * (relu ? (hNew[j] > 0 ? 1 : 0) : 1 - hNew[j] * hNew[j]));
      const dh = new Float64Array(H);
      affineBackward(w.wIh, g.wIh, g.bIh, 0, H, I, x, dPre, dx);
      affineBackward(w.wHh, g.wHh, g.bHh, 0, H, H, s.h, dPre, dh);
      return { h: dh, c: null };
    },
  };
}

// ---- LSTM ----------------------------------------------------------------------------------------
// i = σ(W_ii x + W_hi h + b_i + p_i⊙c)   f = σ(… + p_f⊙c)   g = tanh(…)   c' = f⊙c + i⊙g
// o = σ(… + p_o⊙c')   m = o⊙tanh(c')   h' = m, or W_hr m with a projection (peepholes: ONNX's P)

interface LstmCache {
  i: Float64Array;
  f: Float64Array;
  g: Float64Array;
  o: Float64Array;
  cNew: Float64Array;
  m: Float64Array;
}

const lstmCell: Cell<LstmCache> = {
  forward(w, { I, H, P }, x, s) {
    const c = s.c!;
    const pre = add(affine(w.wIh, w.bIh, 0, 4 * H, I, w.operand(x)), affine(w.wHh, w.bHh, 0, 4 * H, P, w.operand(s.h)));
    const peep = (k: number, j: number) => (w.wPh ? w.wPh[k * H + j] : 0);
    const i = new Float64Array(H), f = new Float64Array(H), g = new Float64Array(H), o = new Float64Array(H);
    const cNew = new Float64Array(H), m = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      i[j] = sigmoid(pre[j] + peep(0, j) * c[j]);
      f[j] = sigmoid(pre[H + j] + peep(1, j) * c[j]);
      g[j] = Math.tanh(pre[2 * H + j]);
      cNew[j] = f[j] * c[j] + i[j] * g[j];
      o[j] = sigmoid(pre[3 * H + j] + peep(2, j) * cNew[j]);
      m[j] = o[j] * Math.tanh(cNew[j]);
    }
    const h = w.wHr ? affine(w.wHr, null, 0, P, H, w.operand(m)) : m;
    return { next: { h, c: cNew }, cache: { i, f, g, o, cNew, m } };
  },
  backward(w, grads, { I, H, P }, x, s, { i, f, g, o, cNew, m }, dNext, dx) {
    const c = s.c!;
    let dm: ArrayLike<number> = dNext.h;
    if (w.wHr) {
      const dmProjected = new Float64Array(H);
      affineBackward(w.wHr, grads.wHr!, null, 0, P, H, m, dNext.h, dmProjected);
      dm = dmProjected;
    }
    const peep = (k: number, j: number) => (w.wPh ? w.wPh[k * H + j] : 0);
    const dPre = new Float64Array(4 * H), dc = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      const tc = Math.tanh(cNew[j]);
      const dpo = dm[j] * tc * o[j] * (1 - o[j]);
      const dcNew = dNext.c![j] + dm[j] * o[j] * (1 - tc * tc) + dpo * peep(2, j);
      const dpi = dcNew * g[j] * i[j] * (1 - i[j]);
      const dpf = dcNew * c[j] * f[j] * (1 - f[j]);
      const dpg = dcNew * i[j] * (1 - g[j] * g[j]);
      dc[j] = dcNew * f[j] + dpi * peep(0, j) + dpf * peep(1, j);
      if (grads.wPh) {
        grads.wPh[j] += dpi * c[j];
        grads.wPh[H + j] += dpf * c[j];
        grads.wPh[2 * H + j] += dpo * cNew[j];
      }
      dPre[j] = dpi;
      dPre[H + j] = dpf;
      dPre[2 * H + j] = dpg;
      dPre[3 * H + j] = dpo;
    }
    const dh = new Float64Array(P);
    affineBackward(w.wIh, grads.wIh, grads.bIh, 0, 4 * H, I, x, dPre, dx);
    affineBackward(w.wHh, grads.wHh, grads.bHh, 0, 4 * H, P, s.h, dPre, dh);
    return { h: dh, c: dc };
  },
};

// ---- GRU -----------------------------------------------------------------------------------------
// r = σ(W_ir x + b_ir + W_hr h + b_hr)   z = σ(W_iz x + b_iz + W_hz h + b_hz)   h' = (1 − z)⊙n + z⊙h
// reset after  (PyTorch):      n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))
// reset before (Cho, ONNX):    n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn)

interface GruCache {
  r: Float64Array;
  z: Float64Array;
  n: Float64Array;
  /** W_hn h + b_hn (reset after) or r⊙h (reset before) */
  hn: Float64Array;
}

function gruCell(resetAfter: boolean): Cell<GruCache> {
  return {
    forward(w, { I, H }, x, s) {
      const gi = affine(w.wIh, w.bIh, 0, 3 * H, I, w.operand(x));
      const ghRz = affine(w.wHh, w.bHh, 0, 2 * H, H, w.operand(s.h));
      const r = new Float64Array(H), z = new Float64Array(H), hNew = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        r[j] = sigmoid(gi[j] + ghRz[j]);
        z[j] = sigmoid(gi[H + j] + ghRz[H + j]);
      }
      let n: Float64Array, hn: Float64Array;
      if (resetAfter) {
        hn = affine(w.wHh, w.bHh, 2 * H, H, H, w.operand(s.h));
        n = hn.map((v, j) => Math.tanh(gi[2 * H + j] + r[j] * v));
      } else {
        ({ n, rh: hn } = resetBeforeCandidate(w, H, 2 * H, gi.subarray(2 * H), r, s.h));
      }
      for (let j = 0; j < H; j++) hNew[j] = (1 - z[j]) * n[j] + z[j] * s.h[j];
      return { next: { h: hNew, c: null }, cache: { r, z, n, hn } };
    },
    backward(w, g, { I, H }, x, s, { r, z, n, hn }, dNext, dx) {
      const dh = new Float64Array(H);
      const dGi = new Float64Array(3 * H); // ∂ of the input side, r z n
      const dGhRz = new Float64Array(2 * H); // ∂ of the hidden side's r and z rows
      const dPn = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const dhNew = dNext.h[j];
        dh[j] += dhNew * z[j];
        dPn[j] = dhNew * (1 - z[j]) * (1 - n[j] * n[j]);
        const dpz = dhNew * (s.h[j] - n[j]) * z[j] * (1 - z[j]);
        dGi[H + j] = dpz;
        dGhRz[H + j] = dpz;
        dGi[2 * H + j] = dPn[j];
      }
      let dr: Float64Array;
      if (resetAfter) {
        dr = dPn.map((d, j) => d * hn[j]);
        const dHn = dPn.map((d, j) => d * r[j]);
        affineBackward(w.wHh, g.wHh, g.bHh, 2 * H, H, H, s.h, dHn, dh);
      } else {
        dr = resetBeforeCandidateBackward(w, g, H, 2 * H, hn, dPn, r, s.h, dh);
      }
      for (let j = 0; j < H; j++) {
        const dpr = dr[j] * r[j] * (1 - r[j]);
        dGi[j] = dpr;
        dGhRz[j] = dpr;
      }
      affineBackward(w.wIh, g.wIh, g.bIh, 0, 3 * H, I, x, dGi, dx);
      affineBackward(w.wHh, g.wHh, g.bHh, 0, 2 * H, H, s.h, dGhRz, dh);
      return { h: dh, c: null };
    },
  };
}

// ---- the layer: stacked, bidirectional, variable lengths ----------------------------------------

function cellOf(spec: RecurrentSpec): Cell<unknown> {
  if (spec.cell === "lstm") return lstmCell as Cell<unknown>;
  if (spec.cell === "gru") return gruCell(spec.resetAfter) as Cell<unknown>;
  if (spec.cell === "mgu") return mguCell as Cell<unknown>;
  return rnnCell(spec.nonlinearity === "relu") as Cell<unknown>;
}

const GATES = { lstm: 4, gru: 3, rnn: 1, mgu: 2 };

function suffix(l: number, d: number): string {
  return `_l${l}${d === 1 ? "_reverse" : ""}`;
}

/** PyTorch's parameter names and shapes, in PyTorch's order (what layer.stateDict() holds). */
function parameterShapes(spec: RecurrentSpec): Record<string, number[]> {
  const H = spec.hiddenSize, P = spec.projSize || H, D = spec.bidirectional ? 2 : 1, G = GATES[spec.cell] * H;
  const shapes: Record<string, number[]> = {};
  for (let l = 0; l < spec.numLayers; l++) {
    for (let d = 0; d < D; d++) {
      const s = suffix(l, d);
      shapes[`weight_ih${s}`] = [G, l === 0 ? spec.inputSize : D * P];
      shapes[`weight_hh${s}`] = [G, P];
      if (spec.bias) {
        shapes[`bias_ih${s}`] = [G];
        shapes[`bias_hh${s}`] = [G];
      }
      if (spec.projSize) shapes[`weight_hr${s}`] = [P, H];
      if (spec.peepholes) shapes[`weight_ph${s}`] = [3 * H];
    }
  }
  return shapes;
}

function weightsOf(params: NamedTensors, l: number, d: number): CellWeights {
  const s = suffix(l, d);
  const get = (name: string) => params[`${name}${s}`] ?? null;
  const weight = (name: string) => (params[`${name}${s}`] ? dequantized(params[`${name}${s}`], params[`${name}${s}_scale`]) : null);
  const quantized = `weight_ih${s}_scale` in params;
  return {
    wIh: weight("weight_ih")!, wHh: weight("weight_hh")!, bIh: get("bias_ih"), bHh: get("bias_hh"), wHr: weight("weight_hr"), wPh: get("weight_ph"),
    operand: quantized ? sevenBit : (v) => v,
  };
}

function gradientsOf(grads: Record<string, Float64Array>, l: number, d: number): CellGradients {
  const s = suffix(l, d);
  const get = (name: string) => grads[`${name}${s}`] ?? null;
  return { wIh: grads[`weight_ih${s}`], wHh: grads[`weight_hh${s}`], bIh: get("bias_ih"), bHh: get("bias_hh"), wHr: get("weight_hr"), wPh: get("weight_ph") };
}

/** [B, T, F] ↔ [T, B, F] (the same permutation both ways when T and B swap). */
function swapLeadingAxes(a: ArrayLike<number>, first: number, second: number, F: number): Float64Array {
  const out = new Float64Array(first * second * F);
  for (let i = 0; i < first; i++) {
    for (let j = 0; j < second; j++) for (let k = 0; k < F; k++) out[(j * first + i) * F + k] = a[(i * second + j) * F + k];
  }
  return out;
}

/** One step of one row, as forward saw it. */
interface TapeStep {
  t: number;
  x: Float64Array;
  before: CellState;
  cache: unknown;
}

export interface RecurrentForward {
  /** [T, B, D·P] ([B, T, D·P] batch-first); zero past each row's length */
  output: Float64Array;
  /** [L·D, B, P] */
  hN: Float64Array;
  /** [L·D, B, H], LSTM only */
  cN: Float64Array | null;
  /** What backward needs: per (layer, direction, row) the steps in the order they ran. */
  tape: TapeStep[][];
}

export interface InitialStates {
  /** [L·D, B, P] */
  h0?: ArrayLike<number>;
  /** [L·D, B, H] */
  c0?: ArrayLike<number>;
  /** [B], 1 ≤ L_b ≤ T (absent: T for every row) */
  lengths?: readonly number[];
}

/** The layer's forward over x [T, B, I] ([B, T, I] batch-first). */
export function recurrentForward(spec: RecurrentSpec, params: NamedTensors, x: ArrayLike<number>, T: number, B: number, initial: InitialStates = {}): RecurrentForward {
  const H = spec.hiddenSize, P = spec.projSize || H, D = spec.bidirectional ? 2 : 1, LD = spec.numLayers * D;
  const cell = cellOf(spec), isLstm = spec.cell === "lstm";
  const hN = new Float64Array(LD * B * P), cN = isLstm ? new Float64Array(LD * B * H) : null;
  const tape: TapeStep[][] = [];
  let input = spec.batchFirst ? swapLeadingAxes(x, B, T, spec.inputSize) : Float64Array.from(x);
  for (let l = 0; l < spec.numLayers; l++) {
    const n: CellSizes = { I: l === 0 ? spec.inputSize : D * P, H, P };
    const output = new Float64Array(T * B * D * P);
    for (let d = 0; d < D; d++) {
      const w = weightsOf(params, l, d);
      for (let b = 0; b < B; b++) {
        const index = l * D + d, steps: TapeStep[] = [];
        let state: CellState = {
          h: initial.h0 ? Float64Array.from({ length: P }, (_, j) => initial.h0![(index * B + b) * P + j]) : new Float64Array(P),
          c: isLstm ? (initial.c0 ? Float64Array.from({ length: H }, (_, j) => initial.c0![(index * B + b) * H + j]) : new Float64Array(H)) : null,
        };
        const length = initial.lengths?.[b] ?? T;
        // The reverse direction reads each row backwards from its own last valid step.
        for (let k = 0; k < length; k++) {
          const t = d === 0 ? k : length - 1 - k;
          const xt = input.slice((t * B + b) * n.I, (t * B + b + 1) * n.I);
          const { next, cache } = cell.forward(w, n, xt, state);
          steps.push({ t, x: xt, before: state, cache });
          output.set(next.h, (t * B + b) * D * P + d * P);
          state = next;
        }
        hN.set(state.h, (index * B + b) * P);
        if (cN) cN.set(state.c!, (index * B + b) * H);
        tape[index * B + b] = steps;
      }
    }
    input = output;
  }
  return { output: spec.batchFirst ? swapLeadingAxes(input, T, B, D * P) : input, hN, cN, tape };
}

export interface RecurrentGradients {
  /** ∂L/∂parameter, keyed by PyTorch's names */
  params: Record<string, Float64Array>;
  /** ∂L/∂x in x's layout */
  input: Float64Array;
  /** ∂L/∂h0 [L·D, B, P] */
  h0: Float64Array;
  /** ∂L/∂c0 [L·D, B, H], LSTM only */
  c0: Float64Array | null;
}

/** Backward through time of L = ⟨output, gradOutput⟩ + ⟨hN, gradHN⟩ + ⟨cN, gradCN⟩ (absent terms: 0). */
export function recurrentBackward(spec: RecurrentSpec, params: NamedTensors, forward: RecurrentForward, T: number, B: number,
  gradOutput: ArrayLike<number> | null, gradHN?: ArrayLike<number>, gradCN?: ArrayLike<number>): RecurrentGradients {
  const H = spec.hiddenSize, P = spec.projSize || H, D = spec.bidirectional ? 2 : 1, LD = spec.numLayers * D;
  const cell = cellOf(spec), isLstm = spec.cell === "lstm";
  const grads: Record<string, Float64Array> = {};
  for (const [name, shape] of Object.entries(parameterShapes(spec))) grads[name] = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const dH0 = new Float64Array(LD * B * P), dC0 = isLstm ? new Float64Array(LD * B * H) : null;
  let dOutput = gradOutput ? (spec.batchFirst ? swapLeadingAxes(gradOutput, B, T, D * P) : Float64Array.from(gradOutput)) : new Float64Array(T * B * D * P);
  for (let l = spec.numLayers - 1; l >= 0; l--) {
    const n: CellSizes = { I: l === 0 ? spec.inputSize : D * P, H, P };
    const dInput = new Float64Array(T * B * n.I);
    for (let d = 0; d < D; d++) {
      const w = weightsOf(params, l, d), g = gradientsOf(grads, l, d);
      for (let b = 0; b < B; b++) {
        const index = l * D + d;
        let dState: CellState = {
          h: Float64Array.from({ length: P }, (_, j) => gradHN?.[(index * B + b) * P + j] ?? 0),
          c: isLstm ? Float64Array.from({ length: H }, (_, j) => gradCN?.[(index * B + b) * H + j] ?? 0) : null,
        };
        const steps = forward.tape[index * B + b];
        for (let k = steps.length - 1; k >= 0; k--) {
          const { t, x, before, cache } = steps[k];
          for (let j = 0; j < P; j++) dState.h[j] += dOutput[(t * B + b) * D * P + d * P + j];
          const dx = new Float64Array(n.I);
          dState = cell.backward(w, g, n, x, before, cache, dState, dx);
          for (let j = 0; j < n.I; j++) dInput[(t * B + b) * n.I + j] += dx[j];
        }
        dH0.set(dState.h, (index * B + b) * P);
        if (dC0) dC0.set(dState.c!, (index * B + b) * H);
      }
    }
    dOutput = dInput;
  }
  return { params: grads, input: spec.batchFirst ? swapLeadingAxes(dOutput, T, B, spec.inputSize) : dOutput, h0: dH0, c0: dC0 };
}
