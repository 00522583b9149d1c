// Naive scalar references for assembly/conv.ts, and a direct convolution and transposed convolution to
// check im2row / row2im + GEMM against. Test-only: imported by the specs, never by assembly/index.ts.
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

// @ts-ignore: decorator
@inline function g(geo: usize, field: i32): i32 {
  return load<i32>(geo + (<usize>field << 2));
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

/** x[c, ih, iw] or 0 outside [C, H, W]. */
function pixel(x: usize, c: i32, ih: i32, iw: i32, H: i32, W: i32): f64 {
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0;
  return f(x, (c * H + ih) * W + iw);
}

/** rows [OH·OW, C·KH·KW] from x [C, H, W]. */
export function im2rowNaive(geo: usize, x: usize, rows: usize): void {
  let C = g(geo, 0), H = g(geo, 1), W = g(geo, 2), KH = g(geo, 3), KW = g(geo, 4), SH = g(geo, 5), SW = g(geo, 6);
  let DH = g(geo, 7), DW = g(geo, 8), PT = g(geo, 9), PL = g(geo, 10), OH = g(geo, 11), OW = g(geo, 12);
  let K = C * KH * KW;
  for (let oh = 0; oh < OH; oh++)
    for (let ow = 0; ow < OW; ow++)
      for (let c = 0; c < C; c++)
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++)
            put(rows, (oh * OW + ow) * K + (c * KH + kh) * KW + kw, pixel(x, c, oh * SH - PT + kh * DH, ow * SW - PL + kw * DW, H, W));
}

/** y [C, H, W] += rows scattered back (the adjoint of im2row). */
export function row2imNaive(geo: usize, rows: usize, y: usize): void {
  let C = g(geo, 0), H = g(geo, 1), W = g(geo, 2), KH = g(geo, 3), KW = g(geo, 4), SH = g(geo, 5), SW = g(geo, 6);
  let DH = g(geo, 7), DW = g(geo, 8), PT = g(geo, 9), PL = g(geo, 10), OH = g(geo, 11), OW = g(geo, 12);
  let K = C * KH * KW;
  for (let oh = 0; oh < OH; oh++)
    for (let ow = 0; ow < OW; ow++)
      for (let c = 0; c < C; c++)
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++) {
            let ih = oh * SH - PT + kh * DH, iw = ow * SW - PL + kw * DW;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            let i = (c * H + ih) * W + iw;
            put(y, i, f(y, i) + f(rows, (oh * OW + ow) * K + (c * KH + kh) * KW + kw));
          }
}

/** y [Cout, OH, OW] = bias + Σ w[co, c, kh, kw]·x[c, ih, iw] (one group: x [C, H, W]); bias 0 = none. */
export function convNaive(geo: usize, Cout: i32, x: usize, w: usize, bias: usize, y: usize): void {
  let C = g(geo, 0), H = g(geo, 1), W = g(geo, 2), KH = g(geo, 3), KW = g(geo, 4), SH = g(geo, 5), SW = g(geo, 6);
  let DH = g(geo, 7), DW = g(geo, 8), PT = g(geo, 9), PL = g(geo, 10), OH = g(geo, 11), OW = g(geo, 12);
  for (let co = 0; co < Cout; co++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let s: f64 = bias != 0 ? f(bias, co) : 0;
        for (let c = 0; c < C; c++)
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++)
              s += f(w, ((co * C + c) * KH + kh) * KW + kw) * pixel(x, c, oh * SH - PT + kh * DH, ow * SW - PL + kw * DW, H, W);
        put(y, (co * OH + oh) * OW + ow, s);
      }
}

/** ConvTranspose of one group: x [Cin, OH, OW] (its input), w [Cin, C, KH, KW], y [C, H, W] (its
 *  output) = bias + Σ x[ci, oh, ow]·w[ci, c, kh, kw] at (oh·SH − PT + kh·DH, ow·SW − PL + kw·DW). */
export function convTransposeNaive(geo: usize, Cin: i32, x: usize, w: usize, bias: usize, y: usize): void {
  let C = g(geo, 0), H = g(geo, 1), W = g(geo, 2), KH = g(geo, 3), KW = g(geo, 4), SH = g(geo, 5), SW = g(geo, 6);
  let DH = g(geo, 7), DW = g(geo, 8), PT = g(geo, 9), PL = g(geo, 10), OH = g(geo, 11), OW = g(geo, 12);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < H * W; i++) put(y, c * H * W + i, bias != 0 ? f(bias, c) : 0);
  for (let ci = 0; ci < Cin; ci++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++)
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              let ih = oh * SH - PT + kh * DH, iw = ow * SW - PL + kw * DW;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              let i = (c * H + ih) * W + iw;
              put(y, i, f(y, i) + f(x, (ci * OH + oh) * OW + ow) * f(w, ((ci * C + c) * KH + kh) * KW + kw));
            }
}

/** depthwiseConv's oracle: every channel with its own kernel w [channels, KH, KW]. */
export function depthwiseConvNaive(geo: usize, channels: i32, x: usize, w: usize, bias: usize, act: i32,
                                   slopes: usize, alpha: f32, y: usize): void {
  let H = g(geo, 1), W = g(geo, 2), KH = g(geo, 3), KW = g(geo, 4), SH = g(geo, 5), SW = g(geo, 6);
  let DH = g(geo, 7), DW = g(geo, 8), PT = g(geo, 9), PL = g(geo, 10), OH = g(geo, 11), OW = g(geo, 12);
  for (let c = 0; c < channels; c++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let s: f64 = bias != 0 ? f(bias, c) : 0;
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++)
            s += f(w, (c * KH + kh) * KW + kw) * pixel(x, c, oh * SH - PT + kh * DH, ow * SW - PL + kw * DW, H, W);
        put(y, (c * OH + oh) * OW + ow, actNaive(s, act, act == 4 ? f(slopes, c) : 0, alpha));
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
