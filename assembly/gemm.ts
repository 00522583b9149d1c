// Single-precision matrix multiply: C[M×N] (+)= A[M×K] · B[K×N], blocked for cache and register-tiled
// for SIMD (GotoBLAS/BLIS structure). Owns packing, the micro-kernels and the batch-1 GEMV; knows
// nothing about recurrent cells. Holds no static data: all scratch comes from the `work` pointer.
//
// Legend: M rows of C, N columns of C, K inner dimension; MR×NR register tile; MC×KC block of A and
// KC×NC block of B kept in cache. Operands are addressed by element strides, so transposed operands
// need no copies: A(i,k) = A[i·rsA + k·csA], B(k,j) = B[k·rsB + j·csB]. For C = X·Wᵀ with W [N×K]
// row-major pass rsB = 1, csB = K.
//
// Packed B ("panels"): NR columns at a time, each panel K rows × NR floats (row k of the panel is
// NR consecutive floats), the last panel zero-padded. Weights are packed once (packB) and reused by
// sgemmPacked at every time step; sgemm packs its B blocks on the fly. With one row (batch 1),
// gemvPanels over row panels (packRows) replaces the GEMM, and gemvRows the on-the-fly packing.

import { madd, at } from "./simd";

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 1024;

/** Bytes of scratch that sgemm / sgemmPacked need at `work`: packed A block, packed B block, one tile. */
export function gemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) << 2;
}

/** Floats needed to hold B [K×N] packed into NR-column panels. */
export function packedSize(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) / NR) * NR;
}

/** Packs B(0..K, 0..N) into NR-column panels at `dst` (packedSize(K, N) floats). */
export function packB(K: i32, N: i32, B: usize, rsB: i32, csB: i32, dst: usize): void {
  for (let j = 0; j < N; j += NR) {
    let nr = min(NR, N - j);
    if (nr == NR && csB == 1) {
      // Row-major B: each panel row is 8 contiguous floats.
      for (let k = 0; k < K; k++) {
        let src = at(B, k * rsB + j);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += <usize>NR << 2;
      }
    } else if (rsB == 1) {
      // Transposed B (columns contiguous): read each column sequentially, write strided.
      for (let jj = 0; jj < NR; jj++) {
        let d = dst + (<usize>jj << 2);
        if (jj < nr) {
          let src = at(B, (j + jj) * csB);
          for (let k = 0; k < K; k++) store<f32>(d + (<usize>(k * NR) << 2), load<f32>(at(src, k)));
        } else {
          for (let k = 0; k < K; k++) store<f32>(d + (<usize>(k * NR) << 2), 0);
        }
      }
      dst += <usize>(K * NR) << 2;
    } else {
      for (let k = 0; k < K; k++) {
        for (let jj = 0; jj < NR; jj++) {
          store<f32>(dst + (<usize>jj << 2), jj < nr ? load<f32>(at(B, k * rsB + (j + jj) * csB)) : 0);
        }
        dst += <usize>NR << 2;
      }
    }
  }
}

/** Packs A(0..mc, 0..kc) into MR-row panels: element (r, k) of panel q at ((q·kc + k)·MR + r). */
function packA(mc: i32, kc: i32, A: usize, rsA: i32, csA: i32, dst: usize): void {
  for (let i = 0; i < mc; i += MR) {
    let mr = min(MR, mc - i);
    if (mr == MR && rsA == 1) {
      // Transposed A (rows contiguous per k): one vector per k.
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(at(A, i + k * csA)));
        dst += <usize>MR << 2;
      }
    } else if (mr == MR && csA == 1) {
      // Row-major A: four row streams, transposed 4×4 at a time.
      let r0 = at(A, i * rsA), r1 = r0 + (<usize>rsA << 2), r2 = r1 + (<usize>rsA << 2), r3 = r2 + (<usize>rsA << 2);
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        let a = v128.load(r0), b = v128.load(r1), c = v128.load(r2), d = v128.load(r3);
        let ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
        let cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
        v128.store(dst, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7), 48);
        r0 += 16; r1 += 16; r2 += 16; r3 += 16; dst += 64;
      }
      for (; k < kc; k++) {
        store<f32>(dst, load<f32>(r0));
        store<f32>(dst, load<f32>(r1), 4);
        store<f32>(dst, load<f32>(r2), 8);
        store<f32>(dst, load<f32>(r3), 12);
        r0 += 4; r1 += 4; r2 += 4; r3 += 4; dst += 16;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + (<usize>r << 2), r < mr ? load<f32>(at(A, (i + r) * rsA + k * csA)) : 0);
        }
        dst += <usize>MR << 2;
      }
    }
  }
}

