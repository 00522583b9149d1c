// conv.ts against the naive references: im2row and row2im element for element, whole convolutions
// (im2row + sgemmPacked + rowsToChannels, and W·rowsᵀ + channelsEpilogue) and transposed convolutions
// (xᵀ·W + row2im) against direct nested loops, depthwise against its naive twin, the epilogues on
// their own. One table per kind, one line per case; a sentinel guard after every output.

import { im2row, row2im, depthwiseConv, rowsToChannels, channelsEpilogue, convGeometryBytes } from "../conv";
import { sgemm, sgemmPacked, packB, packedSize, gemmWorkspaceBytes } from "../gemm";
import { im2rowNaive, row2imNaive, convNaive, convTransposeNaive, depthwiseConvNaive, rowsToChannelsNaive,
         channelsEpilogueNaive } from "../reference/conv";
import { floats, guardIntact, randomFill, maxDiff } from "./helpers.include";

const work = heap.alloc(<usize>gemmWorkspaceBytes());
const ALPHA: f32 = 0.1; // leaky relu's slope in every case with act 5

/** A conv geometry: C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW. */
function geometry(C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32,
                  PT: i32, PL: i32, OH: i32, OW: i32): usize {
  let g = heap.alloc(52);
  let v: i32[] = [C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW];
  for (let i = 0; i < 13; i++) store<i32>(g + (<usize>i << 2), v[i]);
  return g;
}

/** Output size of a convolution along one axis. */
function outSize(n: i32, k: i32, s: i32, d: i32, before: i32, after: i32): i32 {
  return (n + before + after - d * (k - 1) - 1) / s + 1;
}

/** Per-channel slopes for prelu (act 4): distinct, in [0.05, 0.3). */
function slopesFor(n: i32): usize {
  let s = floats(n);
  for (let i = 0; i < n; i++) store<f32>(s + (<usize>i << 2), 0.05 + 0.25 * <f32>(i % 7) / 7);
  return s;
}

function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// ---- Conv: C (in channels), Cout, groups, H, W, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, act --------
const CONV: i32[][] = [
  [1, 258, 1, 1, 640, 1, 256, 1, 128, 1, 1, 0, 0, 0, 0, 0], // Silero's STFT: 1-D, k 256, stride 128
  [8, 16, 1, 1, 50, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1],       // 1-D k 3 pad 1 stride 1, relu
  [8, 12, 1, 1, 51, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, 2],       // 1-D k 3 pad 1 stride 2, sigmoid
  [3, 7, 1, 9, 13, 2, 3, 1, 2, 1, 1, 1, 1, 0, 1, 3],        // 2-D (2,3) stride (1,2), tanh
  [4, 9, 1, 10, 11, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 4],       // 2-D (3,3) stride (1,2), prelu
  [2, 5, 1, 12, 14, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 5],       // dilation 2, leaky relu
  [3, 4, 1, 7, 9, 3, 2, 1, 1, 1, 1, 0, 2, 2, 0, 0],         // asymmetric padding (top 0 bottom 2, left 2 right 0)
  [8, 12, 4, 6, 10, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1],       // 4 groups (per-group calls)
  [6, 6, 6, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0],         // groups = channels (depthwise through the GEMM)
  [5, 3, 1, 4, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3],         // 1×1 conv
  [2, 3, 1, 3, 5, 3, 5, 2, 2, 1, 1, 2, 3, 2, 3, 1],         // kernel larger than the input once padded
  [3, 4, 1, 5, 23, 2, 5, 1, 1, 1, 1, 1, 2, 0, 2, 0],        // KW 5: two-vector slices
  [2, 3, 1, 1, 40, 1, 10, 1, 3, 1, 1, 0, 4, 0, 5, 1],       // KW 10 stride 3: vector loop per slice
];

