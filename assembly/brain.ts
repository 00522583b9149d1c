// brain.js 1.6.1's recurrent nets (recurrent.RNN/LSTM/GRU and their TimeStep twins), each call a
// whole sequence: training one sequence (forward over every step, the loss, brain.js's backward, its
// RMSProp update) and running one (the character loop, the time-step forecast). Arithmetic as
// brain.js's: every matrix op computes in float64 and stores float32 (so `r32` after each op below),
// deltas accumulate in float32 in brain.js's order. The order is the result, so nothing is reordered:
// the forward runs eight rows' dot products side by side in float64x2 lanes (each lane one row's sum
// in column order) over weights transposed to float64 once per update (`brainPrepare`); exp and
// tanh are float64 to within 3 ulps of the libm (brain-math.ts), two lanes at a time; the backward's
// elementwise updates run two float64 lanes at a time (exact per lane), and its multiply-adds into
// float32 deltas four float32 lanes at a time, one rounding each (productBackward). Where brain.js's
// result sits on a float32 rounding boundary these two may give the neighbouring float32 (about one
// operation in 2^28); otherwise every value is brain.js's.
//
// Legend: T steps, L hidden layers, I_l layer l's input width (I_0 = I), H_l its hidden size, O outputs,
// G gates (RNN 1, LSTM 4, GRU 3), f(x) = float32 rounding, σ sigmoid.
// Forward per layer and step, gates in brain.js's order (its JSON's and its evaluation order):
//   every gate k:  a_k = σ|tanh|relu( f( f(f(W_k x) + f(U_k h₋₁)) + b_k ) )
//   RNN   h = relu(·)
//   LSTM  gates i f o (σ), g (tanh);  c = f(f(f ⊙ h₋₁) + f(i ⊙ g)),  h = f(o ⊙ f(tanh c))  — no cell
//         state is carried: the forget gate keeps the previous hidden state
//   GRU   gates z r (σ), n = tanh(f(f(f(W_n x) + f(U_n f(r ⊙ h₋₁))) + b_n));  h = f(f(f(1 − z) ⊙ n) + f(h₋₁ ⊙ z))
//   output y = f(f(W_o h^{L−1}) + b_o)
// Losses: character nets softmax (brain.js's: max from −999999, f(exp), float64 sum, f(p)), dy = p,
// dy[target] = f(p − 1), error Σ −log₂ p[target]; time-step nets dy = f(y − target), error Σ_t Σ_k |y − target|.
// Backward, brain.js's quirks precisely (its add, multiplyElement, relu/sigmoid/tanh and rowPluck
// backward steps assign deltas, only its multiply backward adds):
//   - weights (W, U, W_o) get the sum over the steps; each bias (b_k, b_o) gets step 0's delta alone
//     (its add step assigns, and step 0 is visited last);
//   - an input-matrix row gets the delta of its first step in the sequence (rowPluck assigns, steps
//     visited last to first); rows the sequence does not use keep their deltas (the caller's buffer);
//   - LSTM: its exact gradient (h₋₁'s assignment f ⊙ δc comes before any other contribution);
//   - GRU: not the gradient of its forward: δz = h₋₁ ⊙ δh only (cloneNegative has no backward, so
//     nothing flows through (1 − z) ⊙ n to z), and δh₋₁ = r ⊙ δ(r ⊙ h₋₁) + U_rᵀ δr + U_zᵀ δz (the
//     assignment of z ⊙ δh to δh₋₁ is overwritten by the later assignment through r ⊙ h₋₁).
//   - time-step nets keep one record per step index for the net's life (brain.js's equations): each
//     train, run and forecast ends with the last record run forward on zeros (its `end`), and the
//     backward runs over every record, those past the sequence with the δh, δy and δ(r ⊙ h₋₁) that
//     earlier calls left in them (forward zeroes a record's deltas; nothing else does).
// Update (brain.js's adjustWeights), over every matrix flat: cache = f(cache·decay + (1 − decay)·δ·δ),
// δ clipped to ±clip, w = f(w + (−lr·δ)/√(cache + eps) − regc·w).
//
// A net is described by `shape`, i32s: [cell, inputRows, I, O, L, H_0 … H_{L−1}] (inputRows 0: the
// inputs are the data, float64, as brain.js's time-step nets take JavaScript numbers); its matrices
// are one float32 buffer in brain.js's allMatrices order: input [inputRows, I] (character nets),
// per layer per gate W_k [H, I_l], U_k [H, H], b_k [H], then W_o [O, H_{L−1}], b_o [O]. Deltas and
// the RMSProp cache are parallel buffers. The tape (float64) holds per step and layer x [I_l],
// gates [G·H], extra [H] (LSTM f(tanh c), GRU f(r ⊙ h₋₁)), h [H], δh [H], δextra [H] (GRU: brain.js
// adds into δ(r ⊙ h₋₁), which matters in a time-step net's stale steps); then y [O], δy [O]; after
// the steps the backward's scratch. The prepared weights (brainPrepare, a buffer of their own, kept
// by the caller while the weights do not change): the parameters' layout in float64, each W_k, U_k,
// W_o transposed ([I_l, H], [H, H], [H_{L−1}, O]).

import { expLanes, sigmoidLanes, tanhLanes } from "./brain-math";

const BRAIN_RNN: i32 = 0;
const BRAIN_LSTM: i32 = 1;
const BRAIN_GRU: i32 = 2;

// ---------------------------------------------------------------- the shape and the layouts

@inline function cellOf(shape: usize): i32 { return load<i32>(shape); }
@inline function inputRowsOf(shape: usize): i32 { return load<i32>(shape, 4); }
@inline function inputSizeOf(shape: usize): i32 { return load<i32>(shape, 8); }
@inline function outputSizeOf(shape: usize): i32 { return load<i32>(shape, 12); }
@inline function layersOf(shape: usize): i32 { return load<i32>(shape, 16); }
@inline function hiddenOf(shape: usize, l: i32): i32 { return load<i32>(shape + 20 + (<usize>l << 2)); }
@inline function layerInputOf(shape: usize, l: i32): i32 { return l == 0 ? inputSizeOf(shape) : hiddenOf(shape, l - 1); }

@inline function gatesOf(cell: i32): i32 { return cell == BRAIN_LSTM ? 4 : cell == BRAIN_GRU ? 3 : 1; }

/** float32 rounding: where brain.js stores into a Float32Array. */
@inline function r32(x: f64): f64 { return <f64><f32>x; }

/** Float offset of layer l's first matrix in the parameter buffer. */
function layerParams(shape: usize, l: i32): usize {
  const G = gatesOf(cellOf(shape));
  let off: usize = <usize>inputRowsOf(shape) * <usize>inputSizeOf(shape);
  for (let k = 0; k < l; k++) {
    const H = <usize>hiddenOf(shape, k);
    off += <usize>G * H * (<usize>layerInputOf(shape, k) + H + 1);
  }
  return off;
}

