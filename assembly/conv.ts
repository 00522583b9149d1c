// Convolution data movement for the ONNX executor: im2row (Conv → one GEMM), row2im (its adjoint, for
// ConvTranspose), a direct depthwise convolution, and the GEMM epilogues (bias + activation, with or
// without the [P×N] → [N×P] transpose). Owns no GEMM (gemm.ts does the products), no static data and
// no allocation: every operand is a byte address, every size an i32, and the caller lays out memory.
//
// Legend: C channels of one group, H×W input, KH×KW kernel, SH/SW strides, DH/DW dilations, PT/PL
// padding before (top, left; the padding after is implied by OH/OW), OH×OW output, P = OH·OW output
// positions, K = C·KH·KW row length, N output channels.
//
// Geometry: 13 i32 at `geo`, in this order (convGeometryBytes() = 52 lets TS check the layout):
//   C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW
// 1-D convolutions use H = KH = OH = 1, SH = DH = 1, PT = 0. Input position of output (oh, ow) and
// kernel tap (kh, kw): ih = oh·SH − PT + kh·DH, iw = ow·SW − PL + kw·DW; outside the input reads 0.
//
// Conv as a GEMM:  rows [P, K] = im2row(x);  out[P×N] = rows · Wᵀ (W [N, C, KH, KW] = [N×K]);
//                  y [N, P] = rowsToChannels(out)     — or out[N×P] = W · rowsᵀ, then channelsEpilogue.
// ConvTranspose:   cols [P, K] = xᵀ · W (x [Cin, P], W [Cin, K]);  y [C, H, W] = bias, += row2im(cols);
//                  here H, W are the ConvTranspose's output size and OH, OW its input size.
//
// act codes: 0 none, 1 relu, 2 sigmoid, 3 tanh, 4 prelu (per-channel slopes[n]), 5 leaky relu (alpha).

import { madd, at } from "./simd";
import { sigmoidV, tanhV } from "./activations";

/** Bytes of a conv geometry (13 i32 fields). */
export function convGeometryBytes(): i32 {
  return 52;
}

/** σ or tanh of one vector, called rather than inlined: their code once, not in every epilogue loop. */
function squash(v: v128, act: i32): v128 {
  return act == 2 ? sigmoidV(v) : tanhV(v);
}

/** act(v): `neg` is the slope for negative inputs (prelu's slopes[n] or leaky relu's alpha). */
// @ts-ignore: decorator
@inline function activate(v: v128, act: i32, neg: v128): v128 {
  switch (act) {
    case 1: return f32x4.pmax(v, f32x4.splat(0));
    case 2: case 3: return squash(v, act);
    case 4:
    case 5: return v128.bitselect(f32x4.mul(v, neg), v, f32x4.lt(v, f32x4.splat(0)));
    default: return v;
  }
}

/** Copies n floats (short runs by vectors, long ones by memory.copy). */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  if (n >= 64) { memory.copy(dst, src, <usize>n << 2); return; }
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), v128.load(at(src, i)));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(src, i)));
}

/** Zeroes n floats. */
// @ts-ignore: decorator
@inline function zeroRun(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.splat(0));
  for (; i < n; i++) store<f32>(at(dst, i), 0);
}

/** dst[i] += src[i] for i < n. */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.add(v128.load(at(dst, i)), v128.load(at(src, i))));
  for (; i < n; i++) store<f32>(at(dst, i), load<f32>(at(dst, i)) + load<f32>(at(src, i)));
}

/** First tap t ≥ 0 with i0 + t·d ≥ 0. */
// @ts-ignore: decorator
@inline function firstTap(i0: i32, d: i32): i32 {
  return i0 >= 0 ? 0 : d == 1 ? -i0 : (d - 1 - i0) / d; // no division for the usual d = 1
}

/** One past the last tap t < k with i0 + t·d < n (≤ first tap when none is inside). */
// @ts-ignore: decorator
@inline function endTap(i0: i32, d: i32, n: i32, k: i32): i32 {
  return i0 >= n ? 0 : min(k, d == 1 ? n - i0 : (n - 1 - i0) / d + 1);
}