/** Runs one CONV line both GEMM ways and im2row itself against the references. */
function checkConv(c: i32[]): void {
  let Cin = c[0], Cout = c[1], G = c[2], H = c[3], W = c[4], KH = c[5], KW = c[6], SH = c[7], SW = c[8];
  let DH = c[9], DW = c[10], PT = c[11], PL = c[12], PB = c[13], PR = c[14], act = c[15];
  let Cg = Cin / G, Ng = Cout / G;
  let OH = outSize(H, KH, SH, DH, PT, PB), OW = outSize(W, KW, SW, DW, PL, PR);
  let P = OH * OW, K = Cg * KH * KW;
  let geo = geometry(Cg, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW);
  let x = floats(Cin * H * W), w = floats(Cout * K), bias = floats(Cout), slopes = slopesFor(Cout);
  randomFill(x, Cin * H * W); randomFill(w, Cout * K); randomFill(bias, Cout);
  let rows = floats(P * K), rowsRef = floats(P * K), out = floats(P * Ng), Bp = floats(packedSize(K, Ng));
  let y = floats(Cout * P), y2 = floats(Cout * P), ref = floats(Cout * P);
  for (let g = 0; g < G; g++) {
    let xg = at(x, g * Cg * H * W), wg = at(w, g * Ng * K), bg = at(bias, g * Ng), sg = at(slopes, g * Ng);
    im2row(geo, xg, rows);
    im2rowNaive(geo, xg, rowsRef);
    expect(maxDiff(rows, rowsRef, P * K)).toBe(0, "im2row");
    expect(guardIntact(rows, P * K)).toBe(true, "no write past rows");
    // out [P×Ng] = rows · Wᵀ with W packed once, then the transposing epilogue.
    packB(K, Ng, wg, 1, K, Bp);
    sgemmPacked(P, Ng, K, rows, K, 1, Bp, out, Ng, 0, work);
    rowsToChannels(P, Ng, out, Ng, bg, act, sg, ALPHA, at(y, g * Ng * P));
    // y2 [Ng×P] = W · rowsᵀ, then the in-place epilogue.
    sgemm(Ng, P, K, wg, K, 1, rows, 1, K, at(y2, g * Ng * P), P, 0, work);
    channelsEpilogue(Ng, P, at(y2, g * Ng * P), bg, act, sg, ALPHA);
    convNaive(geo, Ng, xg, wg, bg, at(ref, g * Ng * P));
    channelsEpilogueNaive(Ng, P, at(ref, g * Ng * P), 0, act, sg, ALPHA);
  }
  let tol = <f32>(1e-6 * <f64>K + 5e-7);
  expect(maxDiff(y, ref, Cout * P)).toBeLessThan(tol, "conv: im2row + sgemmPacked + rowsToChannels");
  expect(maxDiff(y2, ref, Cout * P)).toBeLessThan(tol, "conv: W·rowsᵀ + channelsEpilogue");
  expect(guardIntact(y, Cout * P)).toBe(true, "no write past y");
  expect(guardIntact(y2, Cout * P)).toBe(true, "no write past y2");
  heap.free(x); heap.free(w); heap.free(rows); heap.free(rowsRef); heap.free(out); heap.free(Bp);
  heap.free(y); heap.free(y2); heap.free(ref);
}

// ---- ConvTranspose: Cin, Cout, groups, IH, IW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, OPH, OPW -----
const CONV_TRANSPOSE: i32[][] = [
  [4, 6, 1, 5, 7, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 0, 1],  // 2-D stride (1,2), output_padding (0,1)
  [3, 2, 1, 4, 6, 2, 3, 1, 2, 1, 1, 0, 1, 0, 1, 0, 1],  // (2,3) kernel stride (1,2), output_padding
  [6, 4, 2, 3, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1],  // 2 groups, stride 2, output_padding (1,1)
  [8, 4, 1, 1, 20, 1, 4, 1, 2, 1, 1, 0, 1, 0, 1, 0, 0], // 1-D k 4 stride 2 pad 1
  [2, 3, 1, 1, 9, 1, 3, 1, 3, 1, 2, 0, 0, 0, 0, 0, 2],  // 1-D dilation 2 stride 3, output_padding 2
  [3, 4, 1, 2, 9, 2, 6, 1, 2, 1, 1, 1, 2, 1, 2, 0, 1],  // KW 6: a whole vector and a masked one
  [4, 2, 1, 1, 12, 1, 9, 1, 4, 1, 1, 0, 3, 0, 3, 0, 1], // 1-D KW 9 stride 4
];