/** Float offset of W_o (b_o follows it). */
@inline function outputParams(shape: usize): usize { return layerParams(shape, layersOf(shape)); }

/** Floats of the parameter buffer (= deltas = cache). */
export function brainParameterCount(shape: usize): usize {
  const L = layersOf(shape), O = <usize>outputSizeOf(shape);
  return outputParams(shape) + O * <usize>hiddenOf(shape, L - 1) + O;
}

/** f64s of layer l's tape record: x, gates, extra, h, δh, δextra. */
@inline function layerRecord(shape: usize, l: i32): usize {
  const H = <usize>hiddenOf(shape, l);
  return <usize>layerInputOf(shape, l) + (<usize>gatesOf(cellOf(shape)) + 4) * H;
}

/** Byte offset of layer l's record within a step's (l = L: the output's y, δy). */
function layerTape(shape: usize, l: i32): usize {
  let off: usize = 0;
  for (let k = 0; k < l; k++) off += layerRecord(shape, k);
  return off << 3;
}

/** Bytes of one step's tape record. */
export function brainStepBytes(shape: usize): usize {
  return stepBytes(shape);
}

function stepBytes(shape: usize): usize {
  return layerTape(shape, layersOf(shape)) + (<usize>outputSizeOf(shape) << 4);
}

/** Widest hidden layer. */
function widestHidden(shape: usize): usize {
  let widest: usize = 0;
  for (let l = 0; l < layersOf(shape); l++) widest = max(widest, <usize>hiddenOf(shape, l));
  return widest;
}

/** f64s of the backward's scratch before the input's delta: the gates' pre-activation deltas [G·H]. */
function scratchFloats(shape: usize): usize {
  return <usize>gatesOf(cellOf(shape)) * widestHidden(shape);
}

/** Bytes of a tape of `steps` step records (at least 2) and the backward's scratch: the gates'
 *  deltas, the input's delta [I] and the float32 lanes (layerBackward's: 2·I_l + 4·H_l floats). */
export function brainTapeBytes(shape: usize, steps: i32): usize {
  const I = <usize>inputSizeOf(shape), H = widestHidden(shape);
  return <usize>max(steps, 2) * stepBytes(shape) + (scratchFloats(shape) + I + max(I, H) + 2 * H << 3);
}

/** dst[c, r] = src[r, c] for a float32 [rows, columns] matrix into float64 [columns, rows]: two rows
 *  at a time, so each store is a float64 pair. */
function transpose(src: usize, dst: usize, rows: i32, columns: i32): void {
  const rowBytes = <usize>columns << 2, stride = <usize>rows << 3;
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const a = src + <usize>r * rowBytes, b = a + rowBytes;
    let to = dst + (<usize>r << 3);
    for (let c = 0; c < columns; c++, to += stride) {
      const o = <usize>c << 2;
      v128.store(to, f64x2.replace_lane(f64x2.splat(<f64>load<f32>(a + o)), 1, <f64>load<f32>(b + o)));
    }
  }
  if (r < rows) {
    const a = src + <usize>r * rowBytes;
    for (let c = 0; c < columns; c++) store<f64>(dst + <usize>c * stride + (<usize>r << 3), <f64>load<f32>(a + (<usize>c << 2)));
  }
}

/** The prepared weights (see the header) of `params` at `prepared` (brainParameterCount float64s). */
export function brainPrepare(shape: usize, params: usize, prepared: usize): void {
  const G = gatesOf(cellOf(shape)), L = layersOf(shape);
  let at = layerParams(shape, 0);
  for (let l = 0; l < L; l++) {
    const I = layerInputOf(shape, l), H = hiddenOf(shape, l);
    for (let k = 0; k < G; k++) {
      transpose(params + (at << 2), prepared + (at << 3), H, I);
      at += <usize>H * <usize>I;
      transpose(params + (at << 2), prepared + (at << 3), H, H);
      at += <usize>H * <usize>H;
      transpose(params + (at << 2), prepared + (at << 3), H, 1);
      at += <usize>H;
    }
  }
  const O = outputSizeOf(shape), HL = hiddenOf(shape, L - 1);
  transpose(params + (at << 2), prepared + (at << 3), O, HL);
  at += <usize>O * <usize>HL;
  transpose(params + (at << 2), prepared + (at << 3), O, 1);
}

// ---------------------------------------------------------------- forward

/** f(x) in each float64 lane. */
@inline function r32x2(x: v128): v128 { return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x)); }

/** a·b + c per float64 lane: one relaxed multiply-add, fused or not — the same, since every product
 *  here is of two float32 values, exact in float64 (a time-step net's data may not be float32s: its
 *  layer-0 products may then round once less than brain.js's, by an ulp of float64). */
@inline function maddF64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

/** Σ_c M[c, r..r+1]·v[c] in column order per lane, M float64 [n, stride] (transposed). */
@inline function columnDot2(M: usize, v: usize, n: i32, stride: usize): v128 {
  let d = f64x2.splat(0);
  for (let c = 0; c < n; c++) d = maddF64(v128.load(M + <usize>c * stride), f64x2.splat(load<f64>(v + (<usize>c << 3))), d);
  return d;
}

/** dst[0..n] = Σ_c M[c, 0..n]·v[c] in column order per row, M float64 [columns, stride] (transposed),
 *  for n = 8 or 12 (a constant at each call): n/2 rows' pairs of sums side by side. Twelve rows' six
 *  independent sums per column keep both of a core's multiply-add units busy in V8, where eight
 *  rows' four leave one idle; sixteen rows' eight ran slower (a [128] LSTM's run 1.06 ms against
 *  eight rows' 0.83 ms). */
@inline function columnDots(n: i32, M: usize, v: usize, columns: i32, stride: usize, dst: usize): void {
  let d0 = f64x2.splat(0), d1 = d0, d2 = d0, d3 = d0, d4 = d0, d5 = d0;
  for (let c = 0; c < columns; c++, M += stride) {
    const vc = f64x2.splat(load<f64>(v + (<usize>c << 3)));
    d0 = maddF64(v128.load(M), vc, d0);
    d1 = maddF64(v128.load(M, 16), vc, d1);
    d2 = maddF64(v128.load(M, 32), vc, d2);
    d3 = maddF64(v128.load(M, 48), vc, d3);
    if (n == 12) {
      d4 = maddF64(v128.load(M, 64), vc, d4);
      d5 = maddF64(v128.load(M, 80), vc, d5);
    }
  }
  v128.store(dst, d0); v128.store(dst, d1, 16); v128.store(dst, d2, 32); v128.store(dst, d3, 48);
  if (n == 12) { v128.store(dst, d4, 64); v128.store(dst, d5, 80); }
}

