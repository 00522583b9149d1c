// The convolution case table (conv.json, one row per line): convolutions (im2row + GEMM + epilogue),
// transposed convolutions (GEMM + row2im), depthwise convolutions and the GEMM epilogues alone, with
// ONNX's attributes (pads [top, left, bottom, right]; 1-D as H = 1), run by the conv family's check
// (test/suites/kernels/conv.ts). Checks nothing itself.

import { readCaseTable, type KernelCase } from "./kernel-table.js";

/** The epilogues' activations, by their codes in assembly/conv.ts. */
export const ACTIVATIONS = { none: 0, relu: 1, sigmoid: 2, tanh: 3, prelu: 4, leakyRelu: 5 } as const;
export type Activation = keyof typeof ACTIVATIONS;

/** Leaky ReLU's slope in every row that has one. */
export const LEAKY_SLOPE = 0.1;

/** A sliding window over an input [channels[0], H, W] giving channels[1] outputs in `groups` groups. */
interface Window extends KernelCase {
  channels: [number, number];
  groups: number;
  input: [number, number];
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
}

export interface ConvCase extends Window {
  kind: "conv";
  act: Activation;
}

export interface ConvTransposeCase extends Window {
  kind: "convTranspose";
  outputPadding: [number, number];
}

/** groups = channels[0] = channels[1]: each channel its own kernel (depthwiseConv). */
export interface DepthwiseCase extends Window {
  kind: "depthwise";
  act: Activation;
  /** Absent: a bias. */
  bias?: false;
}

/** The GEMM epilogues on their own: positions × channels, source rows `ldSrc` floats apart. */
export interface EpilogueCase extends KernelCase {
  kind: "epilogue";
  positions: number;
  channels: number;
  ldSrc: number;
  act: Activation;
  bias?: false;
}

export type ConvFamilyCase = ConvCase | ConvTransposeCase | DepthwiseCase | EpilogueCase;

export const CONV_CASES = readCaseTable<ConvFamilyCase>("conv");

/** A convolution's output size along one axis. */
export function convOutputSize(n: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((n + before + after - dilation * (k - 1) - 1) / stride) + 1;
}

/** A transposed convolution's output size along one axis. */
export function convTransposeOutputSize(n: number, k: number, stride: number, dilation: number, before: number, after: number, outputPadding: number): number {
  return (n - 1) * stride - before - after + dilation * (k - 1) + outputPadding + 1;
}

/** The kernels' geometry block (assembly/conv.ts): C, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW, for
 *  a window of C input channels per group over H × W giving OH × OW. */
export function convGeometry(row: Window, C: number, [H, W]: [number, number], [OH, OW]: [number, number]): number[] {
  return [C, H, W, ...row.kernel, ...row.strides, ...row.dilations, row.pads[0], row.pads[1], OH, OW];
}

/** PReLU's per-channel slopes: distinct, in [0.05, 0.3). */
export function preluSlopes(channels: number): Float32Array {
  return Float32Array.from({ length: channels }, (_, i) => 0.05 + (0.25 * (i % 7)) / 7);
}
