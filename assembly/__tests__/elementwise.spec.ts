// elementwise.ts against the naive references: unary ops for accuracy against float64 over dense
// sweeps, every float32 binade and the extremes (±0, ±denormals, ±Inf, NaN, ±max); binary broadcasting
// (scalar, row, column, middle axis, rank 5 and 6, transposed operands, y = a); reductions over the
// first, middle and last axis; affine, layer norm, strided copies and pads. One table per kernel,
// one line per case; a sentinel guard after every output.

import { unary, binary, reduce, channelAffine, layerNorm, copyStrided, pad } from "../elementwise";
import { unary64, unaryNaive, binaryNaive, reduceNaive, channelAffineNaive, layerNormNaive, copyStridedNaive,
         padNaive } from "../reference/elementwise";
import { floats, guardIntact, randomFill, maxDiff } from "./helpers.include";

function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

function i32s(v: i32[]): usize {
  let p = heap.alloc(<usize>v.length << 2);
  for (let i = 0; i < v.length; i++) store<i32>(at(p, i), v[i]);
  return p;
}

/** Spacing of float32 at |v| (the ulp of a result of that size). */
function ulp(v: f64): f64 {
  let a = <f32>Math.abs(v);
  if (!isFinite(a)) return 2.028240960365167e31; // 2^104, the ulp of FLT_MAX
  let next = reinterpret<f32>(reinterpret<u32>(a) + 1);
  return isFinite(next) ? <f64>next - <f64>a : 2.028240960365167e31;
}

/** Largest |a − b| relative to max(|b|, floor), NaN only where both are NaN (else Infinity). */
function maxRelDiff(a: usize, b: usize, n: i32, floor: f64): f64 {
  let worst: f64 = 0;
  for (let i = 0; i < n; i++) {
    let u = <f64>load<f32>(at(a, i)), v = <f64>load<f32>(at(b, i));
    if (isNaN(u) || isNaN(v)) { if (isNaN(u) != isNaN(v)) return Infinity; continue; }
    if (u == v) continue;
    worst = Math.max(worst, Math.abs(u - v) / Math.max(Math.abs(v), floor));
  }
  return worst;
}

/** Same bits in n 4-byte elements. */
function sameBits(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<i32>(at(a, i)) != load<i32>(at(b, i))) return false;
  return true;
}

// ---- unary: accuracy against float64 --------------------------------------------------------------

/** The extremes every op sees. */
const SPECIALS: f32[] = [
  0, -0.0, 1.4e-45, -1.4e-45, 1e-40, -1e-40, 1.17549435e-38, -1.17549435e-38, 1e-30, -1e-30, 1e-7, -1e-7,
  0.5, -0.5, 1, -1, 2.5, -2.5, 3.5, -3.5, 88.5, 88.8, -87.5, -103, -104, 1e10, -1e10,
  3.40282347e38, -3.40282347e38, Infinity, -Infinity, NaN,
];

/** Inputs for op sweeps: `dense` evenly spaced over [lo, hi], then 8 mantissas × every exponent ×
 *  both signs (the whole float range, denormals included), then SPECIALS. Returns the count. */
function sweep(x: usize, dense: i32, lo: f64, hi: f64): i32 {
  let n = 0;
  for (let i = 0; i < dense; i++) store<f32>(at(x, n++), <f32>(lo + (hi - lo) * <f64>i / <f64>(dense - 1)));
  const mantissas: u32[] = [0, 1, 0x123456, 0x3504f3, 0x400000, 0x555555, 0x7ffffe, 0x7fffff];
  for (let e: u32 = 0; e < 255; e++)
    for (let m = 0; m < 8; m++)
      for (let s: u32 = 0; s < 2; s++) store<u32>(at(x, n++), (s << 31) | (e << 23) | mantissas[m]);
  for (let i = 0; i < SPECIALS.length; i++) store<f32>(at(x, n++), SPECIALS[i]);
  return n;
}
const SWEEP_MAX = 100001 + 255 * 16 + 64;