/**
 * out[r] = f(f(f(W x) + f(U v)) + b) for r < H, or f(f(W x) + b) when `Ut` is 0 (the output layer);
 * v = 0: a zero state (U v = +0, as brain.js's product with zeros). Wt [I, H] and Ut [H, H] are the
 * prepared (transposed, float64) weights, b float64 [H]; each row's sums in column order, twelve
 * rows at a time (then eight, two, one); `sums` (12 float64s) holds twelve rows' U v.
 */
function affineForward(Wt: usize, Ut: usize, b: usize, x: usize, v: usize, I: i32, H: i32, out: usize, sums: usize): void {
  const stride = <usize>H << 3;
  let r = 0;
  for (; r + 12 <= H; r += 12) {
    const o = out + (<usize>r << 3), bb = b + (<usize>r << 3);
    columnDots(12, Wt + (<usize>r << 3), x, I, stride, o);
    if (Ut) {
      if (v) columnDots(12, Ut + (<usize>r << 3), v, H, stride, sums);
      else memory.fill(sums, 0, 96);
    }
    for (let k: usize = 0; k < 96; k += 16) {
      let a = r32x2(v128.load(o + k));
      if (Ut) a = r32x2(f64x2.add(a, r32x2(v128.load(sums + k))));
      v128.store(o + k, r32x2(f64x2.add(a, v128.load(bb + k))));
    }
  }
  for (; r + 8 <= H; r += 8) {
    const o = out + (<usize>r << 3), bb = b + (<usize>r << 3);
    columnDots(8, Wt + (<usize>r << 3), x, I, stride, o);
    let a0 = r32x2(v128.load(o)), a1 = r32x2(v128.load(o, 16)), a2 = r32x2(v128.load(o, 32)), a3 = r32x2(v128.load(o, 48));
    if (Ut) {
      if (v) columnDots(8, Ut + (<usize>r << 3), v, H, stride, o);
      else memory.fill(o, 0, 64);
      a0 = r32x2(f64x2.add(a0, r32x2(v128.load(o)))); a1 = r32x2(f64x2.add(a1, r32x2(v128.load(o, 16))));
      a2 = r32x2(f64x2.add(a2, r32x2(v128.load(o, 32)))); a3 = r32x2(f64x2.add(a3, r32x2(v128.load(o, 48))));
    }
    v128.store(o, r32x2(f64x2.add(a0, v128.load(bb))));
    v128.store(o, r32x2(f64x2.add(a1, v128.load(bb, 16))), 16);
    v128.store(o, r32x2(f64x2.add(a2, v128.load(bb, 32))), 32);
    v128.store(o, r32x2(f64x2.add(a3, v128.load(bb, 48))), 48);
  }
  for (; r + 2 <= H; r += 2) {
    let a = r32x2(columnDot2(Wt + (<usize>r << 3), x, I, stride));
    if (Ut) a = r32x2(f64x2.add(a, r32x2(v ? columnDot2(Ut + (<usize>r << 3), v, H, stride) : f64x2.splat(0))));
    v128.store(out + (<usize>r << 3), r32x2(f64x2.add(a, v128.load(b + (<usize>r << 3)))));
  }
  for (; r < H; r++) {
    let a: f64 = 0;
    for (let c = 0; c < I; c++) a += load<f64>(Wt + <usize>c * stride + (<usize>r << 3)) * load<f64>(x + (<usize>c << 3));
    a = r32(a);
    if (Ut) {
      let u: f64 = 0;
      if (v) for (let c = 0; c < H; c++) u += load<f64>(Ut + <usize>c * stride + (<usize>r << 3)) * load<f64>(v + (<usize>c << 3));
      a = r32(a + r32(u));
    }
    store<f64>(out + (<usize>r << 3), r32(a + load<f64>(b + (<usize>r << 3))));
  }
}

/** Two float64 lanes at p, or (`wide` false) the one float64 at p in both lanes. */
@inline function load2(p: usize, wide: bool): v128 { return wide ? v128.load(p) : f64x2.splat(load<f64>(p)); }

@inline function store2(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v);
  else store<f64>(p, f64x2.extract_lane(v, 0));
}

/** f(act(x)) for the float64 at p (and p + 8 when `wide`), in place: act 0 relu, 1 σ, 2 tanh. */
@inline function activatePair(p: usize, act: i32, wide: bool): void {
  const s = load2(p, wide);
  store2(p, r32x2(act == 0 ? f64x2.max(f64x2.splat(0), s) : act == 1 ? sigmoidLanes(s) : tanhLanes(s)), wide);
}

/** A gate [H] into `out`: act(affine), act 0 relu, 1 σ, 2 tanh; W at `at` (a float index) in the prepared weights. */
function gateForward(prepared: usize, at: usize, x: usize, v: usize, I: i32, H: i32, act: i32, out: usize, sums: usize): void {
  const Wt = prepared + (at << 3), Ut = Wt + (<usize>H * <usize>I << 3), b = Ut + (<usize>H * <usize>H << 3);
  affineForward(Wt, Ut, b, x, v, I, H, out, sums);
  let r = 0;
  for (; r + 2 <= H; r += 2) activatePair(out + (<usize>r << 3), act, true);
  if (r < H) activatePair(out + (<usize>r << 3), act, false);
}

/** An LSTM's c = f(f(f ⊙ h₋₁) + f(i ⊙ g)), its f(tanh c) into `extra` and h = f(o ⊙ f(tanh c)) for the
 *  unit at byte offset o (and the next when `wide`); gates [i f o g], each H (Hb bytes) long. */
@inline function lstmCombine(gates: usize, hPrev: usize, extra: usize, h: usize, Hb: usize, o: usize, wide: bool): void {
  const i = load2(gates + o, wide), f = load2(gates + Hb + o, wide), og = load2(gates + 2 * Hb + o, wide), g = load2(gates + 3 * Hb + o, wide);
  const prev = hPrev ? load2(hPrev + o, wide) : f64x2.splat(0);
  const c = r32x2(f64x2.add(r32x2(f64x2.mul(f, prev)), r32x2(f64x2.mul(i, g))));
  const tc = r32x2(tanhLanes(c));
  store2(extra + o, tc, wide);
  store2(h + o, r32x2(f64x2.mul(og, tc)), wide);
}

/**
 * Step t forward through every layer and the output: `step` is its tape record (layer 0's x already
 * written), `previous` the step before's (0: zero states), `sums` affineForward's scratch (the
 * backward's, unused while going forward). Returns whether y and every h are finite.
 */