function checkConvTranspose(c: i32[]): void {
  let Cin = c[0], Cout = c[1], G = c[2], IH = c[3], IW = c[4], KH = c[5], KW = c[6], SH = c[7], SW = c[8];
  let DH = c[9], DW = c[10], PT = c[11], PL = c[12], PB = c[13], PR = c[14], OPH = c[15], OPW = c[16];
  let Cg = Cin / G, Ng = Cout / G;
  let H = (IH - 1) * SH - PT - PB + DH * (KH - 1) + OPH + 1, W = (IW - 1) * SW - PL - PR + DW * (KW - 1) + OPW + 1;
  let Pin = IH * IW, N = Ng * KH * KW;
  // row2im's geometry: C = output channels of a group, H×W the output, OH×OW the input.
  let geo = geometry(Ng, H, W, KH, KW, SH, SW, DH, DW, PT, PL, IH, IW);
  let x = floats(Cin * Pin), w = floats(Cin * N), bias = floats(Cout);
  randomFill(x, Cin * Pin); randomFill(w, Cin * N); randomFill(bias, Cout);
  let cols = floats(Pin * N), y = floats(Cout * H * W), yAdj = floats(Ng * H * W), ref = floats(Cout * H * W);
  for (let g = 0; g < G; g++) {
    let xg = at(x, g * Cg * Pin), wg = at(w, g * Cg * N), yg = at(y, g * Ng * H * W);
    // cols [Pin×N] = xᵀ · W: A(p, ci) = x[ci·Pin + p].
    sgemm(Pin, N, Cg, xg, 1, Pin, wg, N, 1, cols, N, 0, work);
    for (let co = 0; co < Ng; co++) {
      let b = load<f32>(at(bias, g * Ng + co));
      for (let i = 0; i < H * W; i++) store<f32>(at(yg, co * H * W + i), b);
    }
    row2im(geo, cols, yg);
    convTransposeNaive(geo, Cg, xg, wg, at(bias, g * Ng), at(ref, g * Ng * H * W));
    // row2im alone, accumulating into nonzero y, against its naive twin (additions in another order).
    randomFill(yAdj, Ng * H * W);
    let yAdjRef = floats(Ng * H * W);
    memory.copy(yAdjRef, yAdj, <usize>(Ng * H * W) << 2);
    row2im(geo, cols, yAdj);
    row2imNaive(geo, cols, yAdjRef);
    expect(maxDiff(yAdj, yAdjRef, Ng * H * W)).toBeLessThan(<f32>1e-6, "row2im");
    expect(guardIntact(yAdj, Ng * H * W)).toBe(true, "no write past row2im's y");
    heap.free(yAdjRef);
  }
  expect(maxDiff(y, ref, Cout * H * W)).toBeLessThan(<f32>(1e-6 * <f64>(Cg * KH * KW) + 1e-6), "convTranspose");
  expect(guardIntact(y, Cout * H * W)).toBe(true, "no write past y");
  heap.free(x); heap.free(w); heap.free(cols); heap.free(y); heap.free(yAdj); heap.free(ref);
}

// ---- depthwise: channels, H, W, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, act, bias ------------------
const DEPTHWISE: i32[][] = [
  [6, 9, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], // 3×3 same, relu: interior runs of 16 and 4
  [3, 4, 21, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1], // interior of 19: one past it would fit a vector
  [4, 5, 37, 1, 5, 1, 1, 1, 1, 0, 2, 0, 2, 2, 0], // 1×5 along W, sigmoid, no bias
  [3, 8, 33, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, 1], // stride 2 (scalar path), tanh
  [5, 7, 45, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4, 1], // dilation 2, prelu
  [2, 6, 23, 2, 4, 1, 1, 1, 1, 0, 3, 1, 0, 5, 1], // asymmetric padding, leaky relu
  [3, 4, 3, 3, 5, 1, 1, 1, 1, 1, 2, 1, 2, 0, 1],  // kernel wider than the row: no interior
  [2, 1, 70, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1], // 1-D
];

