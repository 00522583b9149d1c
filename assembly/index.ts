// The exported ABI: every function the TypeScript engine calls, and nothing else.
// All arguments are sizes and byte addresses in linear memory; see plan.ts for the SequencePlan layout.
export { gemmWorkspaceBytes, packedSize, packB, sgemm, sgemmPacked, sgemmNaive, gemvRows } from "./gemm";
export { activationArray } from "./activations";
export { mapSteps, addColumnSums } from "./sequence";
export { planBytes } from "./plan";
export { lstmForward, lstmBackward, lstmForwardWorkspaceBytes, lstmBackwardWorkspaceBytes } from "./lstm";
export { gruForward, gruBackward, gruForwardWorkspaceBytes, gruBackwardWorkspaceBytes } from "./gru";
export { rnnForward, rnnBackward, rnnForwardWorkspaceBytes, rnnBackwardWorkspaceBytes } from "./rnn";