function stepForward(shape: usize, prepared: usize, step: usize, previous: usize, sums: usize): bool {
  const cell = cellOf(shape), L = layersOf(shape), G = gatesOf(cell);
  let finite = true;
  let p = layerParams(shape, 0);
  let h: usize = 0;
  for (let l = 0; l < L; l++) {
    const I = layerInputOf(shape, l), H = hiddenOf(shape, l);
    const x = step + layerTape(shape, l), gates = x + (<usize>I << 3), extra = gates + (<usize>G * <usize>H << 3);
    if (l > 0) memory.copy(x, h, <usize>I << 3); // the layer below's h
    h = extra + (<usize>H << 3);
    const hPrev: usize = previous ? previous + layerTape(shape, l) + (<usize>(I + (G + 1) * H) << 3) : 0;
    const gateFloats = <usize>H * (<usize>I + <usize>H + 1);
    if (cell == BRAIN_RNN) {
      gateForward(prepared, p, x, hPrev, I, H, 0, h, sums);
    } else if (cell == BRAIN_LSTM) {
      for (let k = 0; k < 4; k++) {
        gateForward(prepared, p + <usize>k * gateFloats, x, hPrev, I, H, k == 3 ? 2 : 1, gates + (<usize>k * <usize>H << 3), sums);
      }
      let r = 0;
      for (; r + 2 <= H; r += 2) lstmCombine(gates, hPrev, extra, h, <usize>H << 3, <usize>r << 3, true);
      if (r < H) lstmCombine(gates, hPrev, extra, h, <usize>H << 3, <usize>r << 3, false);
    } else {
      const z = gates, rg = gates + (<usize>H << 3), n = gates + (<usize>(2 * H) << 3);
      for (let k = 0; k < 2; k++) {
        gateForward(prepared, p + <usize>k * gateFloats, x, hPrev, I, H, 1, gates + (<usize>k * <usize>H << 3), sums);
      }
      for (let r = 0; r < H; r++) {
        const o = <usize>r << 3;
        store<f64>(extra + o, hPrev ? r32(load<f64>(rg + o) * load<f64>(hPrev + o)) : 0.0);
      }
      gateForward(prepared, p + 2 * gateFloats, x, hPrev ? extra : 0, I, H, 2, n, sums);
      for (let r = 0; r < H; r++) {
        const o = <usize>r << 3;
        const zr = load<f64>(z + o), prev = hPrev ? load<f64>(hPrev + o) : 0.0;
        store<f64>(h + o, r32(r32(r32(1 - zr) * load<f64>(n + o)) + r32(prev * zr)));
      }
    }
    for (let r = 0; r < H; r++) { const v = load<f64>(h + (<usize>r << 3)); finite = finite && v - v == 0; }
    p += <usize>G * gateFloats;
  }
  const O = outputSizeOf(shape), HL = hiddenOf(shape, L - 1);
  const y = step + layerTape(shape, L), Wt = prepared + (p << 3);
  affineForward(Wt, 0, Wt + (<usize>O * <usize>HL << 3), h, 0, HL, O, y, 0);
  for (let k = 0; k < O; k++) { const v = load<f64>(y + (<usize>k << 3)); finite = finite && v - v == 0; }
  return finite;
}

/** Writes layer 0's x of the step at `step`: row `row` of the input matrix, or `I` float64 values at `values`. */
function stepInput(shape: usize, params: usize, step: usize, row: i32, values: usize): void {
  const I = inputSizeOf(shape);
  if (values) {
    memory.copy(step, values, <usize>I << 3);
    return;
  }
  const src = params + (<usize>row * <usize>I << 2);
  for (let c = 0; c < I; c++) store<f64>(step + (<usize>c << 3), <f64>load<f32>(src + (<usize>c << 2)));
}

// ---------------------------------------------------------------- losses

/** brain.js's softmax of y [O] into p [O]: f(p). */
function softmax(y: usize, p: usize, O: i32): void {
  let top: f64 = -999999;
  for (let k = 0; k < O; k++) top = max(top, load<f64>(y + (<usize>k << 3)));
  const shift = f64x2.splat(top);
  let k = 0;
  for (; k + 2 <= O; k += 2) store2(p + (<usize>k << 3), r32x2(expLanes(f64x2.sub(load2(y + (<usize>k << 3), true), shift))), true);
  if (k < O) store2(p + (<usize>k << 3), r32x2(expLanes(f64x2.sub(load2(y + (<usize>k << 3), false), shift))), false);
  let sum: f64 = 0;
  for (k = 0; k < O; k++) sum += load<f64>(p + (<usize>k << 3));
  for (let k = 0; k < O; k++) store<f64>(p + (<usize>k << 3), r32(load<f64>(p + (<usize>k << 3)) / sum));
}

/** Cross-entropy as brain.js's predictTargetIndex: dy = softmax(y), dy[target] = f(p − 1); returns −log₂ p[target]. */
function softmaxLoss(y: usize, dy: usize, O: i32, target: i32): f64 {
  softmax(y, dy, O);
  const p = load<f64>(dy + (<usize>target << 3));
  store<f64>(dy + (<usize>target << 3), r32(p - 1));
  return -Math.log2(p);
}

// ---------------------------------------------------------------- backward

/** Whether this engine's relaxed multiply-add is fused (rounds once): 1 yes, 0 no, −1 not probed yet. */
let maddFused: i32 = -1;

/** Probes once (relaxed build): (1 + 2⁻¹²)² − (1 + 2⁻¹¹) is 2⁻²⁴ fused and 0 with the product rounded
 *  first (a tie to even). The operands pass through memory, so the compiler cannot fold them. */
function relaxedMaddFused(): bool {
  if (maddFused < 0) {
    const probe = memory.data(8);
    store<f32>(probe, <f32>1 + <f32>2.44140625e-4);
    store<f32>(probe, -(<f32>1 + <f32>4.8828125e-4), 4);
    const a = f32x4.splat(load<f32>(probe)), c = f32x4.splat(load<f32>(probe, 4));
    let r: f32 = 0;
    if (ASC_FEATURE_RELAXED_SIMD) r = f32x4.extract_lane(f32x4.relaxed_madd(a, a, c), 0);
    maddFused = r != 0 ? 1 : 0;
  }
  return maddFused == 1;
}

/** f(a·b + c) per float32 lane, as brain.js's float64 multiply-add stored to float32: `fused`, one
 *  fused multiply-add (the same but for a double-rounding tie); else through float64 halves (exact:
 *  a product of float32s is exact in float64). */
