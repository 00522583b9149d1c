// Naive scalar references for assembly/conv.ts, and a direct convolution and transposed convolution to
// check im2row / row2im + GEMM against. Test-only: imported by the specs and exported from
// assembly/testing.ts (the oracles of test/cases/conv.json), never from assembly/index.ts.
// The obvious loops, one output at a time, summed in float64.
//
// Legend and geometry as in conv.ts: geo = C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW (i32).

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f64): void {
  store<f32>(p + (<usize>i << 2), <f32>v);
}

/** act(v) in float64: 0 none, 1 relu, 2 sigmoid, 3 tanh, 4 prelu (slope), 5 leaky relu (alpha). */
export function actNaive(v: f64, act: i32, slope: f64, alpha: f64): f64 {
  if (act == 1) return v < 0 ? 0 : v;
  if (act == 2) return 1 / (1 + Math.exp(-v));
  if (act == 3) return Math.tanh(v);
  if (act == 4) return v < 0 ? v * slope : v;
  if (act == 5) return v < 0 ? v * alpha : v;
  return v;
}

/** The geometry block itself (its 13 i32 fields in order), with the input index each kernel tap
 *  reads. Unmanaged and never constructed: the references allocate nothing, since in the test build
 *  the engine's arena owns every byte above the static data. */
@unmanaged
class Geometry {
  C: i32; H: i32; W: i32; KH: i32; KW: i32; SH: i32; SW: i32; DH: i32; DW: i32; PT: i32; PL: i32; OH: i32; OW: i32;

  /** The index in [C, H, W] that output (oh, ow) reads through tap (kh, kw) of channel c, or −1 in the padding. */
  tap(c: i32, oh: i32, ow: i32, kh: i32, kw: i32): i32 {
    let ih = oh * this.SH - this.PT + kh * this.DH, iw = ow * this.SW - this.PL + kw * this.DW;
    if (ih < 0 || ih >= this.H || iw < 0 || iw >= this.W) return -1;
    return (c * this.H + ih) * this.W + iw;
  }

  /** x at that tap, 0 in the padding. */
  pixel(x: usize, c: i32, oh: i32, ow: i32, kh: i32, kw: i32): f64 {
    let i = this.tap(c, oh, ow, kh, kw);
    return i < 0 ? 0 : f(x, i);
  }
}

/** rows [OH·OW, C·KH·KW] from x [C, H, W]. */
export function im2rowNaive(geo: usize, x: usize, rows: usize): void {
  let G = changetype<Geometry>(geo), K = G.C * G.KH * G.KW;
  for (let oh = 0; oh < G.OH; oh++)
    for (let ow = 0; ow < G.OW; ow++)
      for (let c = 0; c < G.C; c++)
        for (let kh = 0; kh < G.KH; kh++)
          for (let kw = 0; kw < G.KW; kw++)
            put(rows, (oh * G.OW + ow) * K + (c * G.KH + kh) * G.KW + kw, G.pixel(x, c, oh, ow, kh, kw));
}

/** y [C, H, W] += rows scattered back (the adjoint of im2row). */
export function row2imNaive(geo: usize, rows: usize, y: usize): void {
  let G = changetype<Geometry>(geo), K = G.C * G.KH * G.KW;
  for (let oh = 0; oh < G.OH; oh++)
    for (let ow = 0; ow < G.OW; ow++)
      for (let c = 0; c < G.C; c++)
        for (let kh = 0; kh < G.KH; kh++)
          for (let kw = 0; kw < G.KW; kw++) {
            let i = G.tap(c, oh, ow, kh, kw);
            if (i >= 0) put(y, i, f(y, i) + f(rows, (oh * G.OW + ow) * K + (c * G.KH + kh) * G.KW + kw));
          }
}

