// The exported ABI: every function the TypeScript engine calls, and nothing else.
// All arguments are sizes and byte addresses in linear memory; see plan.ts for the SequencePlan layout.
export { gemmWorkspaceBytes, packedSize, packB, sgemm, sgemmPacked, rowPanelsSize, packRows, gemvPanels, gemvRows } from "./gemm";
export { activationArray } from "./activations";
export { mapSteps, addColumnSums, meanSteps, meanStepsBackward, broadcastSteps, sumSteps, gatherRows } from "./sequence";
export { planBytes } from "./plan";
export { heapBase, buildFeatures } from "./module-info";
export { setBlockingWaits } from "./threads/barrier";
export { lstmPreparedBytes, lstmPrepare, lstmForward, lstmBackward, lstmForwardWorkspaceBytes, lstmBackwardWorkspaceBytes, lstmBackwardSharedBytes } from "./lstm";
export { gruPreparedBytes, gruPrepare, gruForward, gruBackward, gruForwardWorkspaceBytes, gruBackwardWorkspaceBytes, gruBackwardSharedBytes } from "./gru";
export { rnnPreparedBytes, rnnPrepare, rnnForward, rnnBackward, rnnForwardWorkspaceBytes, rnnBackwardWorkspaceBytes, rnnBackwardSharedBytes } from "./rnn";
export { denseForward, denseForwardInt8, denseBackward, embeddingForward, embeddingBackward, denseForwardJob, denseBackwardJob, denseJobBytes } from "./dense";
export { softmaxCrossEntropy, logSoftmax, softmax, binaryCrossEntropy } from "./loss";
export { sumOfSquares, countNonFinite, scaleInPlace, clampInPlace, sgdStep, adamStep, scaleAdd } from "./optim";
export { dotScores, dotScoresBackward, additiveScores, additiveScoresBackward, maskedSoftmax, maskedSoftmaxBackward, attendContext, attendContextBackward } from "./attention";
export { tanhForward, tanhBackward } from "./pointwise";
export { setIntegerDot, integerDot, int8PackedBytes, int8WorkspaceBytes, packInt8, int8Product } from "./int8";
export { convGeometryBytes, im2row, row2im, depthwiseConv, rowsToChannels, channelsEpilogue } from "./conv";
export { unary, binary, reduce, channelAffine, layerNorm, copyStrided, pad } from "./elementwise";
export { brainParameterCount, brainStepBytes, brainTapeBytes, brainPrepare, brainTrain, brainUpdate, brainRunCharacters, brainForecast } from "./brain";
