// The test build of the wasm core (assembly/testing.ts → build/testing/, built by
// `npm run build:wasm:testing`, never packed): where it is, for init({ wasmBaseUrl }), and its exports
// as TypeScript sees them — the shipped core's and the naive reference kernels the kernel case tables
// (test/cases/*.json) check the fast kernels against (assembly/reference/).

import type { CoreExports } from "../../src/engine/abi.js";

/** The directory of the test build's four flavours (plain or relaxed SIMD, private or shared memory). */
export const TESTING_BUILD = new URL("../../build/testing/", import.meta.url);

/** The test build's exports: the core's, and the naive references (argument meanings as the kernels they check). */
export interface TestingCore extends CoreExports {
  // assembly/reference/gemm.ts
  sgemmNaive(M: number, N: number, K: number, A: number, rsA: number, csA: number, B: number, rsB: number, csB: number,
             C: number, ldc: number, accumulate: number): void;
  // assembly/reference/int8.ts
  int8ProductNaive(R: number, N: number, K: number, x: number, ldx: number, packed: number, y: number, ldy: number, accumulate: number): void;
  // assembly/reference/dense.ts
  denseForwardNaive(N: number, I: number, O: number, x: number, w: number, b: number, y: number): void;
  denseBackwardNaive(N: number, I: number, O: number, x: number, w: number, gradY: number, gradW: number, gradB: number, gradX: number): void;
  embeddingForwardNaive(N: number, E: number, table: number, ids: number, y: number): void;
  embeddingBackwardNaive(N: number, E: number, ids: number, gradY: number, gradTable: number, paddingIdx: number): void;
  // assembly/reference/loss.ts
  softmaxNaive(N: number, V: number, logits: number, temperature: number, log: number, out: number): void;
  // assembly/reference/optim.ts
  sumOfSquaresNaive(n: number, x: number): number;
  countNonFiniteNaive(n: number, x: number): number;
  scaleInPlaceNaive(n: number, x: number, s: number): void;
  clampInPlaceNaive(n: number, x: number, c: number): void;
  scaleAddNaive(n: number, dst: number, src: number, s: number, accumulate: number): void;
  // assembly/reference/conv.ts
  im2rowNaive(geo: number, x: number, rows: number): void;
  row2imNaive(geo: number, rows: number, y: number): void;
  convNaive(geo: number, Cout: number, x: number, w: number, bias: number, y: number): void;
  convTransposeNaive(geo: number, Cin: number, x: number, w: number, bias: number, y: number): void;
  depthwiseConvNaive(geo: number, channels: number, x: number, w: number, bias: number, act: number, slopes: number, alpha: number, y: number): void;
  rowsToChannelsNaive(P: number, N: number, src: number, ldSrc: number, bias: number, act: number, slopes: number, alpha: number, dst: number): void;
  channelsEpilogueNaive(N: number, P: number, y: number, bias: number, act: number, slopes: number, alpha: number): void;
}