/** Worst errors of unary(op) against float64 on its float32 inputs: [max abs over finite results,
 *  max ulp over normal results, count of points outside the bound]. A point is inside when NaN
 *  matches NaN, an infinite (or overflowing) result is exact, or err ≤ max(ulps·ulp, abs, rel·|ref|). */
function accuracy(op: i32, alpha: f32, beta: f32, lo: f64, hi: f64, ulps: f64, abs: f64, rel: f64): f64[] {
  let x = floats(SWEEP_MAX);
  let n = sweep(x, 100001, lo, hi);
  let y = floats(n);
  unary(op, n, x, y, alpha, beta);
  let worstAbs: f64 = 0, worstUlp: f64 = 0, bad: f64 = 0;
  for (let i = 0; i < n; i++) {
    let xi = <f64>load<f32>(at(x, i)), got = <f64>load<f32>(at(y, i));
    let ref = unary64(op, xi, alpha, beta);
    if (isNaN(ref) || isNaN(got)) { if (isNaN(ref) != isNaN(got)) bad++; continue; }
    let r32 = <f64><f32>ref;
    if (!isFinite(r32) || !isFinite(got)) { if (got != r32) bad++; continue; }
    let err = Math.abs(got - ref);
    worstAbs = Math.max(worstAbs, err);
    if (Math.abs(ref) >= 1.17549435e-38) worstUlp = Math.max(worstUlp, err / ulp(ref));
    if (err > Math.max(ulps * ulp(ref), Math.max(abs, rel * Math.abs(ref)))) bad++;
  }
  expect(guardIntact(y, n)).toBe(true, "no write past y");
  heap.free(x); heap.free(y);
  return [worstAbs, worstUlp, bad];
}

// op, alpha, beta, dense range lo, hi, bound: ulps, absolute, relative (any one suffices)
const UNARY: f64[][] = [
  [1, 0, 0, -10, 10, 0.5, 0, 0],         // relu
  [2, 0, 0, -30, 30, 0, 2e-7, 0],        // sigmoid (activations.ts bound)
  [3, 0, 0, -12, 12, 0, 3.5e-7, 3e-7],   // tanh (activations.ts bounds)
  [4, 0, 0, -110, 90, 0, 3e-45, 4e-7],   // exp: relative, denormal results to their spacing
  [5, 0, 0, 0, 4, 1, 0, 0],              // log
  [6, 0, 0, 0, 100, 0.5, 0, 0],          // sqrt
  [7, 0, 0, -5, 5, 0, 0, 0],             // abs
  [8, 0, 0, -5, 5, 0, 0, 0],             // neg
  [9, 0, 0, -5, 5, 0.5, 0, 0],           // reciprocal
  [10, 0, 0, -5, 5, 2, 2e-7, 0],         // erf
  [11, 0, 0, -40, 40, 2, 2e-7, 0],       // softplus
  [12, 0.2, 0.5, -5, 5, 0.501, 0, 0],   // hard sigmoid (float64, rounded twice)
  [13, 0.01, 0, -5, 5, 0.5, 0, 0],       // leaky relu
  [14, -1.5, 2.25, -5, 5, 0, 0, 0],      // clip
  [15, 0, 0, -5, 5, 0.5, 0, 0],          // square
  [16, 2, 0, -5, 5, 0.5, 0, 0],          // pow 2
  [16, 0.5, 0, 0, 9, 0.5, 0, 0],         // pow 0.5 (sqrt)
  [16, 3, 0, -5, 5, 0.501, 0, 0],        // pow 3 (float64, rounded twice)
  [16, -1, 0, -5, 5, 0.5, 0, 0],         // pow −1
  [16, 1, 0, -5, 5, 0, 0, 0],            // pow 1
  [16, 0, 0, -5, 5, 0, 0, 0],            // pow 0
  [16, 2.5, 0, 0, 20, 1, 0, 0],          // pow 2.5 (Mathf.pow)
  [16, -0.7, 0, 0, 20, 1, 0, 0],         // pow −0.7
  [17, 0.75, -1.25, -5, 5, 0.501, 0, 0], // affine (float64, rounded twice)
  [18, 0, 0, -5, 5, 0, 0, 0],            // floor
  [19, 0, 0, -5, 5, 0, 0, 0],            // ceil
  [20, 0, 0, -5, 5, 0, 0, 0],            // round half to even (the dense sweep hits halves)
  [21, 0, 0, -5, 5, 0, 0, 0],            // sign
];

