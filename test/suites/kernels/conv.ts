// The convolution family (test/cases/conv.json): per convolution row, im2row against im2rowNaive (bit
// for bit) and the whole convolution both GEMM ways — im2row + packB + sgemmPacked + rowsToChannels,
// and W·rowsᵀ by sgemm + channelsEpilogue — group by group against the direct convNaive and
// channelsEpilogueNaive; per transposed row, xᵀ·W by sgemm + row2im against convTransposeNaive, and
// row2im alone accumulating against row2imNaive; per depthwise row, depthwiseConv against
// depthwiseConvNaive; per epilogue row, rowsToChannels and channelsEpilogue against theirs. The naive
// references (test build) sum in float64. Guard bytes checked after every call. No team path: the
// convolution kernels always run on the calling thread.

import { expectClose, expectSameBits } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { operandStream } from "../../cases/kernel-table.js";
import {
  ACTIVATIONS, CONV_CASES, LEAKY_SLOPE, convGeometry, convOutputSize, convTransposeOutputSize, preluSlopes,
  type ConvCase, type ConvFamilyCase, type ConvTransposeCase, type DepthwiseCase, type EpilogueCase,
} from "../../cases/conv.js";
import type { KernelFamily } from "./family.js";

/** Byte address of float i of the block at p. */
const at = (p: number, i: number) => p + 4 * i;

/** |fast − naive| allowed for sums of `terms` products of values in (−0.5, 0.5), and for an epilogue alone. */
const sumBound = (terms: number, floor: number) => ({ rtol: 0, atol: 1e-6 * terms + floor });
const EPILOGUE_BOUND = { rtol: 0, atol: 4e-7 };

function checkConv(row: ConvCase, kit: KernelKit): void {
  const core = kit.core, uniform = operandStream(row.seed);
  const [Cin, Cout] = row.channels, G = row.groups, Cg = Cin / G, Ng = Cout / G;
  const [H, W] = row.input, [KH, KW] = row.kernel, [PT, PL, PB, PR] = row.pads;
  const OH = convOutputSize(H, KH, row.strides[0], row.dilations[0], PT, PB), OW = convOutputSize(W, KW, row.strides[1], row.dilations[1], PL, PR);
  const P = OH * OW, K = Cg * KH * KW, act = ACTIVATIONS[row.act];
  const geo = kit.int32s(convGeometry(row, Cg, [H, W], [OH, OW]));
  const x = kit.floats(uniform(Cin * H * W)), w = kit.floats(uniform(Cout * K)), bias = kit.floats(uniform(Cout)), slopes = kit.floats(preluSlopes(Cout));
  const work = kit.bytes(core.gemmWorkspaceBytes());
  const rows = kit.floats(P * K), rowsRef = kit.floats(P * K), out = kit.floats(P * Ng), packed = kit.floats(core.packedSize(K, Ng));
  const y = kit.floats(Cout * P), y2 = kit.floats(Cout * P), ref = kit.floats(Cout * P);
  for (let g = 0; g < G; g++) {
    const xg = at(x, g * Cg * H * W), wg = at(w, g * Ng * K), bg = at(bias, g * Ng), sg = at(slopes, g * Ng), group = `group ${g}`;
    core.im2row(geo, xg, rows);
    kit.guardsIntact(`im2row, ${group}`);
    core.im2rowNaive(geo, xg, rowsRef);
    expectSameBits(kit.read(rows, P * K), kit.read(rowsRef, P * K), `im2row, ${group}`);
    // out [P×Ng] = rows · Wᵀ with W packed once, then the transposing epilogue.
    core.packB(K, Ng, wg, 1, K, packed);
    core.sgemmPacked(P, Ng, K, rows, K, 1, packed, out, Ng, 0, work);
    core.rowsToChannels(P, Ng, out, Ng, bg, act, sg, LEAKY_SLOPE, at(y, g * Ng * P));
    kit.guardsIntact(`im2row + sgemmPacked + rowsToChannels, ${group}`);
    // y2 [Ng×P] = W · rowsᵀ, then the in-place epilogue.
    core.sgemm(Ng, P, K, wg, K, 1, rows, 1, K, at(y2, g * Ng * P), P, 0, work);
    core.channelsEpilogue(Ng, P, at(y2, g * Ng * P), bg, act, sg, LEAKY_SLOPE);
    kit.guardsIntact(`W·rowsᵀ + channelsEpilogue, ${group}`);
    core.convNaive(geo, Ng, xg, wg, bg, at(ref, g * Ng * P));
    core.channelsEpilogueNaive(Ng, P, at(ref, g * Ng * P), 0, act, sg, LEAKY_SLOPE);
  }
  expectClose(kit.read(y, Cout * P), kit.read(ref, Cout * P), "conv: im2row + sgemmPacked + rowsToChannels", sumBound(K, 5e-7));
  expectClose(kit.read(y2, Cout * P), kit.read(ref, Cout * P), "conv: W·rowsᵀ + channelsEpilogue", sumBound(K, 5e-7));
}