/** C[4×8] (+)= Apanel[4×kc] · Bpanel[kc×8]; `c` row stride ldc floats. The loop runs on the B
 *  pointer against its end, not on a counter: one add fewer per step in V8's loop, 3–8% faster
 *  (measured side by side: 49 → 52 GFLOP/s at [32×256]·[256×1024] packed, 46 → 49 at 1024³). */
function kernel4x8(kc: i32, a: usize, b: usize, c: usize, ldc: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let end = b + (<usize>kc << 5);
  while (b < end) {
    let b0 = v128.load(b), b1 = v128.load(b, 16);
    let a0 = v128.load32_splat(a);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    let a1 = v128.load32_splat(a, 4);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    let a2 = v128.load32_splat(a, 8);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    let a3 = v128.load32_splat(a, 12);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    a += 16; b += 32;
  }
  let row = <usize>ldc << 2;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + row)); c11 = f32x4.add(c11, v128.load(c + row, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * row)); c21 = f32x4.add(c21, v128.load(c + 2 * row, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * row)); c31 = f32x4.add(c31, v128.load(c + 3 * row, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + row, c10); v128.store(c + row, c11, 16);
  v128.store(c + 2 * row, c20); v128.store(c + 2 * row, c21, 16);
  v128.store(c + 3 * row, c30); v128.store(c + 3 * row, c31, 16);
}

/** A partial tile (mr ≤ MR rows, nr ≤ NR columns): full tile into scratch, then the valid part into C. */
function kernelEdge(kc: i32, a: usize, b: usize, c: usize, ldc: i32, accumulate: bool, mr: i32, nr: i32, tile: usize): void {
  kernel4x8(kc, a, b, tile, NR, false);
  for (let r = 0; r < mr; r++) {
    let src = tile + (<usize>(r * NR) << 2), dst = c + (<usize>(r * ldc) << 2);
    for (let j = 0; j < nr; j++) {
      let v = load<f32>(src + (<usize>j << 2));
      store<f32>(dst + (<usize>j << 2), accumulate ? load<f32>(dst + (<usize>j << 2)) + v : v);
    }
  }
}

/** One KC slice: C[M×nc] (+)= A[M×kc] · Bpanels, B panels `panelStride` floats apart. */
function multiplyPanels(M: i32, nc: i32, kc: i32, A: usize, rsA: i32, csA: i32, bp: usize, panelStride: i32,
                        C: usize, ldc: i32, accumulate: bool, ap: usize, tile: usize): void {
  for (let ic = 0; ic < M; ic += MC) {
    let mc = min(MC, M - ic);
    packA(mc, kc, at(A, ic * rsA), rsA, csA, ap);
    for (let jr = 0; jr < nc; jr += NR) {
      let nr = min(NR, nc - jr);
      let b = at(bp, (jr / NR) * panelStride);
      for (let ir = 0; ir < mc; ir += MR) {
        let mr = min(MR, mc - ir);
        let a = at(ap, ir * kc);
        let c = at(C, (ic + ir) * ldc + jr);
        if (mr == MR && nr == NR) kernel4x8(kc, a, b, c, ldc, accumulate);
        else kernelEdge(kc, a, b, c, ldc, accumulate, mr, nr, tile);
      }
    }
  }
}

/** Zeroes C[M×N] (used when K = 0 and the call overwrites). */
function zeroC(M: i32, N: i32, C: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) memory.fill(at(C, i * ldc), 0, <usize>N << 2);
}

/** C[M×N] = A·B (accumulate = 0) or C += A·B (accumulate = 1), packing both operands. */
export function sgemm(M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, B: usize, rsB: i32, csB: i32,
                      C: usize, ldc: i32, accumulate: i32, work: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { if (!accumulate) zeroC(M, N, C, ldc); return; }
  let ap = work, bp = work + (<usize>(MC * KC) << 2), tile = bp + (<usize>(KC * NC) << 2);
  for (let jc = 0; jc < N; jc += NC) {
    let nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      let kc = min(KC, K - pc);
      packB(kc, nc, at(B, pc * rsB + jc * csB), rsB, csB, bp);
      multiplyPanels(M, nc, kc, at(A, pc * csA), rsA, csA, bp, kc * NR, at(C, jc), ldc, accumulate != 0 || pc > 0, ap, tile);
    }
  }
}