@inline function maddLanes(a: v128, b: v128, c: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (fused) return f32x4.relaxed_madd(a, b, c);
  }
  const lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b)), f64x2.promote_low_f32x4(c));
  const a2 = i64x2.shuffle(a, a, 1, 1), b2 = i64x2.shuffle(b, b, 1, 1), c2 = i64x2.shuffle(c, c, 1, 1);
  const hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(a2), f64x2.promote_low_f32x4(b2)), f64x2.promote_low_f32x4(c2));
  return i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2);
}

/** f(acc + a·b) for float32s, as brain.js computes it (float64, then stored). */
@inline function madd1(acc: f32, a: f32, b: f32): f32 { return <f32>(<f64>acc + <f64>a * <f64>b); }

/** productBackward's rows over float32 copies of x (xs) and vd (vs; 0: none), `fused` or not: four
 *  rows at a time, each vs lane taking the four rows' terms in row order (brain.js's order). */
@inline function productRows(W: usize, Wd: usize, xs: usize, vs: usize, d: usize, rows: i32, columns: i32, fused: bool): void {
  const quads = columns & ~3, rowBytes = <usize>columns << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const dr = d + (<usize>r << 3);
    const d0 = <f32>load<f64>(dr), d1 = <f32>load<f64>(dr, 8), d2 = <f32>load<f64>(dr, 16), d3 = <f32>load<f64>(dr, 24);
    const v0 = f32x4.splat(d0), v1 = f32x4.splat(d1), v2 = f32x4.splat(d2), v3 = f32x4.splat(d3);
    const w0 = W + <usize>r * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
    const g0 = Wd + <usize>r * rowBytes, g1 = g0 + rowBytes, g2 = g1 + rowBytes, g3 = g2 + rowBytes;
    let c = 0;
    for (; c < quads; c += 4) {
      const o = <usize>c << 2, x = v128.load(xs + o);
      v128.store(g0 + o, maddLanes(x, v0, v128.load(g0 + o), fused));
      v128.store(g1 + o, maddLanes(x, v1, v128.load(g1 + o), fused));
      v128.store(g2 + o, maddLanes(x, v2, v128.load(g2 + o), fused));
      v128.store(g3 + o, maddLanes(x, v3, v128.load(g3 + o), fused));
      if (!vs) continue;
      let acc = maddLanes(v128.load(w0 + o), v0, v128.load(vs + o), fused);
      acc = maddLanes(v128.load(w1 + o), v1, acc, fused);
      acc = maddLanes(v128.load(w2 + o), v2, acc, fused);
      v128.store(vs + o, maddLanes(v128.load(w3 + o), v3, acc, fused));
    }
    for (; c < columns; c++) {
      const o = <usize>c << 2, x = load<f32>(xs + o);
      store<f32>(g0 + o, madd1(load<f32>(g0 + o), x, d0));
      store<f32>(g1 + o, madd1(load<f32>(g1 + o), x, d1));
      store<f32>(g2 + o, madd1(load<f32>(g2 + o), x, d2));
      store<f32>(g3 + o, madd1(load<f32>(g3 + o), x, d3));
      if (!vs) continue;
      let acc = madd1(load<f32>(vs + o), load<f32>(w0 + o), d0);
      acc = madd1(acc, load<f32>(w1 + o), d1);
      acc = madd1(acc, load<f32>(w2 + o), d2);
      store<f32>(vs + o, madd1(acc, load<f32>(w3 + o), d3));
    }
  }
  for (; r < rows; r++) {
    const dr = <f32>load<f64>(d + (<usize>r << 3)), dv = f32x4.splat(dr);
    const wRow = W + <usize>r * rowBytes, dRow = Wd + <usize>r * rowBytes;
    let c = 0;
    for (; c < quads; c += 4) {
      const o = <usize>c << 2;
      v128.store(dRow + o, maddLanes(v128.load(xs + o), dv, v128.load(dRow + o), fused));
      if (vs) v128.store(vs + o, maddLanes(v128.load(wRow + o), dv, v128.load(vs + o), fused));
    }
    for (; c < columns; c++) {
      const o = <usize>c << 2;
      store<f32>(dRow + o, madd1(load<f32>(dRow + o), load<f32>(xs + o), dr));
      if (vs) store<f32>(vs + o, madd1(load<f32>(vs + o), load<f32>(wRow + o), dr));
    }
  }
}

/** dst[i] = f(src[i]) for float64 src and float32 dst (the values are float32s: exact), n values. */
function toLanes(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store64_lane(dst + (<usize>i << 2), f32x4.demote_f64x2_zero(v128.load(src + (<usize>i << 3))), 0);
  if (i < n) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}

/** dst[i] = src[i] for float32 src and float64 dst, n values. */
function fromLanes(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(src + (<usize>i << 2))));
  if (i < n) store<f64>(dst + (<usize>i << 3), <f64>load<f32>(src + (<usize>i << 2)));
}

/**
 * brain.js's multiply backward for one gate: Wd[r, c] = f(Wd[r, c] + x[c]·d[r]), and, when vs ≠ 0,
 * vs[c] = f(vs[c] + W[r, c]·d[r]) over rows r in order, x (xs) and the input's deltas (vs) as float32
 * lanes (layerBackward keeps them; a time-step net's data, which may not be float32s, rounded).
 * Four columns at a time: one fused multiply-add where the engine's relaxed one is fused (brain.js's
 * value but for a double-rounding tie, about one in 2^29), else exactly brain.js's through float64.
 */
function productBackward(W: usize, Wd: usize, xs: usize, vs: usize, d: usize, rows: i32, columns: i32): void {
  if (ASC_FEATURE_RELAXED_SIMD && relaxedMaddFused()) productRows(W, Wd, xs, vs, d, rows, columns, true);
  else productRows(W, Wd, xs, vs, d, rows, columns, false);
}

/** A gate's backward from its pre-activation deltas `d` [H]: b's delta (step 0 only), U and W's, over
 *  float32 lanes of x, its deltas, h₋₁ (hs; 0 at step 0) and its deltas. */
function gateBackward(W: usize, Wd: usize, xs: usize, xds: usize, hs: usize, hds: usize, d: usize, I: i32, H: i32, first: bool): void {
  const U = W + (<usize>H * <usize>I << 2), Ud = Wd + (<usize>H * <usize>I << 2);
  const bd = Wd + (<usize>H * (<usize>I + <usize>H) << 2);
  if (first) toLanes(d, bd, H);
  if (hs) productBackward(U, Ud, hs, hds, d, H, H);
  productBackward(W, Wd, xs, xds, d, H, I);
}

