// The recurrent layer shared by RNN, LSTM and GRU: options, PyTorch-named parameters, validation,
// and the orchestration of stacked and bidirectional sequences over the wasm cell kernels (one call
// per layer and direction; the loop over time steps stays inside wasm). No math happens here.
//
// Layout inside: time-major [T, B, F]. The reverse direction runs the same kernel on each sequence
// reversed within its own length, so variable-length batches behave like PyTorch packed sequences.

import { encodePlan, type Engine } from "../engine/engine.js";
import { SPLIT_MIN_MULTIPLY_ADDS, type TeamKernel } from "../engine/threads/team-control.js";
import type { ThreadTeam } from "../engine/threads/team.js";
import { emptyPlan, FLAG_RESET_AFTER, type CoreExports, type SequencePlan } from "../engine/abi.js";
import { ResourceError, ShapeError, UnsupportedError } from "../errors.js";
import { formatBytes } from "../engine/arena.js";
import { encodeCellOptions, type CellOptions } from "./cell-options.js";
import { Random } from "../random.js";
import { Tensor } from "../tensor.js";
import { checkFinite, checkShape, checkTensor, describe, optionalBool, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import type { ParameterSpec } from "./parameters.js";
import { Layer, wrapInternal } from "./layer.js";

export type CellKind = "lstm" | "gru" | "rnn";

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Bias vectors b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [B, T, F] instead of [T, B, F] (default false). States stay [L·D, B, H]. */
  batchFirst?: boolean;
  /** A reverse direction whose outputs are concatenated after the forward ones (default false). */
  bidirectional?: boolean;
  /** Seed for the initial weights (uniform ±1/√H, like PyTorch). */
  seed?: number;
  /** @internal ONNX/Keras cell options (activations, clip, coupled gates): inference only. */
  cellOptions?: CellOptions;
}

export interface ForwardOptions {
  /** Initial hidden state [L·D, B, P] (zeros when absent). */
  h0?: TensorLike;
  /** Initial cell state [L·D, B, H], LSTM only. */
  c0?: TensorLike;
  /** Valid steps per sequence, 1 ≤ L_b ≤ T, any order; outputs past L_b are zero. */
  lengths?: ArrayLike<number>;
}

export interface ForwardResult {
  output: Tensor;
  hN: Tensor;
  cN?: Tensor;
}

export interface BackwardOptions {
  gradHN?: TensorLike;
  gradCN?: TensorLike;
}

export interface BackwardResult {
  gradInput: Tensor;
  gradH0: Tensor;
  gradC0?: Tensor;
}

interface CellKernels {
  gates: number;
  preparedBytes: keyof CoreExports;
  prepare: keyof CoreExports;
  forward: keyof CoreExports;
  backward: keyof CoreExports;
  forwardBytes: keyof CoreExports;
  backwardBytes: keyof CoreExports;
  /** Bytes of the buffers the parts of a split backward share. */
  backwardShared: keyof CoreExports;
}

const KERNELS: Record<CellKind, CellKernels> = {
  lstm: { gates: 4, preparedBytes: "lstmPreparedBytes", prepare: "lstmPrepare", forward: "lstmForward", backward: "lstmBackward", forwardBytes: "lstmForwardWorkspaceBytes", backwardBytes: "lstmBackwardWorkspaceBytes", backwardShared: "lstmBackwardSharedBytes" },
  gru: { gates: 3, preparedBytes: "gruPreparedBytes", prepare: "gruPrepare", forward: "gruForward", backward: "gruBackward", forwardBytes: "gruForwardWorkspaceBytes", backwardBytes: "gruBackwardWorkspaceBytes", backwardShared: "gruBackwardSharedBytes" },
  rnn: { gates: 1, preparedBytes: "rnnPreparedBytes", prepare: "rnnPrepare", forward: "rnnForward", backward: "rnnBackward", forwardBytes: "rnnForwardWorkspaceBytes", backwardBytes: "rnnBackwardWorkspaceBytes", backwardShared: "rnnBackwardSharedBytes" },
};

/** What forward leaves for backward. */
interface ForwardState {
  steps: number;
  batch: number;
  lengths: number;
  /** Plans of every (layer, direction), in PyTorch's order l·D + d, with the forward buffers filled in. */
  plans: SequencePlan[];
}

/** @internal A time-major batch already in wasm memory (pointers are byte addresses; 0 = absent). */
export interface ResidentInput {
  steps: number;
  batch: number;
  /** [T, B, I], or 0 with `tokens` */
  x: number;
  /** Instead of x: the rows of an embedding table picked by token ids (Embedding.tokenInput). */
  tokens?: TokenInput;
  /** int32 [B], or 0 when every sequence has T steps */
  lengths: number;
  /** [L·D, B, P] or 0 for zeros */
  h0: number;
  /** [L·D, B, H] or 0 for zeros (LSTM) */
  c0: number;
}