describe("unary", () => {
  it("every UNARY op within its bound of float64 over the whole float range", () => {
    for (let i = 0; i < UNARY.length; i++) {
      let c = UNARY[i];
      let r = accuracy(<i32>c[0], <f32>c[1], <f32>c[2], c[3], c[4], c[5], c[6], c[7]);
      expect(r[2]).toBe(0, "unary op " + c[0].toString() + " (alpha " + c[1].toString() + "): points outside the bound");
    }
  });

  it("log, erf, softplus, pow: the bounds stated in elementwise.ts's header", () => {
    let log = accuracy(5, 0, 0, 0, 4, 1, 0, 0);
    expect(log[1]).toBeLessThanOrEqual(0.8, "log ulp");
    let erf = accuracy(10, 0, 0, -5, 5, 2, 2e-7, 0);
    expect(erf[0]).toBeLessThanOrEqual(8.2e-8, "erf absolute");
    expect(erf[1]).toBeLessThanOrEqual(1.37, "erf ulp");
    let softplus = accuracy(11, 0, 0, -40, 40, 2, 2e-7, 0);
    expect(softplus[1]).toBeLessThanOrEqual(1.97, "softplus ulp");
    let pows: f32[] = [2.5, -0.7, 0.33333334, 3, 0.5, 2, -1];
    for (let i = 0; i < pows.length; i++) {
      let pow = accuracy(16, pows[i], 0, 0, 20, 1, 0, 0);
      expect(pow[1]).toBeLessThanOrEqual(0.51, "pow ulp, exponent " + pows[i].toString());
    }
  });

  it("edge values: log, sqrt, pow 0.5, clip, sign", () => {
    let x = floats(6), y = floats(6);
    store<f32>(x, 0); store<f32>(x, -0.0, 4); store<f32>(x, -1, 8); store<f32>(x, Infinity, 12);
    store<f32>(x, NaN, 16); store<f32>(x, -Infinity, 20);
    unary(5, 6, x, y, 0, 0);
    expect(load<f32>(y)).toBe(-Infinity); expect(load<f32>(y, 4)).toBe(-Infinity);
    expect(isNaN(load<f32>(y, 8))).toBe(true); expect(load<f32>(y, 12)).toBe(Infinity);
    expect(isNaN(load<f32>(y, 16))).toBe(true); expect(isNaN(load<f32>(y, 20))).toBe(true);
    unary(16, 6, x, y, 0.5, 0); // powf(−0, 0.5) = +0, powf(−Inf, 0.5) = +Inf
    expect(reinterpret<u32>(load<f32>(y, 4))).toBe(0); expect(load<f32>(y, 20)).toBe(Infinity);
    unary(14, 6, x, y, -0.5, 0.5); // clip keeps NaN
    expect(isNaN(load<f32>(y, 16))).toBe(true); expect(load<f32>(y, 8)).toBe(-0.5); expect(load<f32>(y, 12)).toBe(0.5);
    expect(guardIntact(y, 6)).toBe(true);
  });

  it("in place (y = x) and odd lengths", () => {
    let sizes: i32[] = [1, 3, 4, 15, 16, 17, 35];
    for (let s = 0; s < sizes.length; s++) {
      let n = sizes[s];
      let x = floats(n), r = floats(n);
      randomFill(x, n);
      unaryNaive(10, n, x, r, 0, 0);
      unary(10, n, x, x, 0, 0);
      expect(maxDiff(x, r, n)).toBeLessThan(<f32>2e-7);
      expect(guardIntact(x, n)).toBe(true);
    }
  });
});