/** Pre-activation delta of a σ gate (a·(1 − a)·δ) or a tanh gate ((1 − a²)·δ) at byte offset o (and the next when `wide`), in place over δ. */
@inline function activationBackwardPair(a: usize, d: usize, o: usize, tanh: bool, wide: bool): void {
  const v = load2(a + o, wide), one = f64x2.splat(1);
  const slope = tanh ? f64x2.sub(one, f64x2.mul(v, v)) : f64x2.mul(v, f64x2.sub(one, v));
  store2(d + o, r32x2(f64x2.mul(slope, load2(d + o, wide))), wide);
}

/** Pre-activation deltas of a σ gate or a tanh gate [H], in place over δ. */
function activationBackward(a: usize, d: usize, H: i32, tanh: bool): void {
  let r = 0;
  for (; r + 2 <= H; r += 2) activationBackwardPair(a, d, <usize>r << 3, tanh, true);
  if (r < H) activationBackwardPair(a, d, <usize>r << 3, tanh, false);
}

/** An LSTM's h = o ⊙ tc, c = f ⊙ h₋₁ + i ⊙ g backward for the unit at byte offset o (and the next when
 *  `wide`): δ of i f o g into d, and h₋₁'s delta assigned (the first it gets). */
@inline function lstmBackwardPair(gates: usize, extra: usize, dh: usize, hPrev: usize, hPrevD: usize, d: usize, Hb: usize, o: usize, wide: bool): void {
  const i = load2(gates + o, wide), f = load2(gates + Hb + o, wide), og = load2(gates + 2 * Hb + o, wide), g = load2(gates + 3 * Hb + o, wide);
  const tc = load2(extra + o, wide), dhr = load2(dh + o, wide);
  store2(d + 2 * Hb + o, r32x2(f64x2.mul(tc, dhr)), wide);
  const dc = r32x2(f64x2.mul(f64x2.sub(f64x2.splat(1), f64x2.mul(tc, tc)), r32x2(f64x2.mul(og, dhr))));
  store2(d + o, r32x2(f64x2.mul(g, dc)), wide);
  store2(d + 3 * Hb + o, r32x2(f64x2.mul(i, dc)), wide);
  const prev = hPrev ? load2(hPrev + o, wide) : f64x2.splat(0);
  store2(d + Hb + o, r32x2(f64x2.mul(prev, dc)), wide);
  if (hPrevD) store2(hPrevD + o, r32x2(f64x2.mul(f, dc)), wide);
}

/**
 * Layer l of step `step` backward from its δh: its parameters' deltas, δ of its input (into `xd`;
 * 0: not wanted) and of its previous state (into the previous step's δh; none at step 0). The
 * products run over float32 lanes of x, h₋₁ and their deltas (`lanes`: 2·I + 4·H floats), which
 * the deltas enter after their last assignment and leave at the end.
 */
function layerBackward(shape: usize, params: usize, deltas: usize, l: i32, step: usize, previous: usize, xd: usize, scratch: usize, lanes: usize): void {
  const cell = cellOf(shape), G = gatesOf(cell);
  const I = layerInputOf(shape, l), H = hiddenOf(shape, l);
  const pOff = layerParams(shape, l) << 2, gateBytes = <usize>H * (<usize>I + <usize>H + 1) << 2;
  const rec = step + layerTape(shape, l);
  const x = rec, gates = x + (<usize>I << 3), extra = gates + (<usize>G * <usize>H << 3);
  const h = extra + (<usize>H << 3), dh = h + (<usize>H << 3);
  const prevRec: usize = previous ? previous + layerTape(shape, l) : 0;
  const hPrev: usize = previous ? prevRec + (<usize>(I + (G + 1) * H) << 3) : 0;
  const hPrevD: usize = previous ? hPrev + (<usize>H << 3) : 0;
  const first = previous == 0;
  const d = scratch; // G·H pre-activation deltas
  const xs = lanes, xds: usize = xd ? xs + (<usize>I << 2) : 0, hs: usize = hPrev ? xs + (<usize>I << 3) : 0;
  const hds: usize = hPrev ? hs + (<usize>H << 2) : 0;
  toLanes(x, xs, I);
  if (xd) toLanes(xd, xds, I);
  if (hPrev) toLanes(hPrev, hs, H);
  const Hb = <usize>H << 3;
  if (cell == BRAIN_RNN) {
    for (let r = 0; r < H; r++) { const o = <usize>r << 3; store<f64>(d + o, load<f64>(h + o) > 0 ? load<f64>(dh + o) : 0.0); }
    if (hPrevD) toLanes(hPrevD, hds, H);
    gateBackward(params + pOff, deltas + pOff, xs, xds, hs, hds, d, I, H, first);
  } else if (cell == BRAIN_LSTM) {
    let r = 0;
    for (; r + 2 <= H; r += 2) lstmBackwardPair(gates, extra, dh, hPrev, hPrevD, d, Hb, <usize>r << 3, true);
    if (r < H) lstmBackwardPair(gates, extra, dh, hPrev, hPrevD, d, Hb, <usize>r << 3, false);
    if (hPrevD) toLanes(hPrevD, hds, H);
    for (let k = 3; k >= 0; k--) {
      activationBackward(gates + <usize>k * Hb, d + <usize>k * Hb, H, k == 3);
      gateBackward(params + pOff + <usize>k * gateBytes, deltas + pOff + <usize>k * gateBytes, xs, xds, hs, hds, d + <usize>k * Hb, I, H, first);
    }
  } else {
    // GRU: h = (1 − z) ⊙ n + h₋₁ ⊙ z; δz = h₋₁ ⊙ δh only, δn = f(1 − z) ⊙ δh
    const z = gates, rg = gates + Hb, n = gates + 2 * Hb;
    for (let r = 0; r < H; r++) {
      const o = <usize>r << 3, dhr = load<f64>(dh + o), zr = load<f64>(z + o);
      const prev = hPrev ? load<f64>(hPrev + o) : 0.0;
      store<f64>(d + o, r32(prev * dhr));
      store<f64>(d + 2 * Hb + o, r32(r32(1 - zr) * dhr));
    }
    activationBackward(n, d + 2 * Hb, H, true);
    // n's gate: U_n multiplies f(r ⊙ h₋₁) (extra); its delta δ(r ⊙ h₋₁) goes to δr and, assigned, δh₋₁
    const Wn = params + pOff + 2 * gateBytes, Wnd = deltas + pOff + 2 * gateBytes;
    if (first) toLanes(d + 2 * Hb, Wnd + (<usize>H * (<usize>I + <usize>H) << 2), H);
    // δ(r ⊙ h₋₁) is added into (brain.js's multiply backward), from zero in a step that ran forward
    // in this call, from what a stale step kept otherwise; at step 0 r ⊙ h₋₁ = 0 and δr = 0
    const rhD = dh + Hb, es = xs + (<usize>(I + H) << 3), rhds = es + (<usize>H << 2);
    toLanes(extra, es, H);
    toLanes(rhD, rhds, H);
    productBackward(Wn + (<usize>H * <usize>I << 2), Wnd + (<usize>H * <usize>I << 2), es, rhds, d + 2 * Hb, H, H);
    fromLanes(rhds, rhD, H);
    if (hPrev) {
      for (let r = 0; r < H; r++) {
        const o = <usize>r << 3, v = load<f64>(rhD + o);
        store<f64>(d + Hb + o, r32(load<f64>(hPrev + o) * v));
        store<f64>(hPrevD + o, r32(load<f64>(rg + o) * v));
      }
      toLanes(hPrevD, hds, H);
    } else {
      memory.fill(d + Hb, 0, Hb);
    }
    productBackward(Wn, Wnd, xs, xds, d + 2 * Hb, H, I);
    for (let k = 1; k >= 0; k--) {
      activationBackward(gates + <usize>k * Hb, d + <usize>k * Hb, H, false);
      gateBackward(params + pOff + <usize>k * gateBytes, deltas + pOff + <usize>k * gateBytes, xs, xds, hs, hds, d + <usize>k * Hb, I, H, first);
    }
  }
  if (xd) fromLanes(xds, xd, I);
  if (hPrevD) fromLanes(hds, hPrevD, H);
}