// ---- im2row / row2im --------------------------------------------------------------------------
// Both walk (oh, c, kh, ow): the input row (c, ih) stays fixed while ow runs, and one oh's rows
// [OW×K] stay in cache while each (c, kh) fills its KW-float slice of every row. Columns split into
// borders (a tap outside the row: bounds per column) and the interior (every tap inside). In the
// interior, im2row moves a slice of KW ≤ 16 floats as whole vectors when DW = 1, storing up to 3
// floats past the slice (the next slice, written later, overwrites them; never past the row):
// measured on a 3×3 conv over 32×129 (K = 144), 390 µs per call with a copy per slice → 110 µs.

/** Columns whose taps all fall inside a row of W when the taps span `span` inputs: [owLo, result). */
// @ts-ignore: decorator
@inline function interiorEnd(W: i32, span: i32, SW: i32, PL: i32, OW: i32, owLo: i32): i32 {
  let t = W - span + PL; // ow·SW − PL + span − 1 ≤ W − 1
  return t < 0 ? owLo : max(owLo, min(OW, t / SW + 1));
}

/** One im2row slice at a border column: taps outside the row read 0. */
function im2rowSlice(dst: usize, src: usize, iw0: i32, W: i32, KW: i32, DW: i32): void {
  let lo = min(KW, firstTap(iw0, DW)), hi = max(lo, endTap(iw0, DW, W, KW));
  zeroRun(dst, lo);
  if (DW == 1) copyRun(at(dst, lo), at(src, iw0 + lo), hi - lo);
  else for (let kw = lo; kw < hi; kw++) store<f32>(at(dst, kw), load<f32>(at(src, iw0 + kw * DW)));
  zeroRun(at(dst, hi), KW - hi);
}

/** rows [P, K]: rows[oh·OW + ow, (c·KH + kh)·KW + kw] = x[c, ih, iw], 0 outside x [C, H, W]. */
export function im2row(geo: usize, x: usize, rows: usize): void {
  let C = load<i32>(geo), H = load<i32>(geo, 4), W = load<i32>(geo, 8), KH = load<i32>(geo, 12), KW = load<i32>(geo, 16);
  let SH = load<i32>(geo, 20), SW = load<i32>(geo, 24), DH = load<i32>(geo, 28), DW = load<i32>(geo, 32);
  let PT = load<i32>(geo, 36), PL = load<i32>(geo, 40), OH = load<i32>(geo, 44), OW = load<i32>(geo, 48);
  let K = C * KH * KW, KW4 = (KW + 3) & ~3;
  let rowBytes = <usize>K << 2, step = <usize>SW << 2;
  let owLo = PL <= 0 ? 0 : min(OW, (PL + SW - 1) / SW);
  let owHi = interiorEnd(W, (KW - 1) * DW + 1, SW, PL, OW, owLo);
  let owVec = DW == 1 && KW <= 16 ? min(owHi, interiorEnd(W, KW4, SW, PL, OW, owLo)) : owLo;
  for (let oh = 0; oh < OH; oh++) {
    let ih0 = oh * SH - PT, base = at(rows, oh * OW * K);
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        let ih = ih0 + kh * DH, slice = (c * KH + kh) * KW;
        let d = at(base, slice);
        if (<u32>ih >= <u32>H) {
          for (let ow = 0; ow < OW; ow++) zeroRun(d + <usize>ow * rowBytes, KW);
          continue;
        }
        let src = at(x, (c * H + ih) * W);
        for (let ow = 0; ow < owLo; ow++) im2rowSlice(d + <usize>ow * rowBytes, src, ow * SW - PL, W, KW, DW);
        for (let ow = owHi; ow < OW; ow++) im2rowSlice(d + <usize>ow * rowBytes, src, ow * SW - PL, W, KW, DW);
        let ow = owLo;
        d += <usize>ow * rowBytes;
        let s = at(src, ow * SW - PL);
        if (slice + KW4 <= K) {
          if (KW <= 4) {
            for (; ow < owVec; ow++) { v128.store(d, v128.load(s)); d += rowBytes; s += step; }
          } else if (KW <= 8) {
            for (; ow < owVec; ow++) { v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16); d += rowBytes; s += step; }
          } else {
            for (; ow < owVec; ow++) {
              for (let q = 0; q < KW4; q += 4) v128.store(at(d, q), v128.load(at(s, q)));
              d += rowBytes; s += step;
            }
          }
        }
        for (; ow < owHi; ow++) {
          if (DW == 1) copyRun(d, s, KW);
          else for (let kw = 0; kw < KW; kw++) store<f32>(at(d, kw), load<f32>(at(s, kw * DW)));
          d += rowBytes; s += step;
        }
      }
    }
  }
}