// ---- binary ----------------------------------------------------------------------------------------
// rank, a's axes (bit k: a has axis k, else broadcast), b's axes, a stored transposed (axes reversed),
// dims[rank]
const BINARY: i32[][] = [
  [2, 0b11, 0b00, 0, 7, 13],              // scalar b
  [2, 0b00, 0b11, 0, 7, 13],              // scalar a
  [2, 0b11, 0b10, 0, 5, 33],              // row
  [2, 0b11, 0b01, 0, 5, 33],              // column
  [3, 0b111, 0b010, 0, 3, 8, 17],         // middle axis
  [2, 0b11, 0b11, 0, 4, 37],              // same shape
  [2, 0b10, 0b11, 0, 6, 19],              // a is the row
  [3, 0b111, 0b111, 1, 5, 4, 9],          // a transposed (strided odometer)
  [3, 0b101, 0b010, 0, 6, 7, 3],          // outer product of two broadcasts
  [5, 0b11111, 0b10101, 0, 2, 3, 4, 5, 6],  // rank 5
  [6, 0b111111, 0b100110, 0, 2, 1, 3, 2, 5, 7], // rank 6 with a size-1 axis
  [6, 0b101101, 0b011011, 1, 2, 3, 2, 3, 2, 3], // rank 6, both broadcast, a transposed
  [1, 0b1, 0b1, 0, 3],                    // tiny
  [4, 0b1111, 0b0001, 0, 3, 2, 2, 2],     // b over the first axis only
];

/** Element strides of an operand with the given axes (contiguous over its own shape, or reversed). */
function stridesOf(rank: i32, dims: i32[], mask: i32, transposed: bool, out: i32[]): void {
  let s = 1;
  for (let j = 0; j < rank; j++) {
    let k = transposed ? j : rank - 1 - j;
    let has = (mask >> k) & 1;
    out[k] = has ? s : 0;
    if (has) s *= dims[k];
  }
}

function checkBinary(c: i32[], op: i32): void {
  let rank = c[0], dims = c.slice(4, 4 + rank), total = 1, aSize = 1, bSize = 1;
  for (let k = 0; k < rank; k++) {
    total *= dims[k];
    if ((c[1] >> k) & 1) aSize *= dims[k];
    if ((c[2] >> k) & 1) bSize *= dims[k];
  }
  let as = new Array<i32>(rank), bs = new Array<i32>(rank);
  stridesOf(rank, dims, c[1], c[3] != 0, as);
  stridesOf(rank, dims, c[2], false, bs);
  let desc = i32s([rank].concat(dims).concat(as).concat(bs));
  let a = floats(aSize), b = floats(bSize), y = floats(total), ref = floats(total);
  randomFill(a, aSize); randomFill(b, bSize);
  if (op == 4) for (let i = 0; i < aSize; i++) store<f32>(at(a, i), load<f32>(at(a, i)) * 8 + 4.5); // pow: mostly positive bases
  binary(op, desc, a, b, y);
  binaryNaive(op, desc, a, b, ref);
  let tol: f64 = op == 4 ? 1.2e-7 : 6e-8; // pow: powf ≤ 1 ulp; the others round once
  expect(maxRelDiff(y, ref, total, 1e-30)).toBeLessThanOrEqual(tol, "binary op " + op.toString() + " rank " + rank.toString());
  expect(guardIntact(y, total)).toBe(true, "no write past y");
  heap.free(a); heap.free(b); heap.free(y); heap.free(ref); heap.free(desc);
}

describe("binary", () => {
  it("every BINARY case × every op", () => {
    for (let i = 0; i < BINARY.length; i++) for (let op = 0; op <= 8; op++) checkBinary(BINARY[i], op);
  });

  it("y = a with a broadcast b, and pow by a scalar exponent", () => {
    let desc = i32s([2, 6, 21, 21, 1, 0, 1]);
    let a = floats(126), b = floats(21), ref = floats(126);
    randomFill(a, 126); randomFill(b, 21);
    binaryNaive(2, desc, a, b, ref);
    binary(2, desc, a, b, a);
    expect(maxDiff(a, ref, 126)).toBe(0);
    expect(guardIntact(a, 126)).toBe(true);
    let scalar = i32s([2, 6, 21, 21, 1, 0, 0]);
    let e = floats(1);
    let exps: f32[] = [2, 0.5, 3, -1, 1.7];
    for (let i = 0; i < exps.length; i++) {
      store<f32>(e, exps[i]);
      let y = floats(126);
      binary(4, scalar, a, e, y);
      binaryNaive(4, scalar, a, e, ref);
      expect(maxRelDiff(y, ref, 126, 1e-30)).toBeLessThanOrEqual(1.2e-7, "pow by " + exps[i].toString());
      expect(guardIntact(y, 126)).toBe(true);
    }
  });
});