// ---------------------------------------------------------------- training one sequence

/** Zeroes δh (and with `extra` δextra) of every layer of the step record at `step` (what brain.js's
 *  forward does to its products' deltas). */
function clearStateDeltas(shape: usize, step: usize, extra: bool): void {
  for (let l = 0; l < layersOf(shape); l++) {
    const H = <usize>hiddenOf(shape, l);
    memory.fill(step + layerTape(shape, l) + (layerRecord(shape, l) - 2 * H << 3), 0, extra ? H << 4 : H << 3);
  }
}

/**
 * A time-step net's `end` (brain.js's: its last equation run on zeros after each train, run and
 * forecast): record equations − 1 forward from record equations − 2 on a zero input, its δh and δy
 * zero, and record equations − 2's δh zeroed (its multiply's forward zeroes the state it reads).
 */
function endForward(shape: usize, prepared: usize, tape: usize, equations: i32, sums: usize): bool {
  const stride = stepBytes(shape), O = outputSizeOf(shape);
  const step = tape + <usize>(equations - 1) * stride, previous: usize = equations > 1 ? step - stride : 0;
  memory.fill(step, 0, <usize>inputSizeOf(shape) << 3);
  if (!stepForward(shape, prepared, step, previous, sums)) return false;
  clearStateDeltas(shape, step, true);
  if (previous) clearStateDeltas(shape, previous, false);
  memory.fill(step + layerTape(shape, layersOf(shape)) + (<usize>O << 3), 0, <usize>O << 3);
  return true;
}

/**
 * Trains one sequence of `steps` steps from zero states: forward, the loss, brain.js's backward,
 * leaving every matrix's deltas as brain.js does (the input matrix's rows only where used). Character
 * nets (inputRows > 0): `inputs` i32 rows [T], `targets` i32 [T], and `equations` 0. Time-step nets:
 * `inputs` f64 [T, I], `targets` f64 [T, O], and `equations` the step records brain.js's net holds
 * (its equations, ≥ T + 1, kept in the tape from call to call): as brain.js's trainArrays, the last
 * record then runs forward on zeros (its `end`) and the backward runs over every record, the ones
 * past the sequence with what earlier, longer sequences (or runs) left in them. Returns the error
 * sum (see the header), or NaN when an activation is not finite.
 */
export function brainTrain(shape: usize, params: usize, prepared: usize, deltas: usize, steps: i32, inputs: usize, targets: usize, tape: usize, equations: i32): f64 {
  const L = layersOf(shape), O = outputSizeOf(shape), I = inputSizeOf(shape);
  const characters = inputRowsOf(shape) > 0;
  const stride = stepBytes(shape), yOff = layerTape(shape, L);
  // brain.js's forward multiply zeroes its matrices' deltas: every weight's (biases are assigned)
  const inputFloats = <usize>inputRowsOf(shape) * <usize>I;
  memory.fill(deltas + (inputFloats << 2), 0, (brainParameterCount(shape) - inputFloats) << 2);
  const records = max(steps, equations), scratch = tape + <usize>max(records, 2) * stride;
  let error: f64 = 0;
  for (let t = 0; t < steps; t++) {
    const step = tape + <usize>t * stride;
    if (characters) stepInput(shape, params, step, load<i32>(inputs + (<usize>t << 2)), 0);
    else stepInput(shape, params, step, 0, inputs + (<usize>t * <usize>I << 3));
    if (!stepForward(shape, prepared, step, t ? step - stride : 0, scratch)) return NaN;
    const y = step + yOff, dy = y + (<usize>O << 3);
    if (characters) {
      error += softmaxLoss(y, dy, O, load<i32>(targets + (<usize>t << 2)));
    } else {
      let sum: f64 = 0;
      for (let k = 0; k < O; k++) {
        const e = load<f64>(y + (<usize>k << 3)) - load<f64>(targets + (<usize>(t * O + k) << 3));
        store<f64>(dy + (<usize>k << 3), r32(e));
        sum += Math.abs(e);
      }
      error += sum;
    }
    clearStateDeltas(shape, step, true);
  }
  if (equations && !endForward(shape, prepared, tape, equations, scratch)) return NaN;
  const xd = scratch + (scratchFloats(shape) << 3), lanes = xd + (<usize>I << 3);
  const out = outputParams(shape) << 2, HL = hiddenOf(shape, L - 1);
  for (let t = records - 1; t >= 0; t--) {
    const step = tape + <usize>t * stride, previous: usize = t ? step - stride : 0;
    const dy = step + yOff + (<usize>O << 3);
    const top = step + layerTape(shape, L - 1), hTop = top + (<usize>(layerRecord(shape, L - 1) - 3 * HL) << 3);
    if (t == 0) for (let k = 0; k < O; k++) store<f32>(deltas + out + (<usize>(O * HL + k) << 2), <f32>load<f64>(dy + (<usize>k << 3)));
    const hs = lanes, hds = lanes + (<usize>HL << 2);
    toLanes(hTop, hs, HL);
    toLanes(hTop + (<usize>HL << 3), hds, HL);
    productBackward(params + out, deltas + out, hs, hds, dy, O, HL);
    fromLanes(hds, hTop + (<usize>HL << 3), HL);
    for (let l = L - 1; l >= 0; l--) {
      let below: usize = 0;
      if (l > 0) {
        const prevLayer = step + layerTape(shape, l - 1);
        below = prevLayer + (<usize>(layerRecord(shape, l - 1) - 2 * hiddenOf(shape, l - 1)) << 3);
      } else if (characters) {
        below = xd;
        memory.fill(xd, 0, <usize>I << 3);
      }
      layerBackward(shape, params, deltas, l, step, previous, below, scratch, lanes);
    }
    if (characters) {
      // rowPluck's backward assigns the row (steps last to first: its first use wins)
      const row = deltas + (<usize>load<i32>(inputs + (<usize>t << 2)) * <usize>I << 2);
      for (let c = 0; c < I; c++) store<f32>(row + (<usize>c << 2), <f32>load<f64>(xd + (<usize>c << 3)));
    }
  }
  return error;
}