function checkConvTranspose(row: ConvTransposeCase, kit: KernelKit): void {
  const core = kit.core, uniform = operandStream(row.seed);
  const [Cin, Cout] = row.channels, G = row.groups, Cg = Cin / G, Ng = Cout / G;
  const [IH, IW] = row.input, [KH, KW] = row.kernel, [PT, PL, PB, PR] = row.pads;
  const H = convTransposeOutputSize(IH, KH, row.strides[0], row.dilations[0], PT, PB, row.outputPadding[0]);
  const W = convTransposeOutputSize(IW, KW, row.strides[1], row.dilations[1], PL, PR, row.outputPadding[1]);
  const Pin = IH * IW, N = Ng * KH * KW, HW = H * W;
  // row2im's geometry: C = output channels of a group, H×W the output, OH×OW the input.
  const geo = kit.int32s(convGeometry(row, Ng, [H, W], [IH, IW]));
  const biasValues = uniform(Cout);
  const x = kit.floats(uniform(Cin * Pin)), w = kit.floats(uniform(Cin * N)), bias = kit.floats(biasValues);
  const work = kit.bytes(core.gemmWorkspaceBytes());
  const cols = kit.floats(Pin * N), y = kit.floats(Cout * HW), ref = kit.floats(Cout * HW);
  for (let g = 0; g < G; g++) {
    const xg = at(x, g * Cg * Pin), wg = at(w, g * Cg * N), yg = at(y, g * Ng * HW), group = `group ${g}`;
    // cols [Pin×N] = xᵀ · W: A(p, ci) = x[ci·Pin + p]; y = bias, then += row2im(cols).
    core.sgemm(Pin, N, Cg, xg, 1, Pin, wg, N, 1, cols, N, 0, work);
    for (let c = 0; c < Ng; c++) kit.write(at(yg, c * HW), new Float32Array(HW).fill(biasValues[g * Ng + c]));
    core.row2im(geo, cols, yg);
    kit.guardsIntact(`xᵀ·W + row2im, ${group}`);
    core.convTransposeNaive(geo, Cg, xg, wg, at(bias, g * Ng), at(ref, g * Ng * HW));
    // row2im alone, accumulating into values that are not zero, against its naive twin.
    const start = uniform(Ng * HW), yAdj = kit.floats(start), yAdjRef = kit.floats(start);
    core.row2im(geo, cols, yAdj);
    kit.guardsIntact(`row2im, ${group}`);
    core.row2imNaive(geo, cols, yAdjRef);
    expectClose(kit.read(yAdj, Ng * HW), kit.read(yAdjRef, Ng * HW), `row2im, ${group}`, sumBound(0, 1e-6));
  }
  expectClose(kit.read(y, Cout * HW), kit.read(ref, Cout * HW), "convTranspose: xᵀ·W + row2im", sumBound(Cg * KH * KW, 1e-6));
}

function checkDepthwise(row: DepthwiseCase, kit: KernelKit): void {
  const core = kit.core, uniform = operandStream(row.seed);
  const Ch = row.channels[0], [H, W] = row.input, [KH, KW] = row.kernel, [PT, PL, PB, PR] = row.pads;
  const OH = convOutputSize(H, KH, row.strides[0], row.dilations[0], PT, PB), OW = convOutputSize(W, KW, row.strides[1], row.dilations[1], PL, PR);
  const geo = kit.int32s(convGeometry(row, 0, [H, W], [OH, OW]));
  const x = kit.floats(uniform(Ch * H * W)), w = kit.floats(uniform(Ch * KH * KW)), biasValues = uniform(Ch), slopes = kit.floats(preluSlopes(Ch));
  const b = row.bias === false ? 0 : kit.floats(biasValues), act = ACTIVATIONS[row.act], n = Ch * OH * OW;
  const y = kit.floats(n), ref = kit.floats(n);
  core.depthwiseConv(geo, Ch, x, w, b, act, slopes, LEAKY_SLOPE, y);
  kit.guardsIntact("depthwiseConv");
  core.depthwiseConvNaive(geo, Ch, x, w, b, act, slopes, LEAKY_SLOPE, ref);
  expectClose(kit.read(y, n), kit.read(ref, n), "depthwiseConv", sumBound(0, 1e-6));
}

function checkEpilogue(row: EpilogueCase, kit: KernelKit): void {
  const core = kit.core, uniform = operandStream(row.seed);
  const { positions: P, channels: N, ldSrc } = row, act = ACTIVATIONS[row.act];
  const src = kit.floats(uniform(P * ldSrc)), biasValues = uniform(N), slopes = kit.floats(preluSlopes(N));
  const b = row.bias === false ? 0 : kit.floats(biasValues);
  const dst = kit.floats(N * P), ref = kit.floats(N * P);
  core.rowsToChannels(P, N, src, ldSrc, b, act, slopes, LEAKY_SLOPE, dst);
  kit.guardsIntact("rowsToChannels");
  core.rowsToChannelsNaive(P, N, src, ldSrc, b, act, slopes, LEAKY_SLOPE, ref);
  expectClose(kit.read(dst, N * P), kit.read(ref, N * P), "rowsToChannels", EPILOGUE_BOUND);
  const start = uniform(N * P), y = kit.floats(start), yRef = kit.floats(start);
  core.channelsEpilogue(N, P, y, b, act, slopes, LEAKY_SLOPE);
  kit.guardsIntact("channelsEpilogue");
  core.channelsEpilogueNaive(N, P, yRef, b, act, slopes, LEAKY_SLOPE);
  expectClose(kit.read(y, N * P), kit.read(yRef, N * P), "channelsEpilogue", EPILOGUE_BOUND);
}

function check(row: ConvFamilyCase, kit: KernelKit): void {
  if (row.kind === "conv") checkConv(row, kit);
  else if (row.kind === "convTranspose") checkConvTranspose(row, kit);
  else if (row.kind === "depthwise") checkDepthwise(row, kit);
  else checkEpilogue(row, kit);
}

export const convFamily: KernelFamily<ConvFamilyCase> = { name: "conv", rows: CONV_CASES, check };