// ---- reduce: outer, n, inner (every op on each) ----------------------------------------------------
const REDUCE: i32[][] = [
  [3, 7, 5],    // middle axis, inner 5 (one vector + overlapping tail)
  [2, 9, 16],   // middle axis, four vectors
  [2, 5, 23],   // 16 + 4 + overlap
  [6, 33, 1],   // last axis (across n)
  [1, 100, 1],  // last axis, long
  [1, 6, 40],   // first axis
  [4, 5, 3],    // inner 3: scalar
  [3, 4, 2],    // inner 2: scalar
  [2, 0, 5],    // n = 0
  [3, 0, 1],    // n = 0 across n
  [2, 1, 7],    // n = 1
];

function checkReduce(c: i32[], op: i32): void {
  let outer = c[0], n = c[1], inner = c[2];
  let x = floats(outer * n * inner + 1), y = floats(outer * inner), ref = floats(outer * inner);
  randomFill(x, outer * n * inner);
  if (op == 7) for (let i = 0; i < outer * n * inner; i++) store<f32>(at(x, i), load<f32>(at(x, i)) + 1); // products near 1
  reduce(op, outer, n, inner, x, y);
  reduceNaive(op, outer, n, inner, x, ref);
  expect(maxRelDiff(y, ref, outer * inner, 1)).toBeLessThan(1e-7 * <f64>(n + 10), "reduce op " + op.toString() + " " + outer.toString() + "×" + n.toString() + "×" + inner.toString());
  expect(guardIntact(y, outer * inner)).toBe(true, "no write past y");
  heap.free(x); heap.free(y); heap.free(ref);
}

describe("reduce", () => {
  it("every REDUCE case × every op", () => {
    for (let i = 0; i < REDUCE.length; i++) for (let op = 0; op <= 7; op++) checkReduce(REDUCE[i], op);
  });

  it("n = 0 identities, NaN through max, log-sum-exp of −Inf and +Inf", () => {
    let y = floats(8);
    for (let op = 0; op < 8; op++) reduce(op, 1, 0, 1, 0, at(y, op));
    expect(load<f32>(y)).toBe(0); expect(isNaN(load<f32>(y, 4))).toBe(true);
    expect(load<f32>(y, 8)).toBe(-Infinity); expect(load<f32>(y, 12)).toBe(Infinity);
    expect(load<f32>(y, 16)).toBe(0); expect(load<f32>(y, 20)).toBe(0);
    expect(load<f32>(y, 24)).toBe(-Infinity); expect(load<f32>(y, 28)).toBe(1);
    expect(guardIntact(y, 8)).toBe(true);
    let x = floats(20);
    for (let i = 0; i < 20; i++) store<f32>(at(x, i), -Infinity);
    reduce(6, 1, 20, 1, x, y);
    expect(load<f32>(y)).toBe(-Infinity);
    reduce(6, 1, 5, 4, x, y);
    expect(load<f32>(y, 12)).toBe(-Infinity);
    store<f32>(at(x, 7), Infinity);
    reduce(6, 1, 20, 1, x, y);
    expect(load<f32>(y)).toBe(Infinity);
    store<f32>(at(x, 9), NaN);
    reduce(2, 1, 20, 1, x, y);
    expect(isNaN(load<f32>(y))).toBe(true);
    reduce(2, 1, 5, 4, x, y); // element 9 is column 1 of 4
    expect(isNaN(load<f32>(y, 4))).toBe(true);
    expect(load<f32>(y)).toBe(-Infinity);
    expect(load<f32>(y, 12)).toBe(Infinity);
  });
});