/** brain.js's adjustWeights over `n` parameters (see the header); two per float64x2 (IEEE sqrt and
 *  division are exact per lane; pmin/pmax clip as brain.js's comparisons do, NaN kept). */
export function brainUpdate(params: usize, deltas: usize, cache: usize, n: usize, learningRate: f64, decayRate: f64, smoothEps: f64, regc: f64, clipval: f64): void {
  const decay = f64x2.splat(decayRate), keep = f64x2.splat(1 - decayRate), eps = f64x2.splat(smoothEps);
  const rate = f64x2.splat(-learningRate), decayW = f64x2.splat(regc), hi = f64x2.splat(clipval), lo = f64x2.splat(-clipval);
  let i: usize = 0;
  for (; i + 2 <= n; i += 2) {
    const o = i << 2;
    const r = f64x2.promote_low_f32x4(v128.load64_zero(deltas + o)), w = f64x2.promote_low_f32x4(v128.load64_zero(params + o));
    const c = r32x2(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(cache + o)), decay), f64x2.mul(f64x2.mul(keep, r), r)));
    v128.store64_lane(cache + o, f32x4.demote_f64x2_zero(c), 0);
    const clipped = f64x2.pmax(f64x2.pmin(r, hi), lo);
    const step = f64x2.div(f64x2.mul(rate, clipped), f64x2.sqrt(f64x2.add(c, eps)));
    v128.store64_lane(params + o, f32x4.demote_f64x2_zero(f64x2.sub(f64x2.add(w, step), f64x2.mul(decayW, w))), 0);
  }
  for (; i < n; i++) {
    const o = i << 2;
    let r = <f64>load<f32>(deltas + o);
    const w = <f64>load<f32>(params + o);
    const c = r32(<f64>load<f32>(cache + o) * decayRate + (1 - decayRate) * r * r);
    store<f32>(cache + o, <f32>c);
    if (r > clipval) r = clipval;
    if (r < -clipval) r = -clipval;
    store<f32>(params + o, <f32>(w + (-learningRate * r) / Math.sqrt(c + smoothEps) - regc * w));
  }
}

// ---------------------------------------------------------------- running

/**
 * A character net's run from step `from` (0: zero states; else the states the previous call left in
 * the tape's two records): step i feeds row 0 (i = 0), given[i − 1] (the input's rows, i < count),
 * else out[i − 1]; writes its choice to out[i]: the last of the largest probabilities, or with
 * `sample` the first index whose running sum of probabilities (of y / temperature) passes `random`
 * (the last index if none). Stops after the end token (0), at `limit` steps, or, sampling, after one
 * step (the caller draws the next random number). Returns the steps done, or −1 when an activation
 * is not finite.
 */
export function brainRunCharacters(shape: usize, params: usize, prepared: usize, tape: usize, given: usize, count: i32, out: usize, from: i32, limit: i32, sample: i32, random: f64, temperature: f64): i32 {
  const O = outputSizeOf(shape), stride = stepBytes(shape), yOff = layerTape(shape, layersOf(shape));
  let i = from;
  while (true) {
    const step = tape + <usize>(i & 1) * stride;
    const row = i == 0 ? 0 : i < count ? load<i32>(given + (<usize>(i - 1) << 2)) : load<i32>(out + (<usize>(i - 1) << 2));
    stepInput(shape, params, step, row, 0);
    if (!stepForward(shape, prepared, step, i ? tape + <usize>((i - 1) & 1) * stride : 0, tape + 2 * stride)) return -1;
    const y = step + yOff, p = y + (<usize>O << 3);
    if (sample && temperature != 1) for (let k = 0; k < O; k++) store<f64>(y + (<usize>k << 3), r32(load<f64>(y + (<usize>k << 3)) / temperature));
    softmax(y, p, O);
    let next = O - 1;
    if (sample) {
      let sum: f64 = 0;
      for (let k = 0; k < O; k++) {
        sum += load<f64>(p + (<usize>k << 3));
        if (sum > random) { next = k; break; }
      }
    } else {
      let best = load<f64>(p);
      next = 0;
      for (let k = 1; k < O; k++) {
        const v = load<f64>(p + (<usize>k << 3));
        if (v < best) continue;
        next = k;
        best = v;
      }
    }
    store<i32>(out + (<usize>i << 2), next);
    i++;
    if (next == 0 || i >= limit || sample) return i;
  }
}

/**
 * A time-step net's forecast: `steps` inputs (f64 [steps, I]) from zero states, then count − 1 more
 * steps each fed the previous output; writes the output after the inputs and each later one to
 * `outputs` (f32 [max(count, 1), O]). The steps run in the tape's records as brain.js's equations
 * (their deltas zeroed), then its `end` on record equations − 1 (equations > the steps run). Returns
 * 0, or −1 when an activation is not finite.
 */
export function brainForecast(shape: usize, params: usize, prepared: usize, tape: usize, inputs: usize, steps: i32, count: i32, outputs: usize, equations: i32): i32 {
  const I = inputSizeOf(shape), O = outputSizeOf(shape), stride = stepBytes(shape), yOff = layerTape(shape, layersOf(shape));
  const total = steps + max(count, 1) - 1, scratch = tape + <usize>max(equations, 2) * stride;
  for (let t = 0; t < total; t++) {
    const step = tape + <usize>t * stride, previous: usize = t ? step - stride : 0;
    stepInput(shape, params, step, 0, t < steps ? inputs + (<usize>t * <usize>I << 3) : previous + yOff);
    if (!stepForward(shape, prepared, step, previous, scratch)) return -1;
    clearStateDeltas(shape, step, true);
    memory.fill(step + yOff + (<usize>O << 3), 0, <usize>O << 3);
    if (t >= steps - 1) {
      const dst = outputs + (<usize>(t - steps + 1) * <usize>O << 2);
      for (let k = 0; k < O; k++) store<f32>(dst + (<usize>k << 2), <f32>load<f64>(step + yOff + (<usize>k << 3)));
    }
  }
  return endForward(shape, prepared, tape, equations, scratch) ? 0 : -1;
}
