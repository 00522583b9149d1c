// The wasm core's exports as TypeScript sees them (assembly/index.ts is the other side), and the
// SequencePlan layout shared with assembly/plan.ts: one 4-byte field each, in this order.

/** @internal The wasm core's exports (assembly/index.ts). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  gemmWorkspaceBytes(): number;
  packedSize(K: number, N: number): number;
  packB(K: number, N: number, B: number, rsB: number, csB: number, dst: number): void;
  sgemm(M: number, N: number, K: number, A: number, rsA: number, csA: number, B: number, rsB: number, csB: number,
        C: number, ldc: number, accumulate: number, work: number): void;
  sgemmPacked(M: number, N: number, K: number, A: number, rsA: number, csA: number, Bp: number,
              C: number, ldc: number, accumulate: number, work: number): void;
  rowPanelsSize(N: number, K: number): number;
  packRows(N: number, K: number, src: number, rs: number, cs: number, dst: number): void;
  gemvPanels(N: number, K: number, Wp: number, x: number, y: number, accumulate: number): void;
  gemvRows(N: number, K: number, W: number, x: number, y: number, accumulate: number): void;
  activationArray(kind: number, x: number, out: number, n: number): void;
  mapSteps(T: number, B: number, F: number, src: number, srcRow: number, dst: number, dstRow: number,
           lengths: number, reverse: number, accumulate: number): void;
  addColumnSums(rows: number, cols: number, src: number, ld: number, dst: number): void;
  meanSteps(T: number, B: number, F: number, src: number, lengths: number, dst: number): void;
  meanStepsBackward(T: number, B: number, F: number, gradDst: number, lengths: number, gradSrc: number): void;
  broadcastSteps(T: number, B: number, F: number, src: number, dst: number, dstRow: number): void;
  sumSteps(T: number, B: number, F: number, src: number, srcRow: number, dst: number): void;
  gatherRows(rows: number, F: number, src: number, indices: number, dst: number): void;
  dotScores(B: number, Td: number, Ts: number, K: number, q: number, k: number, scores: number, work: number): void;
  dotScoresBackward(B: number, Td: number, Ts: number, K: number, q: number, k: number, dScores: number, dq: number, dk: number, work: number): void;
  additiveScores(B: number, Td: number, Ts: number, A: number, q: number, k: number, v: number, tanhOut: number, scores: number): void;
  additiveScoresBackward(B: number, Td: number, Ts: number, A: number, tanhOut: number, v: number, dScores: number, dq: number, dk: number, dv: number): void;
  maskedSoftmax(B: number, Td: number, Ts: number, lengths: number, e: number): void;
  maskedSoftmaxBackward(B: number, Td: number, Ts: number, alpha: number, dAlpha: number): void;
  attendContext(B: number, Td: number, Ts: number, He: number, alpha: number, enc: number, ctx: number, work: number): void;
  attendContextBackward(B: number, Td: number, Ts: number, He: number, alpha: number, enc: number, dCtx: number, dAlpha: number, dEnc: number, work: number): void;
  tanhForward(n: number, x: number, y: number): void;
  tanhBackward(n: number, y: number, dy: number, dx: number): void;
  planBytes(): number;
  buildFeatures(): number;
  heapBase(): number;
  setBlockingWaits(on: number): void;
  denseForward(N: number, I: number, O: number, x: number, w: number, b: number, y: number, work: number): void;
  denseBackward(N: number, I: number, O: number, x: number, w: number, gradY: number, gradW: number, gradB: number, gradX: number, work: number): void;
  denseForwardJob(job: number): void;
  denseForwardInt8(N: number, I: number, O: number, x: number, packed: number, b: number, y: number, work: number): void;
  setIntegerDot(kind: number): void;
  integerDot(): number;
  int8PackedBytes(N: number, K: number): number;
  int8WorkspaceBytes(K: number): number;
  packInt8(N: number, K: number, src: number, rs: number, cs: number, scales: number, dst: number): number;
  int8Product(R: number, N: number, K: number, x: number, ldx: number, packed: number, y: number, ldy: number, accumulate: number, work: number): void;
  denseBackwardJob(job: number): void;
  denseJobBytes(): number;
  embeddingForward(N: number, E: number, table: number, ids: number, y: number): void;
  embeddingBackward(N: number, E: number, ids: number, gradY: number, gradTable: number, paddingIdx: number): void;
  softmaxCrossEntropy(N: number, V: number, logits: number, targets: number, ignoreIndex: number, gradScale: number, grad: number, rowLoss: number): number;
  logSoftmax(N: number, V: number, logits: number, temperature: number, out: number): void;
  softmax(N: number, V: number, logits: number, temperature: number, out: number): void;
  binaryCrossEntropy(n: number, logits: number, targets: number, gradScale: number, grad: number): number;
  sumOfSquares(n: number, x: number): number;
  countNonFinite(n: number, x: number): number;
  scaleInPlace(n: number, x: number, s: number): void;
  scaleAdd(n: number, dst: number, src: number, s: number, accumulate: number): void;
  clampInPlace(n: number, x: number, c: number): void;
  sgdStep(n: number, p: number, g: number, v: number, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, first: number): void;
  adamStep(n: number, p: number, g: number, m: number, v: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number, bc1: number, bc2: number): void;
  // The cells' kernels (lstmForward, …) are bound by name from the exports: engine/cells.ts.
  convGeometryBytes(): number;
  im2row(geo: number, x: number, rows: number): void;
  row2im(geo: number, rows: number, y: number): void;
  depthwiseConv(geo: number, channels: number, x: number, w: number, bias: number, act: number, slopes: number,
                alpha: number, y: number): void;
  rowsToChannels(P: number, N: number, src: number, ldSrc: number, bias: number, act: number, slopes: number,
                 alpha: number, dst: number): void;
  channelsEpilogue(N: number, P: number, y: number, bias: number, act: number, slopes: number, alpha: number): void;
  unary(op: number, n: number, x: number, y: number, alpha: number, beta: number): void;
  binary(op: number, desc: number, a: number, b: number, y: number): void;
  reduce(op: number, outer: number, n: number, inner: number, x: number, y: number): void;
  channelAffine(batch: number, C: number, inner: number, x: number, scale: number, shift: number, y: number): void;
  layerNorm(rows: number, cols: number, x: number, scale: number, bias: number, eps: number, y: number, mean: number,
            invStd: number): void;
  copyStrided(desc: number, x: number, y: number): void;
  pad(desc: number, x: number, y: number, mode: number, value: number): void;
  // brain.js's recurrent nets (assembly/brain.ts; wasm-rnn/brain): `shape` is [cell, inputRows, I, O, L, H…]
  brainParameterCount(shape: number): number;
  brainStepBytes(shape: number): number;
  brainTapeBytes(shape: number, steps: number): number;
  brainPrepare(shape: number, params: number, prepared: number): void;
  brainTrain(shape: number, params: number, prepared: number, deltas: number, steps: number, inputs: number, targets: number, tape: number, equations: number): number;
  brainUpdate(params: number, deltas: number, cache: number, n: number, learningRate: number, decayRate: number, smoothEps: number, regc: number, clipval: number): void;
  brainRunCharacters(shape: number, params: number, prepared: number, tape: number, given: number, count: number, out: number, from: number, limit: number, sample: number, random: number, temperature: number): number;
  brainForecast(shape: number, params: number, prepared: number, tape: number, inputs: number, steps: number, count: number, outputs: number, equations: number): number;
}

/** @internal SequencePlan fields in ABI order (assembly/plan.ts). */
export const PLAN_FIELDS = [
  "steps", "batch", "inputSize", "hiddenSize", "outputSize", "flags", "lengths",
  "wIh", "wHh", "bIh", "bHh", "wHr", "peepholes", "prepared",
  "x", "gates", "c", "h", "extra",
  "gradOutput", "gradH", "gradC", "gradX",
  "gradWIh", "gradWHh", "gradBIh", "gradBHh", "gradWHr", "gradPeepholes",
  "work",
  "part", "parts", "barrier", "shared", "cellOptions",
  "tokens", "vocab", "table", "gradTable", "paddingIdx",
  "wIhScale", "wHhScale", "wHrScale",
] as const;