/** One row2im slice at a border column: taps outside the row are dropped. */
function row2imSlice(yr: usize, src: usize, iw0: i32, W: i32, KW: i32, DW: i32): void {
  let lo = min(KW, firstTap(iw0, DW)), hi = max(lo, endTap(iw0, DW, W, KW));
  if (DW == 1) addRun(at(yr, iw0 + lo), at(src, lo), hi - lo);
  else for (let kw = lo; kw < hi; kw++) store<f32>(at(yr, iw0 + kw * DW), load<f32>(at(yr, iw0 + kw * DW)) + load<f32>(at(src, kw)));
}

/** The adjoint of im2row: y [C, H, W] += rows [P, K] at y[c, ih, iw] wherever that is inside y.
 *  Interior columns with KW ≤ 8 go one tap kw at a time across all ow (scalar, but no column's
 *  read-modify-write overlaps the previous one: whole-slice vector adds overlapped when SW < KW and
 *  stalled on store forwarding, 1.7× slower than this); wider slices add vectors per column. */
export function row2im(geo: usize, rows: usize, y: usize): void {
  let C = load<i32>(geo), H = load<i32>(geo, 4), W = load<i32>(geo, 8), KH = load<i32>(geo, 12), KW = load<i32>(geo, 16);
  let SH = load<i32>(geo, 20), SW = load<i32>(geo, 24), DH = load<i32>(geo, 28), DW = load<i32>(geo, 32);
  let PT = load<i32>(geo, 36), PL = load<i32>(geo, 40), OH = load<i32>(geo, 44), OW = load<i32>(geo, 48);
  let K = C * KH * KW;
  let rowBytes = <usize>K << 2, step = <usize>SW << 2;
  let owLo = PL <= 0 ? 0 : min(OW, (PL + SW - 1) / SW);
  let owHi = interiorEnd(W, (KW - 1) * DW + 1, SW, PL, OW, owLo);
  for (let oh = 0; oh < OH; oh++) {
    let ih0 = oh * SH - PT, base = at(rows, oh * OW * K);
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        let ih = ih0 + kh * DH;
        if (<u32>ih >= <u32>H) continue;
        let src = at(base, (c * KH + kh) * KW), yr = at(y, (c * H + ih) * W);
        for (let ow = 0; ow < owLo; ow++) row2imSlice(yr, src + <usize>ow * rowBytes, ow * SW - PL, W, KW, DW);
        for (let ow = owHi; ow < OW; ow++) row2imSlice(yr, src + <usize>ow * rowBytes, ow * SW - PL, W, KW, DW);
        let first = src + <usize>owLo * rowBytes;
        if (KW <= 8 || DW != 1) {
          for (let kw = 0; kw < KW; kw++) {
            let s = at(first, kw), d = at(yr, owLo * SW - PL + kw * DW);
            for (let ow = owLo; ow < owHi; ow++) {
              store<f32>(d, load<f32>(d) + load<f32>(s));
              s += rowBytes; d += step;
            }
          }
        } else {
          let s = first, d = at(yr, owLo * SW - PL);
          for (let ow = owLo; ow < owHi; ow++) { addRun(d, s, KW); s += rowBytes; d += step; }
        }
      }
    }
  }
}

// ---- depthwise ---------------------------------------------------------------------------------

/** y[c, oh, ow] = act(bias[c] + Σ w[c, kh, kw]·x[c, ih, iw]) for c < channels (geo's C ignored);
 *  x [channels, H, W], w [channels, KH, KW], y [channels, OH, OW]; bias 0 = none. Interior columns
 *  (every tap inside the row) run 16 outputs at a time when SW = 1; the borders are scalar. */