/** C[M×N] (+)= A·B with B already packed by packB(K, N, …): the weight-operand product. */
export function sgemmPacked(M: i32, N: i32, K: i32, A: usize, rsA: i32, csA: i32, Bp: usize,
                            C: usize, ldc: i32, accumulate: i32, work: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { if (!accumulate) zeroC(M, N, C, ldc); return; }
  let ap = work, tile = work + (<usize>(MC * KC + KC * NC) << 2);
  for (let pc = 0; pc < K; pc += KC) {
    let kc = min(KC, K - pc);
    multiplyPanels(M, N, kc, at(A, pc * csA), rsA, csA, at(Bp, pc * NR), K * NR, C, ldc, accumulate != 0 || pc > 0, ap, tile);
  }
}

// ---- batch 1 --------------------------------------------------------------------------------
// With one row, panels of Wᵀ lose to dot products over rows of W. The rows are packed in "row
// panels": ROWS rows at a time, interleaved four columns per row ([r0 k0..3][r1 k0..3]…[r5 k0..3]
// [r0 k4..7]…), so one pointer streams the panel and each load of x feeds ROWS fused multiply-adds
// into ROWS accumulators. Six rows keep V8 from spilling (8 accumulators spill; 6 reach ~32 GFLOP/s
// against ~23 for 4 rows × 2 accumulators over plain rows, measured at 1024×256).

export const ROWS: i32 = 6;

/** Floats of W [N×K] packed by packRows (rows padded to ROWS, columns to 4, with zeros). */
export function rowPanelsSize(N: i32, K: i32): i32 {
  return ((N + ROWS - 1) / ROWS) * ROWS * ((K + 3) & ~3);
}

/** Packs W(n, k) = src[n·rs + k·cs] into row panels at `dst` (rowPanelsSize(N, K) floats). */
export function packRows(N: i32, K: i32, src: usize, rs: i32, cs: i32, dst: usize): void {
  let Kp = (K + 3) & ~3;
  for (let n0 = 0; n0 < N; n0 += ROWS) {
    for (let k0 = 0; k0 < Kp; k0 += 4) {
      for (let r = 0; r < ROWS; r++) {
        let n = n0 + r;
        for (let c = 0; c < 4; c++) {
          let k = k0 + c;
          store<f32>(dst, n < N && k < K ? load<f32>(at(src, n * rs + k * cs)) : 0);
          dst += 4;
        }
      }
    }
  }
}

/** y[N] (+)= W · x[K] with W packed by packRows. */
export function gemvPanels(N: i32, K: i32, Wp: usize, x: usize, y: usize, accumulate: i32): void {
  let K4 = K & ~3;
  let xEnd = at(x, K4);
  // The last K % 4 values of x as one vector, zeros after (the panel holds zeros there too).
  let xTail = f32x4.splat(0);
  let tail = K - K4;
  if (tail > 0) xTail = f32x4.replace_lane(xTail, 0, load<f32>(xEnd));
  if (tail > 1) xTail = f32x4.replace_lane(xTail, 1, load<f32>(xEnd, 4));
  if (tail > 2) xTail = f32x4.replace_lane(xTail, 2, load<f32>(xEnd, 8));
  let p = Wp;
  for (let n0 = 0; n0 < N; n0 += ROWS) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
    let xp = x;
    while (xp < xEnd) {
      let a = v128.load(xp);
      s0 = madd(a, v128.load(p), s0);
      s1 = madd(a, v128.load(p, 16), s1);
      s2 = madd(a, v128.load(p, 32), s2);
      s3 = madd(a, v128.load(p, 48), s3);
      s4 = madd(a, v128.load(p, 64), s4);
      s5 = madd(a, v128.load(p, 80), s5);
      xp += 16; p += 96;
    }
    if (tail > 0) {
      s0 = madd(xTail, v128.load(p), s0);
      s1 = madd(xTail, v128.load(p, 16), s1);
      s2 = madd(xTail, v128.load(p, 32), s2);
      s3 = madd(xTail, v128.load(p, 48), s3);
      s4 = madd(xTail, v128.load(p, 64), s4);
      s5 = madd(xTail, v128.load(p, 80), s5);
      p += 96;
    }
    let first = horizontalSums(s0, s1, s2, s3), last = horizontalSums(s4, s5, s4, s5);
    let yp = at(y, n0);
    if (n0 + ROWS <= N) {
      if (accumulate) {
        first = f32x4.add(first, v128.load(yp));
        last = f32x4.add(last, f32x4.replace_lane(f32x4.splat(load<f32>(yp, 16)), 1, load<f32>(yp, 20)));
      }
      v128.store(yp, first);
      store<f32>(yp, f32x4.extract_lane(last, 0), 16);
      store<f32>(yp, f32x4.extract_lane(last, 1), 20);
    } else {
      storeRows(yp, N - n0, first, last, accumulate != 0);
    }
  }
}