/**
 * @internal The first layer's input as embedding rows table[ids]: the kernels then project the V
 * table rows instead of the T·B input rows, and put the input gradient straight into the table's
 * gradient (no ∂input is returned).
 */
export interface TokenInput {
  /** int32 [T, B] ids in 0…vocab−1 */
  ids: number;
  vocab: number;
  /** [vocab, inputSize] */
  table: number;
  /** [vocab, inputSize], accumulated; 0 for none */
  gradTable: number;
  /** table row that gets no gradient, −1 for none */
  paddingIdx: number;
}

/** @internal Where a resident forward left its results (the layer's buffers, valid until its next call). */
export interface ResidentOutput {
  /** [T, B, D·P] */
  output: number;
  /** [L·D, B, P] */
  hN: number;
  /** [L·D, B, H] (LSTM) or 0 */
  cN: number;
}

/** @internal Gradients of a resident backward, in the layer's buffers. */
export interface ResidentGradients {
  /** [T, B, I], or 0 when the input was token ids (their gradient went to the table) */
  gradInput: number;
  /** [L·D, B, P] */
  gradH0: number;
  /** [L·D, B, H] (LSTM) or 0 */
  gradC0: number;
}

/** Cell-specific settings a subclass passes to the shared layer. */
export interface CellConfig {
  kind: CellKind;
  /** Layer name used in error messages ("LSTM"). */
  name: string;
  projSize?: number;
  peepholes?: boolean;
  flags?: number;
}

export class Recurrent extends Layer {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  /** Output size per direction: projSize for a projected LSTM, else hiddenSize. */
  readonly outputSize: number;
  /** The options this layer was built with (to rebuild it elsewhere, e.g. in a worker). */
  readonly options: Readonly<RecurrentOptions>;
  /** @internal Which cell's kernels the layer runs. */
  protected readonly kind: CellKind;
  private readonly flags: number;
  /** Which parameter version and batch kind each (layer, direction)'s prepared weights were made for. */
  private readonly preparedFor = new Map<string, { ptr: number; stamp: string }>();
  private state: ForwardState | null = null;
  /** Options blocks per direction in wasm memory (0s when the layer has PyTorch's defaults). */
  private readonly cellOptionBlocks: number[];
  /** Whether the last public forward had an unbatched [T, I] input (its backward uses the same ranks). */
  private unbatched = false;

  protected constructor(options: RecurrentOptions, cell: CellConfig) {
    optionsObject(options, `${cell.name}: options`, false);
    const inputSize = positiveInt(options.inputSize, `${cell.name}: inputSize`);
    const hiddenSize = positiveInt(options.hiddenSize, `${cell.name}: hiddenSize`);
    const numLayers = options.numLayers === undefined ? 1 : positiveInt(options.numLayers, `${cell.name}: numLayers`);
    const bias = optionalBool(options.bias, true, `${cell.name}: bias`);
    const bidirectional = optionalBool(options.bidirectional, false, `${cell.name}: bidirectional`);
    const batchFirst = optionalBool(options.batchFirst, false, `${cell.name}: batchFirst`);
    if (options.seed !== undefined && (typeof options.seed !== "number" || !Number.isInteger(options.seed))) {
      throw new ShapeError(`${cell.name}: seed must be an integer; got ${describe(options.seed)}`);
    }
    const outputSize = cell.projSize ? cell.projSize : hiddenSize;
    super(cell.name, parameterSpecs(cell.kind, inputSize, hiddenSize, outputSize, numLayers, bidirectional ? 2 : 1, bias, cell.peepholes ?? false));
    this.kind = cell.kind;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.bidirectional = bidirectional;
    this.outputSize = outputSize;
    this.options = { ...options };
    this.flags = cell.flags ?? 0;
    const blocks = encodeCellOptions(cell.kind, options.cellOptions, this.directions, cell.name);
    this.cellOptionBlocks = (blocks ?? []).map((block, d) => {
      const ptr = this.buffers.ints(`cellOptions${d}`, block.byteLength / 4);
      this.engine.writeInt32(ptr, new Int32Array(block));
      return ptr;
    });
    this.resetParameters(new Random(options.seed));
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Input features of layer l. */
  private layerInputSize(l: number): number {
    return l === 0 ? this.inputSize : this.directions * this.outputSize;
  }

  /** Uniform(−1/√H, 1/√H) for every parameter, as torch.nn.{RNN,LSTM,GRU}.reset_parameters. */
  resetParameters(random: Random = new Random()): void {
    this.checkIdle("resetParameters");
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const spec of this.params.specs) this.params.set(spec.name, random.uniformArray(spec.shape.reduce((a, b) => a * b, 1), -k, k));
  }