export function depthwiseConv(geo: usize, channels: i32, x: usize, w: usize, bias: usize, act: i32,
                              slopes: usize, alpha: f32, y: usize): void {
  let H = load<i32>(geo, 4), W = load<i32>(geo, 8), KH = load<i32>(geo, 12), KW = load<i32>(geo, 16);
  let SH = load<i32>(geo, 20), SW = load<i32>(geo, 24), DH = load<i32>(geo, 28), DW = load<i32>(geo, 32);
  let PT = load<i32>(geo, 36), PL = load<i32>(geo, 40), OH = load<i32>(geo, 44), OW = load<i32>(geo, 48);
  // Interior: ow·SW − PL ≥ 0 and ow·SW − PL + (KW−1)·DW ≤ W − 1.
  let owLo = PL <= 0 ? 0 : min(OW, (PL + SW - 1) / SW);
  let last = W - 1 + PL - (KW - 1) * DW;
  let owHi = last < 0 ? owLo : max(owLo, min(OW, last / SW + 1));
  for (let c = 0; c < channels; c++) {
    let b = bias != 0 ? load<f32>(at(bias, c)) : <f32>0;
    let neg = f32x4.splat(act == 4 ? load<f32>(at(slopes, c)) : alpha);
    let xc = at(x, c * H * W), wc = at(w, c * KH * KW), yc = at(y, c * OH * OW);
    for (let oh = 0; oh < OH; oh++) {
      let ih0 = oh * SH - PT;
      let khLo = firstTap(ih0, DH), khHi = max(khLo, endTap(ih0, DH, H, KH));
      let yr = at(yc, oh * OW);
      for (let ow = 0; ow < owLo; ow++) depthwisePoint(xc, wc, yr, ow, ih0, khLo, khHi, W, KW, SW, DH, DW, PL, b, act, neg);
      let ow = owLo;
      if (SW == 1) {
        let bv = f32x4.splat(b);
        for (; ow + 16 <= owHi; ow += 16) {
          let a0 = bv, a1 = bv, a2 = bv, a3 = bv;
          for (let kh = khLo; kh < khHi; kh++) {
            let xr = at(xc, (ih0 + kh * DH) * W + ow - PL), wr = at(wc, kh * KW);
            for (let kw = 0; kw < KW; kw++) {
              let wv = v128.load32_splat(at(wr, kw)), p = at(xr, kw * DW);
              a0 = madd(wv, v128.load(p), a0);
              a1 = madd(wv, v128.load(p, 16), a1);
              a2 = madd(wv, v128.load(p, 32), a2);
              a3 = madd(wv, v128.load(p, 48), a3);
            }
          }
          let o = at(yr, ow);
          v128.store(o, activate(a0, act, neg));
          v128.store(o, activate(a1, act, neg), 16);
          v128.store(o, activate(a2, act, neg), 32);
          v128.store(o, activate(a3, act, neg), 48);
        }
        for (; ow + 4 <= owHi; ow += 4) {
          let a0 = bv;
          for (let kh = khLo; kh < khHi; kh++) {
            let xr = at(xc, (ih0 + kh * DH) * W + ow - PL), wr = at(wc, kh * KW);
            for (let kw = 0; kw < KW; kw++) a0 = madd(v128.load32_splat(at(wr, kw)), v128.load(at(xr, kw * DW)), a0);
          }
          v128.store(at(yr, ow), activate(a0, act, neg));
        }
      }
      for (; ow < OW; ow++) depthwisePoint(xc, wc, yr, ow, ih0, khLo, khHi, W, KW, SW, DH, DW, PL, b, act, neg);
    }
  }
}

/** One output of depthwiseConv, taps outside the row skipped. */
// @ts-ignore: decorator
@inline function depthwisePoint(xc: usize, wc: usize, yr: usize, ow: i32, ih0: i32, khLo: i32, khHi: i32, W: i32,
                                KW: i32, SW: i32, DH: i32, DW: i32, PL: i32, b: f32, act: i32, neg: v128): void {
  let iw0 = ow * SW - PL;
  let lo = firstTap(iw0, DW), hi = endTap(iw0, DW, W, KW);
  let s = f32x4.splat(b);
  for (let kh = khLo; kh < khHi; kh++) {
    let xr = at(xc, (ih0 + kh * DH) * W + iw0), wr = at(wc, kh * KW);
    for (let kw = lo; kw < hi; kw++) s = madd(v128.load32_splat(at(wr, kw)), v128.load32_splat(at(xr, kw * DW)), s);
  }
  store<f32>(at(yr, ow), f32x4.extract_lane(activate(s, act, neg), 0));
}

// ---- epilogues ---------------------------------------------------------------------------------

/** Rows of P·N per tile in rowsToChannels: 64 rows of src and 64-float runs of dst stay in L1. */
const TILE_P: i32 = 64;