// ---- channelAffine: batch, C, inner, in place -------------------------------------------------------
const AFFINE: i32[][] = [[2, 3, 37, 0], [3, 17, 1, 0], [1, 4, 2, 1], [2, 5, 16, 1], [1, 1, 1, 0]];

describe("channelAffine", () => {
  it("every AFFINE case", () => {
    for (let i = 0; i < AFFINE.length; i++) {
      let c = AFFINE[i], batch = c[0], C = c[1], inner = c[2], n = batch * C * inner;
      let x = floats(n), s = floats(C), t = floats(C), ref = floats(n);
      randomFill(x, n); randomFill(s, C); randomFill(t, C);
      channelAffineNaive(batch, C, inner, x, s, t, ref);
      let y = c[3] ? x : floats(n);
      channelAffine(batch, C, inner, x, s, t, y);
      expect(maxDiff(y, ref, n)).toBeLessThan(<f32>1e-7);
      expect(guardIntact(y, n)).toBe(true);
    }
  });
});

// ---- layerNorm: rows, cols, bias, statistics wanted, in place ---------------------------------------
const LAYER_NORM: i32[][] = [[3, 64, 1, 1, 0], [5, 13, 0, 0, 0], [1, 1, 1, 1, 0], [2, 100, 1, 0, 1], [4, 3, 0, 1, 1]];

describe("layerNorm", () => {
  it("every LAYER_NORM case", () => {
    for (let i = 0; i < LAYER_NORM.length; i++) {
      let c = LAYER_NORM[i], rows = c[0], cols = c[1], n = rows * cols;
      let x = floats(n), scale = floats(cols), bias = floats(cols), ref = floats(n);
      randomFill(x, n); randomFill(scale, cols); randomFill(bias, cols);
      let b = c[2] ? bias : 0;
      let mean = c[3] ? floats(rows) : 0, inv = c[3] ? floats(rows) : 0;
      let meanRef = floats(rows), invRef = floats(rows);
      layerNormNaive(rows, cols, x, scale, b, 1e-5, ref, meanRef, invRef);
      let y = c[4] ? x : floats(n);
      layerNorm(rows, cols, x, scale, b, 1e-5, y, mean, inv);
      expect(maxDiff(y, ref, n)).toBeLessThan(<f32>2e-6, "layerNorm y");
      expect(guardIntact(y, n)).toBe(true);
      if (c[3]) {
        expect(maxDiff(mean, meanRef, rows)).toBeLessThan(<f32>1e-7, "mean");
        expect(maxRelDiff(inv, invRef, rows, 1)).toBeLessThan(1e-6, "invStd");
        expect(guardIntact(mean, rows)).toBe(true); expect(guardIntact(inv, rows)).toBe(true);
      }
    }
  });
});

// ---- copyStrided: rank, x offset, y offset, x size, y size, dims[rank], xStrides[rank], yStrides[rank]
const COPY: i32[][] = [
  [2, 0, 0, 35, 35, 5, 7, 1, 5, 7, 1],                        // transpose [7,5] → [5,7], in y order
  [2, 0, 0, 35, 35, 5, 7, 7, 1, 1, 5],                        // the same in x order
  [3, 0, 0, 234, 234, 2, 13, 9, 117, 1, 13, 117, 9, 1],       // perm (0,2,1) of [2,9,13]
  [3, 0, 0, 234, 234, 13, 2, 9, 1, 117, 13, 18, 9, 1],        // perm (2,0,1) of [2,9,13]
  [4, 0, 0, 120, 120, 2, 4, 3, 5, 60, 5, 20, 1, 60, 15, 5, 1], // perm (0,2,1,3) of [2,3,4,5]: runs of 5
  [2, 25, 0, 120, 30, 3, 10, 24, 1, 10, 1],                   // slice rows 2:7:2, cols 1:11 of [10,12]
  [2, 0, 0, 5, 20, 4, 5, 0, 1, 5, 1],                         // expand [1,5] → [4,5]
  [2, 0, 0, 6, 54, 6, 9, 1, 0, 9, 1],                         // expand [6,1] → [6,9]: fill
  [4, 0, 0, 12, 72, 2, 3, 3, 4, 0, 4, 0, 1, 36, 12, 4, 1],    // tile [3,4] by (2,3)
  [2, 0, 2, 15, 27, 3, 5, 5, 1, 9, 1],                        // concat part: columns 2..7 of [3,9]
  [2, 0, 0, 40, 160, 40, 4, 1, 0, 4, 1],                      // expand [40,1] → [40,4]
  [8, 0, 0, 256, 256, 2, 2, 2, 2, 2, 2, 2, 2, 1, 128, 2, 64, 4, 32, 8, 16, 128, 64, 32, 16, 8, 4, 2, 1], // rank 8 shuffle
  [2, 0, 0, 2000, 2000, 40, 50, 1, 40, 50, 1],                // transpose [50,40] → [40,50] (4×4 blocks)
  [3, 0, 0, 4096, 4096, 8, 64, 8, 64, 1, 512, 512, 8, 1],    // [8,64,8] → [8,8,64]-like shuffle (4×4 blocks)
  [3, 0, 0, 4096, 4096, 64, 8, 8, 8, 512, 1, 64, 8, 1],      // swap the first two axes of [8,64,8]: runs of 8
];