  // ---- forward ----------------------------------------------------------------------------------

  forward(x: TensorLike, options: ForwardOptions = {}): ForwardResult {
    this.checkIdle("forward");
    try {
      const staged = this.stageForward(x, options);
      return staged.result(this.forwardResident(staged.input));
    } catch (e) {
      throw wrapInternal(e, `${this.name}.forward`);
    }
  }

  /**
   * @internal Validates forward's arguments, writes the batch and initial states into the layer's
   * buffers (time-major), and returns them with the reader that turns the resident output into
   * forward's result. `forward` runs the kernels in between; a thread pool may run them split.
   */
  stageForward(x: TensorLike, options: ForwardOptions): { input: ResidentInput; result: (out: ResidentOutput) => ForwardResult } {
    const { steps: T, batch: B, unbatched, lengths } = this.checkForwardInputs(x, options);
    const LD = this.numLayers * this.directions, H = this.hiddenSize, P = this.outputSize, F = this.directions * P;
    const eng = this.engine, pool = this.buffers;
    const input: ResidentInput = { steps: T, batch: B, x: pool.floats("x", T * B * this.inputSize), lengths: 0, h0: 0, c0: 0 };
    this.writeTimeMajor(input.x, x.data, T, B, this.inputSize, unbatched);
    if (lengths) {
      input.lengths = pool.ints("lengths", B);
      eng.writeInt32(input.lengths, lengths);
    }
    input.h0 = this.upload("h0", options.h0);
    input.c0 = this.upload("c0", options.c0);
    const result = (out: ResidentOutput): ForwardResult => {
      this.unbatched = unbatched;
      const stateShape = (size: number) => (unbatched ? [LD, size] : [LD, B, size]);
      return {
        output: new Tensor(this.readTimeMajor(out.output, T, B, F, unbatched), unbatched ? [T, F] : this.batchFirst ? [B, T, F] : [T, B, F]),
        hN: new Tensor(eng.read(out.hN, LD * B * P), stateShape(P)),
        ...(out.cN ? { cN: new Tensor(eng.read(out.cN, LD * B * H), stateShape(H)) } : {}),
      };
    };
    return { input, result };
  }

