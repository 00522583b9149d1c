// The test build's exported ABI (build/testing/*.wasm, never shipped): everything assembly/index.ts
// exports, plus what only tests load — the naive reference kernels the case tables check the fast
// kernels against, and the test-only cell that proves adding a cell is the short list in
// docs/ARCHITECTURE.md. Same four flavours as the shipped builds, so the engine loads it with
// init({ wasmBaseUrl: "build/testing/" }) in every mode (private or shared memory, plain or relaxed).
export * from "./index";
export { sgemmNaive } from "./reference/gemm";
export { int8ProductNaive } from "./reference/int8";
export { denseForwardNaive, denseBackwardNaive, embeddingForwardNaive, embeddingBackwardNaive } from "./reference/dense";
export { softmaxNaive } from "./reference/loss";
export { sumOfSquaresNaive, countNonFiniteNaive, scaleInPlaceNaive, clampInPlaceNaive, scaleAddNaive } from "./reference/optim";
export { im2rowNaive, row2imNaive, convNaive, convTransposeNaive, depthwiseConvNaive, rowsToChannelsNaive, channelsEpilogueNaive } from "./reference/conv";
export { mguPreparedBytes, mguPrepare, mguForward, mguBackward, mguForwardWorkspaceBytes, mguBackwardWorkspaceBytes, mguBackwardSharedBytes } from "./testing/mgu";