/** dst [N×P] = act(src [P×N, row stride ldSrc] + bias[n]), transposed; bias 0 = none, slopes [N]
 *  for act 4. 4×4 blocks: four src rows are four channels' vectors, transposed in registers. */
export function rowsToChannels(P: i32, N: i32, src: usize, ldSrc: i32, bias: usize, act: i32, slopes: usize,
                               alpha: f32, dst: usize): void {
  let alphaV = f32x4.splat(alpha);
  let N4 = N & ~3;
  for (let p0 = 0; p0 < P; p0 += TILE_P) {
    let pe = min(P, p0 + TILE_P);
    for (let n = 0; n < N4; n += 4) {
      // Lanes are channels n..n+3: bias and slopes are vectors here, before the transpose.
      let bv = bias != 0 ? v128.load(at(bias, n)) : f32x4.splat(0);
      let neg = act == 4 ? v128.load(at(slopes, n)) : alphaV;
      let d0 = at(dst, n * P), d1 = at(d0, P), d2 = at(d1, P), d3 = at(d2, P);
      let p = p0;
      for (; p + 4 <= pe; p += 4) {
        let s = at(src, p * ldSrc + n), ld = <usize>ldSrc << 2;
        let r0 = activate(f32x4.add(v128.load(s), bv), act, neg);
        let r1 = activate(f32x4.add(v128.load(s + ld), bv), act, neg);
        let r2 = activate(f32x4.add(v128.load(s + 2 * ld), bv), act, neg);
        let r3 = activate(f32x4.add(v128.load(s + 3 * ld), bv), act, neg);
        let t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        let t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        v128.store(at(d0, p), v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(at(d1, p), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
        v128.store(at(d2, p), v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
        v128.store(at(d3, p), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      }
      for (; p < pe; p++) {
        let r = activate(f32x4.add(v128.load(at(src, p * ldSrc + n)), bv), act, neg);
        store<f32>(at(d0, p), f32x4.extract_lane(r, 0));
        store<f32>(at(d1, p), f32x4.extract_lane(r, 1));
        store<f32>(at(d2, p), f32x4.extract_lane(r, 2));
        store<f32>(at(d3, p), f32x4.extract_lane(r, 3));
      }
    }
    for (let n = N4; n < N; n++) {
      let bv = f32x4.splat(bias != 0 ? load<f32>(at(bias, n)) : <f32>0);
      let neg = act == 4 ? f32x4.splat(load<f32>(at(slopes, n))) : alphaV;
      let d = at(dst, n * P);
      for (let p = p0; p < pe; p++) {
        let r = activate(f32x4.add(f32x4.splat(load<f32>(at(src, p * ldSrc + n))), bv), act, neg);
        store<f32>(at(d, p), f32x4.extract_lane(r, 0));
      }
    }
  }
}

/** In place on y [N×P]: y[n·P + p] = act(y[n·P + p] + bias[n]); bias 0 = none, slopes [N] for act 4. */
export function channelsEpilogue(N: i32, P: i32, y: usize, bias: usize, act: i32, slopes: usize, alpha: f32): void {
  if (bias == 0 && act == 0) return;
  for (let n = 0; n < N; n++) {
    let bv = f32x4.splat(bias != 0 ? load<f32>(at(bias, n)) : <f32>0);
    let neg = f32x4.splat(act == 4 ? load<f32>(at(slopes, n)) : alpha);
    let r = at(y, n * P);
    let p = 0;
    for (; p + 16 <= P; p += 16) {
      let q = at(r, p);
      let v0 = activate(f32x4.add(v128.load(q), bv), act, neg);
      let v1 = activate(f32x4.add(v128.load(q, 16), bv), act, neg);
      let v2 = activate(f32x4.add(v128.load(q, 32), bv), act, neg);
      let v3 = activate(f32x4.add(v128.load(q, 48), bv), act, neg);
      v128.store(q, v0); v128.store(q, v1, 16); v128.store(q, v2, 32); v128.store(q, v3, 48);
    }
    for (; p + 4 <= P; p += 4) v128.store(at(r, p), activate(f32x4.add(v128.load(at(r, p)), bv), act, neg));
    for (; p < P; p++) {
      store<f32>(at(r, p), f32x4.extract_lane(activate(f32x4.add(f32x4.splat(load<f32>(at(r, p))), bv), act, neg), 0));
    }
  }
}