/** y [Cout, OH, OW] = bias + Σ w[co, c, kh, kw]·x[c, ih, iw] (one group: x [C, H, W]); bias 0 = none. */
export function convNaive(geo: usize, Cout: i32, x: usize, w: usize, bias: usize, y: usize): void {
  let G = changetype<Geometry>(geo);
  for (let co = 0; co < Cout; co++)
    for (let oh = 0; oh < G.OH; oh++)
      for (let ow = 0; ow < G.OW; ow++) {
        let s: f64 = bias != 0 ? f(bias, co) : 0;
        for (let c = 0; c < G.C; c++)
          for (let kh = 0; kh < G.KH; kh++)
            for (let kw = 0; kw < G.KW; kw++)
              s += f(w, ((co * G.C + c) * G.KH + kh) * G.KW + kw) * G.pixel(x, c, oh, ow, kh, kw);
        put(y, (co * G.OH + oh) * G.OW + ow, s);
      }
}

/** ConvTranspose of one group: x [Cin, OH, OW] (its input), w [Cin, C, KH, KW], y [C, H, W] (its
 *  output) = bias + Σ x[ci, oh, ow]·w[ci, c, kh, kw] at (oh·SH − PT + kh·DH, ow·SW − PL + kw·DW). */
export function convTransposeNaive(geo: usize, Cin: i32, x: usize, w: usize, bias: usize, y: usize): void {
  let G = changetype<Geometry>(geo), HW = G.H * G.W;
  for (let c = 0; c < G.C; c++)
    for (let i = 0; i < HW; i++) put(y, c * HW + i, bias != 0 ? f(bias, c) : 0);
  for (let ci = 0; ci < Cin; ci++)
    for (let oh = 0; oh < G.OH; oh++)
      for (let ow = 0; ow < G.OW; ow++)
        for (let c = 0; c < G.C; c++)
          for (let kh = 0; kh < G.KH; kh++)
            for (let kw = 0; kw < G.KW; kw++) {
              let i = G.tap(c, oh, ow, kh, kw);
              if (i >= 0) put(y, i, f(y, i) + f(x, (ci * G.OH + oh) * G.OW + ow) * f(w, ((ci * G.C + c) * G.KH + kh) * G.KW + kw));
            }
}

/** depthwiseConv's oracle: every channel with its own kernel w [channels, KH, KW]. */
export function depthwiseConvNaive(geo: usize, channels: i32, x: usize, w: usize, bias: usize, act: i32,
                                   slopes: usize, alpha: f32, y: usize): void {
  let G = changetype<Geometry>(geo);
  for (let c = 0; c < channels; c++)
    for (let oh = 0; oh < G.OH; oh++)
      for (let ow = 0; ow < G.OW; ow++) {
        let s: f64 = bias != 0 ? f(bias, c) : 0;
        for (let kh = 0; kh < G.KH; kh++)
          for (let kw = 0; kw < G.KW; kw++)
            s += f(w, (c * G.KH + kh) * G.KW + kw) * G.pixel(x, c, oh, ow, kh, kw);
        put(y, (c * G.OH + oh) * G.OW + ow, actNaive(s, act, act == 4 ? f(slopes, c) : 0, alpha));
      }
}

/** dst [N×P] = act(src[p·ldSrc + n] + bias[n]). */
export function rowsToChannelsNaive(P: i32, N: i32, src: usize, ldSrc: i32, bias: usize, act: i32, slopes: usize,
                                    alpha: f32, dst: usize): void {
  for (let n = 0; n < N; n++)
    for (let p = 0; p < P; p++) {
      let v = f(src, p * ldSrc + n) + (bias != 0 ? f(bias, n) : 0);
      put(dst, n * P + p, actNaive(v, act, act == 4 ? f(slopes, n) : 0, alpha));
    }
}

/** y [N×P] = act(y + bias[n]) in place. */
export function channelsEpilogueNaive(N: i32, P: i32, y: usize, bias: usize, act: i32, slopes: usize, alpha: f32): void {
  for (let n = 0; n < N; n++)
    for (let p = 0; p < P; p++) {
      let v = f(y, n * P + p) + (bias != 0 ? f(bias, n) : 0);
      put(y, n * P + p, actNaive(v, act, act == 4 ? f(slopes, n) : 0, alpha));
    }
}