  /**
   * @internal The forward pass over a batch already in wasm memory (time-major), for models that
   * chain layers without copying through JavaScript. Inputs are not validated here.
   */
  forwardResident(input: ResidentInput): ResidentOutput {
    this.checkIdle("forward");
    const steps = this.forwardSteps(input);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      const { plan, key } = step.value;
      this.run(plan, "forward", key);
    }
  }

  /**
   * @internal forwardResident with the cell kernels run by `execute` (which may run them elsewhere,
   * e.g. split over worker threads); `key` names the (layer, direction) for cached prepared weights.
   */
  async forwardResidentWith(input: ResidentInput, execute: (plan: SequencePlan, key: string) => Promise<void>): Promise<ResidentOutput> {
    const steps = this.forwardSteps(input);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await execute(step.value.plan, step.value.key);
    }
  }

  /** The forward pass as a sequence of kernel calls: yields each (layer, direction)'s plan, ready but
   *  for its prepared weights and workspace, and finishes that direction once resumed. */
  private *forwardSteps(input: ResidentInput): Generator<{ plan: SequencePlan; key: string }, ResidentOutput, void> {
    const { steps: T, batch: B, lengths } = input;
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize, LD = L * D;
    const eng = this.engine, pool = this.buffers;
    this.checkMemoryBudget(T, B);
    this.state = null; // buffers are about to be overwritten
    const hN = pool.floats("hN", LD * B * P);
    const cN = this.kind === "lstm" ? pool.floats("cN", LD * B * H) : 0;
    const plans: SequencePlan[] = [];
    let layerInput = input.x;
    for (let l = 0; l < L; l++) {
      const I = this.layerInputSize(l);
      // One direction over full-length sequences: the outputs are the states h[1..T] themselves
      // (no copy); otherwise they are gathered into [T, B, D·P], un-reversed, zero past L_b.
      const direct = D === 1 && lengths === 0;
      let out = direct ? 0 : pool.floats(`out${l}`, T * B * D * P);
      for (let d = 0; d < D; d++) {
        const index = l * D + d;
        const plan = this.layerPlan(l, d, T, B, lengths);
        if (l === 0 && input.tokens) {
          this.useTokens(plan, input.tokens, d, lengths);
        } else {
          plan.x = layerInput;
          if (d === 1) {
            plan.x = pool.floats(`xrev${l}`, T * B * I);
            eng.core.mapSteps(T, B, I, layerInput, I, plan.x, I, lengths, 1, 0);
          }
        }
        this.allocateStates(plan, `${l}.${d}`);
        copyOrZero(eng, input.h0 && input.h0 + index * B * P * 4, plan.h, B * P);
        if (plan.c) copyOrZero(eng, input.c0 && input.c0 + index * B * H * 4, plan.c, B * H);
        yield { plan, key: `${l}.${d}` };
        if (direct) out = plan.h + B * P * 4;
        else eng.core.mapSteps(T, B, P, plan.h + B * P * 4, P, out + d * P * 4, D * P, lengths, d, 0);
        // Final states: states are carried past each sequence's end, so step T holds h at L_b − 1.
        eng.f32.copyWithin((hN >> 2) + index * B * P, (plan.h >> 2) + T * B * P, (plan.h >> 2) + (T + 1) * B * P);
        if (cN) eng.f32.copyWithin((cN >> 2) + index * B * H, (plan.c >> 2) + T * B * H, (plan.c >> 2) + (T + 1) * B * H);
        plans.push(plan);
      }
      layerInput = out;
    }
    this.state = { steps: T, batch: B, lengths, plans };
    return { output: layerInput, hN, cN };
  }

  /**
   * @internal Threads to split a forward or backward kernel over, out of `threads`: by batch rows (at
   * most one part per row), or for one sequence by hidden units when `splittable`; 1 when the kernel
   * is too small for the split to pay for waking the threads and their barriers.
   */
  splitParts(plan: SequencePlan, threads: number): number {
    const multiplyAdds = plan.steps * plan.batch * KERNELS[this.kind].gates * this.hiddenSize * (plan.inputSize + plan.outputSize);
    if (threads < 2 || multiplyAdds < SPLIT_MIN_MULTIPLY_ADDS) return 1;
    if (plan.batch > 1) return Math.min(threads, plan.batch);
    return this.splittable && plan.tokens === 0 ? Math.min(threads, this.hiddenSize >> 2) : 1;
  }

  /**
   * @internal Whether a batch-1 forward or backward is worth splitting over threads by hidden units:
   * not for an LSTM with projection or a reset-before GRU (their steps need all units mid-step), and
   * only when a step's hidden product is large enough (≥ 128k multiply-adds, e.g. an LSTM or GRU with
   * H ≥ 256) for the work saved to outweigh a barrier per step (measured: LSTM H 256 1.7× on 2
   * threads, RNN H 256 none).
   */
  get splittable(): boolean {
    const structural = this.outputSize === this.hiddenSize && !(this.kind === "gru" && (this.flags & FLAG_RESET_AFTER) === 0) && this.cellOptionBlocks.length === 0;
    return structural && KERNELS[this.kind].gates * this.hiddenSize * this.outputSize >= 131072;
  }

  /** @internal The name of this cell's forward kernel (for threads running a part of it). */
  get forwardKernel(): TeamKernel {
    return KERNELS[this.kind].forward as TeamKernel;
  }

  /**
   * @internal Plans for running `plan` split over `parts` threads that meet at `barrier`, each with
   * its part index and a workspace from `workspace(part, bytes)`. A batch is split by rows: the
   * buffers and the prepared weights are the plan's own. One sequence is split by hidden units: each
   * part has its own prepared weights (its units' rows of W_hh, cached like whole ones).
   */
  partPlans(plan: SequencePlan, key: string, parts: number, barrier: number, workspace: (part: number, bytes: number) => number): SequencePlan[] {
    const core = this.engine.core as unknown as Record<string, (plan: number) => number>;
    const k = KERNELS[this.kind];
    const byUnits = plan.batch === 1 && parts > 1;
    if (!byUnits) plan.prepared = this.preparedWeights(plan, key);
    return Array.from({ length: parts }, (_, part) => {
      const partPlan: SequencePlan = { ...plan, part, parts, barrier, work: 0 };
      if (byUnits) partPlan.prepared = this.preparedWeights(partPlan, `${key}#${part}/${parts}`);
      partPlan.work = workspace(part, core[k.forwardBytes](this.engine.writePlan(partPlan)));
      return partPlan;
    });
  }

  /** Plans for a backward split over `parts` threads of `team` (a batch by rows, one sequence by
   *  units: the kernel takes its share from the plan): each with its part index, the barrier and a
   *  workspace, all with the one buffer of the gate gradients they share. */
  private backwardPlans(plan: SequencePlan, parts: number, team: ThreadTeam): SequencePlan[] {
    const core = this.engine.core as unknown as Record<string, (plan: number) => number>;
    const k = KERNELS[this.kind];
    const split: SequencePlan = { ...plan, parts, barrier: team.barrier, work: 0, shared: 0 };
    split.shared = team.buffer(0, core[k.backwardShared](this.engine.writePlan(split)));
    const bytes = core[k.backwardBytes](this.engine.writePlan(split));
    return Array.from({ length: parts }, (_, part) => ({ ...split, part, work: part === 0 ? this.engine.scratch(bytes) : team.buffer(part, bytes) }));
  }

  /** @internal A float buffer of at least `bytes` kept with the layer's buffers under `name`. */
  scratchBuffer(name: string, bytes: number): number {
    return this.buffers.floats(name, Math.ceil(bytes / 4));
  }

  /** @internal Validates forward's arguments (as forward does) and returns the sizes and lengths. */
  checkForwardInputs(x: TensorLike, options: ForwardOptions) {
    const where = `${this.name}.forward`;
    checkTensor(x, `${where}: x`);
    optionsObject(options, `${where}: options`, false);
    const rank = x.shape.length;
    if (rank !== 2 && rank !== 3) {
      throw new ShapeError(`${where}: x must have rank 3 (${this.batchFirst ? "[B, T, I]" : "[T, B, I]"}) or 2 ([T, I]); got rank ${rank}`);
    }
    const unbatched = rank === 2;
    const T = unbatched ? x.shape[0] : this.batchFirst ? x.shape[1] : x.shape[0];
    const B = unbatched ? 1 : this.batchFirst ? x.shape[0] : x.shape[1];
    const layout = unbatched ? "[T, I]" : this.batchFirst ? "[B, T, I]" : "[T, B, I]";
    if (x.shape[rank - 1] !== this.inputSize) {
      throw new ShapeError(`${where}: x must have ${this.inputSize} features in its last dimension (${layout}); got shape [${x.shape.join(", ")}]`);
    }
    if (T < 1 || B < 1) throw new ShapeError(`${where}: x must have at least one step and one sequence; got shape [${x.shape.join(", ")}]`);
    checkFinite(x.data, `${where}: x`);
    const LD = this.numLayers * this.directions;
    const stateShape = (size: number) => (unbatched ? [LD, size] : [LD, B, size]);
    checkState(options.h0, stateShape(this.outputSize), `${where}: h0`, " (layers·directions, batch, output size)");
    if (options.c0 !== undefined && this.kind !== "lstm") throw new ShapeError(`${where}: c0 is only for LSTM`);
    checkState(options.c0, stateShape(this.hiddenSize), `${where}: c0`, " (layers·directions, batch, hidden size)");
    let lengths: Int32Array | null = null;
    if (options.lengths !== undefined && options.lengths !== null) {
      lengths = checkLengths(options.lengths, B, T, where, unbatched);
    }
    this.checkMemoryBudget(T, B);
    return { steps: T, batch: B, unbatched, lengths };
  }

  /** Points a first-layer plan at token inputs (reversed in time for the reverse direction: ids are
   *  4-byte values, which mapSteps moves like floats; steps past a sequence's end get id 0). */
  private useTokens(plan: SequencePlan, tokens: TokenInput, d: number, lengths: number): void {
    const { steps: T, batch: B } = plan;
    plan.tokens = tokens.ids;
    if (d === 1) {
      plan.tokens = this.buffers.ints("tokensrev", T * B);
      this.engine.core.mapSteps(T, B, 1, tokens.ids, 1, plan.tokens, 1, lengths, 1, 0);
    }
    plan.vocab = tokens.vocab;
    plan.table = tokens.table;
    plan.gradTable = tokens.gradTable;
    plan.paddingIdx = tokens.paddingIdx;
  }

  /** Plan of layer l, direction d: sizes and parameter pointers. */
  private layerPlan(l: number, d: number, T: number, B: number, lengthsPtr: number): SequencePlan {
    const s = suffix(l, d);
    const p = this.params;
    const plan = emptyPlan();
    plan.steps = T;
    plan.batch = B;
    plan.inputSize = this.layerInputSize(l);
    plan.hiddenSize = this.hiddenSize;
    plan.outputSize = this.outputSize;
    plan.flags = this.flags;
    plan.lengths = lengthsPtr;
    plan.wIh = p.ptr(`weight_ih${s}`);
    plan.wHh = p.ptr(`weight_hh${s}`);
    plan.bIh = p.ptr(`bias_ih${s}`);
    plan.bHh = p.ptr(`bias_hh${s}`);
    plan.wHr = p.ptr(`weight_hr${s}`);
    plan.peepholes = p.ptr(`weight_ph${s}`);
    plan.gradWIh = p.gradPtr(`weight_ih${s}`);
    plan.gradWHh = p.gradPtr(`weight_hh${s}`);
    plan.gradBIh = p.gradPtr(`bias_ih${s}`);
    plan.gradBHh = p.gradPtr(`bias_hh${s}`);
    plan.gradWHr = p.gradPtr(`weight_hr${s}`);
    plan.gradPeepholes = p.gradPtr(`weight_ph${s}`);
    plan.cellOptions = this.cellOptionBlocks[d] ?? 0;
    return plan;
  }

  /** Buffers the forward kernel fills and backward reads, named per (layer, direction). */
  /**
   * Refuses a forward whose states, gates and outputs alone (what the layer keeps for backward) would
   * not fit under the memory limit, before anything is allocated; the buffers the layer already holds
   * count as available, since the call reuses them.
   */
  private checkMemoryBudget(T: number, B: number): void {
    const H = this.hiddenSize, P = this.outputSize, G = KERNELS[this.kind].gates;
    const perDirection = (T + 1) * B * P + (this.kind === "rnn" ? 0 : T * B * G * H) + (this.kind === "lstm" ? (T + 1) * B * H : 0);
    const needed = 4 * (this.numLayers * (this.directions * perDirection + T * B * this.directions * P));
    const available = this.engine.arena.availableBytes + this.buffers.heldBytes;
    if (needed > available) {
      throw new ResourceError(`${this.name}.forward: ${T} steps × ${B} sequences need at least ${formatBytes(needed)} of wasm memory, but the memory limit leaves ${formatBytes(available)}; ` +
        "use shorter or fewer sequences, or raise init({ memoryLimitBytes })");
    }
  }

  private allocateStates(plan: SequencePlan, key: string): void {
    const { steps: T, batch: B } = plan;
    const H = this.hiddenSize, P = this.outputSize, pool = this.buffers;
    plan.h = pool.floats(`h${key}`, (T + 1) * B * P);
    plan.gates = this.kind === "rnn" ? 0 : pool.floats(`gates${key}`, T * B * KERNELS[this.kind].gates * H);
    plan.c = this.kind === "lstm" ? pool.floats(`c${key}`, (T + 1) * B * H) : 0;
    const needsExtra = this.kind === "gru" || P !== H;
    plan.extra = needsExtra ? pool.floats(`extra${key}`, T * B * H) : 0;
  }

  /**
   * The hidden-side weights laid out for this batch size (row panels for batch 1, GEMM panels
   * otherwise), made once and reused until the parameters change or the batch kind switches.
   */
  private preparedWeights(plan: SequencePlan, key: string): number {
    const k = KERNELS[this.kind];
    const core = this.engine.core as unknown as Record<string, (plan: number) => number>;
    plan.prepared = this.buffers.floats(`prepared${key}`, core[k.preparedBytes](this.engine.writePlan(plan)) / 4);
    const stamp = `${this.params.version}:${plan.batch === 1 ? "row panels" : "gemm panels"}`;
    const held = this.preparedFor.get(key);
    if (!held || held.ptr !== plan.prepared || held.stamp !== stamp) {
      core[k.prepare](this.engine.writePlan(plan));
      this.preparedFor.set(key, { ptr: plan.prepared, stamp });
    }
    return plan.prepared;
  }

  /** Calls a cell kernel with a workspace of the size the kernel asks for (forward: with the weights
   *  prepared, cached under `key`), split over the engine's thread team when it is big enough. */
  private run(plan: SequencePlan, pass: "forward" | "backward", key: string): void {
    const k = KERNELS[this.kind];
    const core = this.engine.core as unknown as Record<string, (plan: number) => number>;
    const team = this.engine.team;
    const parts = team ? this.splitParts(plan, team.size) : 1;
    if (team && parts > 1) {
      const plans = pass === "forward"
        ? this.partPlans(plan, key, parts, team.barrier, (part, bytes) => (part === 0 ? this.engine.scratch(bytes) : team.buffer(part, bytes)))
        : this.backwardPlans(plan, parts, team);
      team.run((pass === "forward" ? k.forward : k.backward) as TeamKernel, plans.map(encodePlan));
      return;
    }
    if (pass === "forward") plan.prepared = this.preparedWeights(plan, key);
    plan.work = 0;
    const bytes = core[pass === "forward" ? k.forwardBytes : k.backwardBytes](this.engine.writePlan(plan));
    plan.work = this.engine.scratch(bytes);
    core[pass === "forward" ? k.forward : k.backward](this.engine.writePlan(plan));
  }

  /** Copies an optional tensor into the layer's buffer `name`; 0 when absent. */
  private upload(name: string, t: TensorLike | undefined): number {
    if (!t) return 0;
    const ptr = this.buffers.floats(name, t.data.length);
    this.engine.write(ptr, t.data);
    return ptr;
  }

  /** Copies [T, B, F] (or [B, T, F] when batchFirst) into time-major wasm memory. */
  private writeTimeMajor(ptr: number, data: Float32Array, T: number, B: number, F: number, unbatched: boolean): void {
    if (!this.batchFirst || unbatched || B === 1) {
      this.engine.write(ptr, data);
      return;
    }
    const dst = this.engine.view(ptr, T * B * F);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) dst.set(data.subarray((b * T + t) * F, (b * T + t + 1) * F), (t * B + b) * F);
  }

  /** Copies time-major [T, B, F] out of wasm memory, as [B, T, F] when batchFirst. */
  private readTimeMajor(ptr: number, T: number, B: number, F: number, unbatched: boolean): Float32Array {
    if (!this.batchFirst || unbatched || B === 1) return this.engine.read(ptr, T * B * F);
    const src = this.engine.view(ptr, T * B * F);
    const out = new Float32Array(T * B * F);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(src.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + t) * F);
    return out;
  }

  // ---- backward ---------------------------------------------------------------------------------

  /**
   * Backpropagation through time from the last forward call. Accumulates parameter gradients (read
   * them with grads()) and returns the gradients of the input and the initial states.
   * `gradOutput` may be null when only the final states carry a loss.
   */
  backward(gradOutput: TensorLike | null, options: BackwardOptions = {}): BackwardResult {
    this.checkIdle("backward");
    const where = `${this.name}.backward`;
    const state = this.state;
    if (!state) throw new ShapeError(`${where}: call forward first (backward uses the buffers of the last forward call)`);
    optionsObject(options, `${where}: options`, false);
    if (this.cellOptionBlocks.length) throw new UnsupportedError(`${where}: layers with ONNX/Keras cell options (activations, clip, coupled gates) run forward only`);
    const { steps: T, batch: B } = state;
    const unbatched = this.unbatched;
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize, LD = L * D, F = D * P;
    const outShape = unbatched ? [T, F] : this.batchFirst ? [B, T, F] : [T, B, F];
    const stateShape = (size: number) => (unbatched ? [LD, size] : [LD, B, size]);
    checkState(gradOutput ?? undefined, outShape, `${where}: gradOutput`, " (the shape of output)");
    checkState(options.gradHN, stateShape(P), `${where}: gradHN`, " (the shape of hN)");
    if (options.gradCN !== undefined && this.kind !== "lstm") throw new ShapeError(`${where}: gradCN is only for LSTM`);
    checkState(options.gradCN, stateShape(H), `${where}: gradCN`, " (the shape of cN)");
    const eng = this.engine, pool = this.buffers;
    try {
      const gradients = { gradOutput: 0, gradHN: this.upload("gradHN", options.gradHN), gradCN: this.upload("gradCN", options.gradCN) };
      if (gradOutput) {
        gradients.gradOutput = pool.floats("dout", T * B * F);
        this.writeTimeMajor(gradients.gradOutput, gradOutput.data, T, B, F, unbatched);
      }
      const back = this.backwardResident(gradients);
      const I = this.inputSize;
      const result: BackwardResult = {
        gradInput: new Tensor(this.readTimeMajor(back.gradInput, T, B, I, unbatched), unbatched ? [T, I] : this.batchFirst ? [B, T, I] : [T, B, I]),
        gradH0: new Tensor(eng.read(back.gradH0, LD * B * P), stateShape(P)),
      };
      if (back.gradC0) result.gradC0 = new Tensor(eng.read(back.gradC0, LD * B * H), stateShape(H));
      return result;
    } catch (e) {
      throw wrapInternal(e, where);
    }
  }

  /**
   * @internal Backward over the last resident forward: time-major gradient buffers in wasm memory
   * (0 = zeros). Parameter gradients accumulate; results are in the layer's buffers.
   */
  backwardResident(gradients: { gradOutput: number; gradHN: number; gradCN: number }): ResidentGradients {
    const where = `${this.name}.backward`;
    this.checkIdle("backward");
    const state = this.state;
    if (!state) throw new ShapeError(`${where}: call forward first (backward uses the buffers of the last forward call)`);
    if (this.cellOptionBlocks.length) throw new UnsupportedError(`${where}: layers with ONNX/Keras cell options (activations, clip, coupled gates) run forward only`);
    const { steps: T, batch: B, plans, lengths } = state;
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize, LD = L * D;
    const eng = this.engine, pool = this.buffers;
    const gradH0 = pool.floats("gradH0", LD * B * P);
    const gradC0 = this.kind === "lstm" ? pool.floats("gradC0", LD * B * H) : 0;
    const dh = pool.floats("dh", B * P);
    const dc = this.kind === "lstm" ? pool.floats("dc", B * H) : 0;
    let dOut = gradients.gradOutput;
    for (let l = L - 1; l >= 0; l--) {
      const I = this.layerInputSize(l);
      // Token inputs have no ∂input: their gradient goes into the embedding table.
      const dIn = plans[l * D].tokens ? 0 : pool.floats(`din${l % 2}`, T * B * I);
      for (let d = 0; d < D; d++) {
        const index = l * D + d;
        const plan = plans[index];
        // This direction's slice of ∂L/∂output, in its own time order.
        plan.gradOutput = 0;
        if (dOut) {
          plan.gradOutput = pool.floats("doutdir", T * B * P);
          eng.core.mapSteps(T, B, P, dOut + d * P * 4, D * P, plan.gradOutput, P, lengths, d, 0);
        }
        copyOrZero(eng, gradients.gradHN && gradients.gradHN + index * B * P * 4, dh, B * P);
        if (dc) copyOrZero(eng, gradients.gradCN && gradients.gradCN + index * B * H * 4, dc, B * H);
        plan.gradH = dh;
        plan.gradC = dc;
        plan.gradX = dIn && (d === 0 ? dIn : pool.floats("dxrev", T * B * I));
        this.run(plan, "backward", `${l}.${d}`);
        if (d === 1 && plan.gradX) eng.core.mapSteps(T, B, I, plan.gradX, I, dIn, I, lengths, 1, 1);
        eng.f32.copyWithin((gradH0 >> 2) + index * B * P, dh >> 2, (dh >> 2) + B * P);
        if (gradC0) eng.f32.copyWithin((gradC0 >> 2) + index * B * H, dc >> 2, (dc >> 2) + B * H);
      }
      dOut = dIn;
    }
    return { gradInput: dOut, gradH0, gradC0 };
  }

  override dispose(): void {
    this.state = null;
    super.dispose();
  }
}