function checkDepthwise(c: i32[]): void {
  let Ch = c[0], H = c[1], W = c[2], KH = c[3], KW = c[4], SH = c[5], SW = c[6], DH = c[7], DW = c[8];
  let PT = c[9], PL = c[10], PB = c[11], PR = c[12], act = c[13], withBias = c[14];
  let OH = outSize(H, KH, SH, DH, PT, PB), OW = outSize(W, KW, SW, DW, PL, PR);
  let geo = geometry(0, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW);
  let x = floats(Ch * H * W), w = floats(Ch * KH * KW), bias = floats(Ch), slopes = slopesFor(Ch);
  randomFill(x, Ch * H * W); randomFill(w, Ch * KH * KW); randomFill(bias, Ch);
  let y = floats(Ch * OH * OW), ref = floats(Ch * OH * OW);
  let b = withBias ? bias : 0;
  depthwiseConv(geo, Ch, x, w, b, act, slopes, ALPHA, y);
  depthwiseConvNaive(geo, Ch, x, w, b, act, slopes, ALPHA, ref);
  expect(maxDiff(y, ref, Ch * OH * OW)).toBeLessThan(<f32>1e-6, "depthwise");
  expect(guardIntact(y, Ch * OH * OW)).toBe(true, "no write past y");
}

// ---- epilogues: P, N, ldSrc, act, bias ------------------------------------------------------------
const EPILOGUE: i32[][] = [
  [70, 13, 13, 0, 1], [9, 8, 11, 1, 1], [130, 5, 7, 2, 0], [4, 4, 4, 3, 1], [67, 17, 20, 4, 1], [3, 2, 2, 5, 1],
  [1, 1, 1, 1, 1], [66, 3, 3, 0, 0],
];

function checkEpilogues(c: i32[]): void {
  let P = c[0], N = c[1], ld = c[2], act = c[3];
  let src = floats(P * ld), bias = floats(N), slopes = slopesFor(N);
  randomFill(src, P * ld); randomFill(bias, N);
  let b = c[4] ? bias : 0;
  let dst = floats(N * P), ref = floats(N * P);
  rowsToChannels(P, N, src, ld, b, act, slopes, ALPHA, dst);
  rowsToChannelsNaive(P, N, src, ld, b, act, slopes, ALPHA, ref);
  expect(maxDiff(dst, ref, N * P)).toBeLessThan(<f32>4e-7, "rowsToChannels");
  expect(guardIntact(dst, N * P)).toBe(true, "no write past dst");
  let y = floats(N * P), yRef = floats(N * P);
  randomFill(y, N * P);
  memory.copy(yRef, y, <usize>(N * P) << 2);
  channelsEpilogue(N, P, y, b, act, slopes, ALPHA);
  channelsEpilogueNaive(N, P, yRef, b, act, slopes, ALPHA);
  expect(maxDiff(y, yRef, N * P)).toBeLessThan(<f32>4e-7, "channelsEpilogue");
  expect(guardIntact(y, N * P)).toBe(true, "no write past y");
}

describe("conv geometry", () => {
  it("is 13 i32 fields", () => {
    expect(convGeometryBytes()).toBe(52);
  });
});

describe("im2row + GEMM = direct convolution", () => {
  it("every CONV case, both GEMM orientations, every activation", () => {
    for (let i = 0; i < CONV.length; i++) checkConv(CONV[i]);
  });
});

describe("GEMM + row2im = direct transposed convolution", () => {
  it("every CONV_TRANSPOSE case, with output_padding and groups", () => {
    for (let i = 0; i < CONV_TRANSPOSE.length; i++) checkConvTranspose(CONV_TRANSPOSE[i]);
  });
});

describe("depthwiseConv", () => {
  it("every DEPTHWISE case", () => {
    for (let i = 0; i < DEPTHWISE.length; i++) checkDepthwise(DEPTHWISE[i]);
  });
});

describe("epilogues", () => {
  it("rowsToChannels and channelsEpilogue, every EPILOGUE case", () => {
    for (let i = 0; i < EPILOGUE.length; i++) checkEpilogues(EPILOGUE[i]);
  });
});