/** @internal A field of a SequencePlan. */
export type PlanField = (typeof PLAN_FIELDS)[number];

/** @internal DenseJob fields in ABI order (assembly/dense.ts): a dense layer's part on a thread team. */
export const DENSE_JOB_FIELDS = ["rows", "inFeatures", "outFeatures", "x", "w", "b", "y", "gradY", "gradW", "gradB", "gradX", "work", "part", "parts", "int8"] as const;
/** @internal A dense layer's part on a thread team, by field. */
export type DenseJob = Record<(typeof DENSE_JOB_FIELDS)[number], number>;
/** @internal A recurrent kernel call's arguments, by field (assembly/plan.ts). */
export type SequencePlan = Record<PlanField, number>;

/** @internal Plan flag: an RNN with ReLU instead of tanh. */
export const FLAG_RELU = 1;
/** @internal Plan flag: a GRU with the reset gate applied after the hidden product (PyTorch's). */
export const FLAG_RESET_AFTER = 2;
/** @internal Plan flag: int8 weights with row scales (quantized inference, forward only). */
export const FLAG_INT8 = 4;

/** Every field 0 but parts (1): the template emptyPlan copies (a spread of one object keeps every plan
 *  the same shape, where building it from the field list cost a fifth of a batch-1 step's time). */
const EMPTY_PLAN: Readonly<SequencePlan> = Object.freeze({ ...(Object.fromEntries(PLAN_FIELDS.map((f) => [f, 0])) as SequencePlan), parts: 1 });

/** @internal A plan with every pointer absent (0), not split (one part). */
export function emptyPlan(): SequencePlan {
  return { ...EMPTY_PLAN };
}
