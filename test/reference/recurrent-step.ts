// One step of one sequence of a recurrent cell in float64, what every cell's reference is built from:
// the step's interface (forward; backward from ∂L/∂(next state)), the affine product and its backward,
// and the reset-before candidate the GRU and the MGU share. Plain loops over plain arrays, no wasm.
//
// Legend: I input, H hidden, P output (projSize, else H), G gates; a weight [G·H, K] maps v [K] to
// W v [G·H], rows r0… of it one gate block.

// ---- vector helpers ------------------------------------------------------------------------------

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** W[r0 : r0+rows, :] v (+ b[r0 : r0+rows]) for W [*, K], v [K]. */
export function affine(W: ArrayLike<number>, b: ArrayLike<number> | null, r0: number, rows: number, K: number, v: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = b ? b[r0 + r] : 0;
    for (let k = 0; k < K; k++) s += W[(r0 + r) * K + k] * v[k];
    y[r] = s;
  }
  return y;
}

/** The backward of affine: dW[r0 : r0+rows, :] += dy vᵀ, db[r0 : r0+rows] += dy, dv += W[r0 : r0+rows, :]ᵀ dy. */
export function affineBackward(W: ArrayLike<number>, dW: Float64Array, db: Float64Array | null, r0: number, rows: number, K: number,
  v: ArrayLike<number>, dy: ArrayLike<number>, dv: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    if (db) db[r0 + r] += dy[r];
    for (let k = 0; k < K; k++) {
      dW[(r0 + r) * K + k] += dy[r] * v[k];
      dv[k] += W[(r0 + r) * K + k] * dy[r];
    }
  }
}

/** a += b element-wise; returns a. */
export function add(a: Float64Array, b: ArrayLike<number>): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

// ---- one step ------------------------------------------------------------------------------------

export interface CellWeights {
  wIh: ArrayLike<number>; // [G·H, I]
  wHh: ArrayLike<number>; // [G·H, P]
  bIh: ArrayLike<number> | null; // [G·H]
  bHh: ArrayLike<number> | null; // [G·H]
  wHr: ArrayLike<number> | null; // [P, H]
  wPh: ArrayLike<number> | null; // [3·H], peepholes i f o
  /** A vector as the products read it: itself, or sevenBit for a quantized layer. */
  operand: (v: ArrayLike<number>) => ArrayLike<number>;
}

export interface CellGradients {
  wIh: Float64Array;
  wHh: Float64Array;
  bIh: Float64Array | null;
  bHh: Float64Array | null;
  wHr: Float64Array | null;
  wPh: Float64Array | null;
}

/** The state carried from step to step: h [P], and c [H] for an LSTM. */
export interface CellState {
  h: Float64Array;
  c: Float64Array | null;
}

/** Sizes a cell step needs. */
export interface CellSizes {
  I: number;
  H: number;
  P: number;
}

/** One step of one sequence, forward and backward. `backward` gets ∂L/∂(next state), adds to the
 *  parameter gradients and to dx [I], and returns ∂L/∂(state before the step). */
export interface Cell<Cache> {
  forward(w: CellWeights, n: CellSizes, x: Float64Array, s: CellState): { next: CellState; cache: Cache };
  backward(w: CellWeights, g: CellGradients, n: CellSizes, x: Float64Array, s: CellState, cache: Cache, dNext: CellState, dx: Float64Array): CellState;
}

// ---- the reset-before candidate: GRU (gate r, resetAfter false) and MGU (gate f) -------------------
// n = tanh(pre + W_hn (r⊙h) + b_hn), W_hn the H rows of W_hh from `row`, pre the x side W_in x + b_in

/** The candidate n and r⊙h (what ∂W_hn needs). */
export function resetBeforeCandidate(w: CellWeights, H: number, row: number, pre: ArrayLike<number>, r: ArrayLike<number>,
  h: ArrayLike<number>): { n: Float64Array; rh: Float64Array } {
  const rh = Float64Array.from({ length: H }, (_, j) => r[j] * h[j]);
  const hidden = affine(w.wHh, w.bHh, row, H, H, w.operand(rh));
  return { n: hidden.map((v, j) => Math.tanh(pre[j] + v)), rh };
}

/** Its backward from dPn = ∂L/∂(n's pre-activation): ∂W_hn, ∂b_hn, r⊙∂(r⊙h) into dh; returns ∂L/∂r. */
export function resetBeforeCandidateBackward(w: CellWeights, g: CellGradients, H: number, row: number, rh: ArrayLike<number>,
  dPn: ArrayLike<number>, r: ArrayLike<number>, h: ArrayLike<number>, dh: Float64Array): Float64Array {
  const dRh = new Float64Array(H);
  affineBackward(w.wHh, g.wHh, g.bHh, row, H, H, rh, dPn, dRh);
  for (let j = 0; j < H; j++) dh[j] += dRh[j] * r[j];
  return dRh.map((d, j) => d * h[j]);
}