/** Checks per-sequence lengths: one integer in 1…T per sequence, any order. */
function checkLengths(given: ArrayLike<number>, B: number, T: number, where: string, unbatched: boolean): Int32Array {
  if (typeof given !== "object" || typeof given.length !== "number") throw new ShapeError(`${where}: lengths must be an array of integers`);
  if (unbatched) throw new ShapeError(`${where}: lengths need a batched input`);
  if (given.length !== B) throw new ShapeError(`${where}: lengths must have one entry per sequence (${B}); got ${given.length}`);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const n = given[b];
    if (!Number.isInteger(n) || n < 1 || n > T) {
      throw new ShapeError(`${where}: lengths[${b}] must be an integer from 1 to ${T} (the number of steps); got ${describe(n)}`);
    }
    lengths[b] = n;
  }
  return lengths;
}

/** Checks an optional tensor argument: exactly `shape` (when given) and finite. */
function checkState(t: TensorLike | undefined, shape: number[], what: string, hint: string): void {
  if (t === undefined) return;
  checkTensor(t, what);
  checkShape(t, shape, what, hint);
  checkFinite(t.data, what);
}

/** Copies n floats from src to dst, or zeroes dst when src is 0. */
function copyOrZero(eng: Engine, src: number, dst: number, n: number): void {
  if (src) eng.f32.copyWithin(dst >> 2, src >> 2, (src >> 2) + n);
  else eng.fill(dst, n);
}

/** PyTorch's parameter names and shapes, in PyTorch's order. */
function parameterSpecs(kind: CellKind, inputSize: number, H: number, P: number, layers: number, directions: number, bias: boolean, peepholes: boolean): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const G = KERNELS[kind].gates * H;
  for (let l = 0; l < layers; l++) {
    for (let d = 0; d < directions; d++) {
      const s = suffix(l, d);
      specs.push({ name: `weight_ih${s}`, shape: [G, l === 0 ? inputSize : directions * P] });
      specs.push({ name: `weight_hh${s}`, shape: [G, P] });
      if (bias) {
        specs.push({ name: `bias_ih${s}`, shape: [G] });
        specs.push({ name: `bias_hh${s}`, shape: [G] });
      }
      if (P !== H) specs.push({ name: `weight_hr${s}`, shape: [P, H] });
      if (peepholes) specs.push({ name: `weight_ph${s}`, shape: [3 * H] });
    }
  }
  return specs;
}

function suffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? "_reverse" : ""}`;
}