describe("copyStrided", () => {
  it("every COPY case, bit for bit, nothing else in y touched", () => {
    for (let i = 0; i < COPY.length; i++) {
      let c = COPY[i], rank = c[0], xSize = c[3], ySize = c[4];
      let desc = i32s([rank].concat(c.slice(5)));
      let x = floats(xSize), y = floats(ySize), ref = floats(ySize);
      randomFill(x, xSize);
      for (let j = 0; j < ySize; j++) { store<f32>(at(y, j), -7); store<f32>(at(ref, j), -7); }
      copyStrided(desc, at(x, c[1]), at(y, c[2]));
      copyStridedNaive(desc, at(x, c[1]), at(ref, c[2]));
      expect(sameBits(y, ref, ySize)).toBe(true, "copyStrided case " + i.toString());
      expect(guardIntact(y, ySize)).toBe(true, "no write past y");
    }
  });
});

// ---- pad: rank, inDims[rank], before[rank], after[rank] (every mode on each) ------------------------
const PAD: i32[][] = [
  [1, 10, 3, 4],
  [1, 3, 7, 5],                           // pads longer than the input (reflect and wrap repeat)
  [1, 576, 0, 64],                        // Silero's reflect pad of the frame
  [2, 4, 5, 1, 2, 2, 1],
  [2, 6, 7, -1, 2, 1, -3],                // negative pads crop
  [3, 2, 3, 4, 0, 1, 2, 1, 0, -1],
  [4, 1, 2, 3, 5, 0, 0, 2, 0, 0, 0, 1, 0], // pads on one middle axis
  [3, 2, 1, 9, 1, 2, 0, 0, 1, 3],         // a size-1 axis padded (reflect repeats its element)
  [2, 5, 40, -2, -3, -1, 7],              // crop on both ends of the first axis
];

describe("pad", () => {
  it("every PAD case × every mode, bit for bit", () => {
    for (let i = 0; i < PAD.length; i++) {
      let c = PAD[i], rank = c[0];
      let inSize = 1, outSize = 1;
      for (let k = 0; k < rank; k++) { inSize *= c[1 + k]; outSize *= c[1 + k] + c[1 + rank + k] + c[1 + 2 * rank + k]; }
      let desc = i32s(c);
      for (let mode = 0; mode < 4; mode++) {
        let x = floats(inSize), y = floats(outSize), ref = floats(outSize);
        randomFill(x, inSize);
        pad(desc, x, y, mode, 2.5);
        padNaive(desc, x, ref, mode, 2.5);
        expect(sameBits(y, ref, outSize)).toBe(true, "pad case " + i.toString() + " mode " + mode.toString());
        expect(guardIntact(y, outSize)).toBe(true, "no write past y");
        heap.free(x); heap.free(y); heap.free(ref);
      }
    }
  });
});