/**
 * y[n] (+)= W[n, :] · x for n < N with W [N×K] row-major as it is (no packing): four rows at a time,
 * each streamed whole (no 4 KiB-strided reads), x loaded once per four rows. For one input row
 * where packing W per call would cost more than the product (an input projection at batch 1, one
 * step: Silero's LSTM spent 44 of its 67 µs packing W_ih for sgemm).
 */
export function gemvRows(N: i32, K: i32, W: usize, x: usize, y: usize, accumulate: i32): void {
  let K4 = K & ~3, rowBytes = <usize>K << 2;
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    let r0 = W + <usize>n * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      let a = v128.load(at(x, k)), o = <usize>k << 2;
      s0 = madd(a, v128.load(r0 + o), s0);
      s1 = madd(a, v128.load(r1 + o), s1);
      s2 = madd(a, v128.load(r2 + o), s2);
      s3 = madd(a, v128.load(r3 + o), s3);
    }
    let sums = horizontalSums(s0, s1, s2, s3);
    for (let k = K4; k < K; k++) {
      let xk = load<f32>(at(x, k)), o = <usize>k << 2;
      sums = f32x4.add(sums, f32x4.mul(f32x4.splat(xk), f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(
        f32x4.splat(load<f32>(r0 + o)), 1, load<f32>(r1 + o)), 2, load<f32>(r2 + o)), 3, load<f32>(r3 + o))));
    }
    let yp = at(y, n);
    v128.store(yp, accumulate ? f32x4.add(sums, v128.load(yp)) : sums);
  }
  for (; n < N; n++) {
    let r = W + <usize>n * rowBytes;
    let s = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) s = madd(v128.load(at(x, k)), v128.load(r + (<usize>k << 2)), s);
    let v = f32x4.extract_lane(horizontalSums(s, s, s, s), 0);
    for (let k = K4; k < K; k++) v += load<f32>(at(x, k)) * load<f32>(r + (<usize>k << 2));
    let yp = at(y, n);
    store<f32>(yp, accumulate ? load<f32>(yp) + v : v);
  }
}

/** Stores the first `count` (< ROWS) of the six row results, adding when accumulating. */
function storeRows(yp: usize, count: i32, first: v128, last: v128, accumulate: bool): void {
  for (let r = 0; r < count; r++) {
    let v: f32;
    switch (r) {
      case 0: v = f32x4.extract_lane(first, 0); break;
      case 1: v = f32x4.extract_lane(first, 1); break;
      case 2: v = f32x4.extract_lane(first, 2); break;
      case 3: v = f32x4.extract_lane(first, 3); break;
      default: v = f32x4.extract_lane(last, 0);
    }
    let q = yp + (<usize>r << 2);
    store<f32>(q, accumulate ? load<f32>(q) + v : v);
  }
}

/** Lane i of the result = sum of the four lanes of s_i. */
// @ts-ignore: decorator
@inline function horizontalSums(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  let lo01 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), hi01 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7);
  let lo23 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), hi23 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
  let u = f32x4.add(lo01, hi01), v = f32x4.add(lo23, hi23);
  return f32x4.add(v128.shuffle<f32>(u, v, 0, 1, 4, 5), v128.shuffle<f32>(u, v, 2, 3, 6, 7));
}
