// The machinery under the RNN, LSTM and GRU layers: a stack of layers and directions over buffers
// already in wasm memory (time-major), run as one cell-kernel call per (layer, direction), split
// over the engine's thread team when it is big enough; models and the worker pool use it directly.
// The public tensor-in/tensor-out layer (recurrent.ts) builds on it. No math happens here.
//
// The reverse direction runs the same kernel on each sequence reversed within its own length, so
// variable-length batches behave like PyTorch packed sequences.

import { encodePlan, type Engine } from "../engine/engine.js";
import { CELLS, cellKernels, type CellKernels, type CellKind, type CellRow } from "../engine/cells.js";
import { SPLIT_MIN_MULTIPLY_ADDS, type TeamKernel } from "../engine/threads/team-control.js";
import type { ThreadTeam } from "../engine/threads/team.js";
import { emptyPlan, FLAG_INT8, type PlanField, type SequencePlan } from "../engine/abi.js";
import { ResourceError, ShapeError, UnsupportedError } from "../errors.js";
import { formatBytes } from "../engine/arena.js";
import { backwardRefusal, encodeCellOptions, type CellOptions } from "./cell-options.js";
import { Layer } from "./layer.js";
import { parameterSpecs, suffix } from "./recurrent-parameters.js";
import { scaleName } from "./quantize.js";

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

/** Each parameter (PyTorch's name without the layer suffix) and the plan fields of it and its gradient. */
const PLAN_PARAMETERS: readonly [string, PlanField, PlanField][] = [
  ["weight_ih", "wIh", "gradWIh"], ["weight_hh", "wHh", "gradWHh"], ["bias_ih", "bIh", "gradBIh"],
  ["bias_hh", "bHh", "gradBHh"], ["weight_hr", "wHr", "gradWHr"], ["weight_ph", "peepholes", "gradPeepholes"],
];

/** @internal What the layer validated and the stack is built from. */
export interface StackGeometry {
  kind: CellKind;
  /** Layer name used in error messages ("LSTM"). */
  name: string;
  inputSize: number;
  hiddenSize: number;
  /** projSize for a projected LSTM, else hiddenSize. */
  outputSize: number;
  numLayers: number;
  bias: boolean;
  bidirectional: boolean;
  peepholes: boolean;
  flags: number;
  cellOptions?: CellOptions;
  /** int8 weights (quantized inference). */
  quantized: boolean;
}

/** The layers and directions of a recurrent layer over buffers in wasm memory: what RNN, LSTM and GRU
 *  (recurrent.ts), models and the worker pool run the cell kernels through. */
export abstract class RecurrentStack extends Layer {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly bidirectional: boolean;
  /** Output size per direction: projSize for a projected LSTM, else hiddenSize. */
  readonly outputSize: number;
  /** @internal Which cell's kernels the layer runs. */
  protected readonly kind: CellKind;
  /** @internal Plan flags (RNN ReLU, GRU reset-after). */
  protected readonly flags: number;
  /** Which parameter version and batch kind each (layer, direction)'s prepared weights were made for
   *  (stamp: version·2 + 1 for batch 1's row panels), and their size. */
  private readonly preparedFor = new Map<string, { ptr: number; stamp: number; floats: number }>();
  /** Each (layer, direction)'s plan with its parameter pointers, for a parameter version (rebuilt
   *  when it changes; a batch-1 step spent a third of its JavaScript time building plans). */
  private readonly planBases: { version: number; plan: SequencePlan }[] = [];
  /** Workspace bytes of a forward by plan shape (layer and direction, steps, batch, tokens). */
  private readonly workspaceBytes = new Map<string, number>();
  /** @internal What the last forward left for backward. */
  protected state: ForwardState | null = null;
  /** This cell's kernels in the engine's core. */
  private readonly kernels: CellKernels;
  /** Options blocks per direction in wasm memory (0s when the layer has PyTorch's defaults). */
  protected readonly cellOptionBlocks: number[];
  /** @internal Why the layer's cell options make it forward only (a clip), or null. */
  readonly backwardRefusal: string | null;

  /** @internal Built by the layer class, from the geometry it validated. */
  protected constructor(geometry: StackGeometry) {
    const { kind, name, inputSize, hiddenSize, outputSize, numLayers, bias, bidirectional } = geometry;
    super(name, parameterSpecs(kind, inputSize, hiddenSize, outputSize, numLayers, bidirectional ? 2 : 1, bias, geometry.peepholes, geometry.quantized));
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.bidirectional = bidirectional;
    this.outputSize = outputSize;
    this.flags = geometry.flags | (geometry.quantized ? FLAG_INT8 : 0);
    this.kernels = cellKernels(this.engine.core, kind);
    const blocks = encodeCellOptions(kind, geometry.cellOptions, this.directions, name);
    this.backwardRefusal = backwardRefusal(geometry.cellOptions);
    this.cellOptionBlocks = (blocks ?? []).map((block, d) => {
      const ptr = this.buffers.ints(`cellOptions${d}`, block.byteLength / 4);
      this.engine.writeInt32(ptr, new Int32Array(block));
      return ptr;
    });
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Input features of layer l. */
  protected layerInputSize(l: number): number {
    return l === 0 ? this.inputSize : this.directions * this.outputSize;
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
    const cN = CELLS[this.kind].cellState ? pool.floats("cN", LD * B * H) : 0;
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
    const multiplyAdds = plan.steps * plan.batch * CELLS[this.kind].gates * this.hiddenSize * (plan.inputSize + plan.outputSize);
    if (threads < 2 || multiplyAdds < SPLIT_MIN_MULTIPLY_ADDS) return 1;
    if (plan.batch > 1) return Math.min(threads, plan.batch);
    return this.splittable && plan.tokens === 0 ? Math.min(threads, this.hiddenSize >> 2) : 1;
  }

  /** Parts for the engine's thread team: splitParts, where this engine measured that kind of split
   *  to pay (layers/team-warm-up.ts). */
  private teamParts(plan: SequencePlan, threads: number): number {
    const parts = this.splitParts(plan, threads);
    const pays = plan.batch > 1 ? this.engine.splitsPay.rows : this.engine.splitsPay.units;
    return parts > 1 && pays ? parts : 1;
  }

  /**
   * @internal Whether a batch-1 forward or backward is worth splitting over threads by hidden units:
   * not for an LSTM with projection or a reset-before GRU (their steps need all units mid-step), and
   * only when a step's hidden product is large enough (≥ 128k multiply-adds, e.g. an LSTM or GRU with
   * H ≥ 256) for the work saved to outweigh a barrier per step (measured: LSTM H 256 1.7× on 2
   * threads, RNN H 256 none).
   */
  get splittable(): boolean {
    const split: boolean | number = (CELLS[this.kind] as CellRow).unitsSplit;
    const structural = this.outputSize === this.hiddenSize && (typeof split === "number" ? (this.flags & split) !== 0 : split) && this.cellOptionBlocks.length === 0;
    return structural && CELLS[this.kind].gates * this.hiddenSize * this.outputSize >= 131072;
  }

  /** @internal The cell this layer runs (engine/cells.ts's row). */
  get cell(): CellKind {
    return this.kind;
  }

  /** @internal The name of this cell's forward kernel (for threads running a part of it). */
  get forwardKernel(): TeamKernel {
    return `${this.kind}.forward`;
  }

  /**
   * @internal Plans for running `plan` split over `parts` threads that meet at `barrier`, each with
   * its part index and a workspace from `workspace(part, bytes)`. A batch is split by rows: the
   * buffers and the prepared weights are the plan's own. One sequence is split by hidden units: each
   * part has its own prepared weights (its units' rows of W_hh, cached like whole ones).
   */
  partPlans(plan: SequencePlan, key: string, parts: number, barrier: number, workspace: (part: number, bytes: number) => number): SequencePlan[] {
    const byUnits = plan.batch === 1 && parts > 1;
    if (!byUnits) plan.prepared = this.preparedWeights(plan, key);
    return Array.from({ length: parts }, (_, part) => {
      const partPlan: SequencePlan = { ...plan, part, parts, barrier, work: 0 };
      if (byUnits) partPlan.prepared = this.preparedWeights(partPlan, `${key}#${part}/${parts}`);
      partPlan.work = workspace(part, this.kernels.forwardBytes(this.engine.writePlan(partPlan)));
      return partPlan;
    });
  }

  /** Plans for a backward split over `parts` threads of `team` (a batch by rows, one sequence by
   *  units: the kernel takes its share from the plan): each with its part index, the barrier and a
   *  workspace, all with the one buffer of the gate gradients they share. */
  private backwardPlans(plan: SequencePlan, parts: number, team: ThreadTeam): SequencePlan[] {
    const split: SequencePlan = { ...plan, parts, barrier: team.barrier, work: 0, shared: 0 };
    split.shared = team.buffer(0, this.kernels.backwardShared(this.engine.writePlan(split)));
    const bytes = this.kernels.backwardBytes(this.engine.writePlan(split));
    return Array.from({ length: parts }, (_, part) => ({ ...split, part, work: part === 0 ? this.engine.scratch(bytes) : team.buffer(part, bytes) }));
  }

  /** @internal A float buffer of at least `bytes` kept with the layer's buffers under `name`. */
  scratchBuffer(name: string, bytes: number): number {
    return this.buffers.floats(name, Math.ceil(bytes / 4));
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
    const p = this.params;
    const index = l * this.directions + d;
    let base = this.planBases[index];
    if (!base || base.version !== p.version) {
      const s = suffix(l, d);
      const plan = emptyPlan();
      plan.inputSize = this.layerInputSize(l);
      plan.hiddenSize = this.hiddenSize;
      plan.outputSize = this.outputSize;
      plan.flags = this.flags;
      for (const [name, field, gradField] of PLAN_PARAMETERS) {
        plan[field] = p.ptr(`${name}${s}`);
        plan[gradField] = p.gradPtr(`${name}${s}`);
      }
      plan.wIhScale = p.ptr(scaleName(`weight_ih${s}`));
      plan.wHhScale = p.ptr(scaleName(`weight_hh${s}`));
      plan.wHrScale = p.ptr(scaleName(`weight_hr${s}`));
      plan.cellOptions = this.cellOptionBlocks[d] ?? 0;
      base = this.planBases[index] = { version: p.version, plan };
    }
    const plan = { ...base.plan };
    plan.steps = T;
    plan.batch = B;
    plan.lengths = lengthsPtr;
    return plan;
  }

  /**
   * Refuses a forward whose states, gates and outputs alone (what the layer keeps for backward) would
   * not fit under the memory limit, before anything is allocated; the buffers the layer already holds
   * count as available, since the call reuses them.
   */
  protected checkMemoryBudget(T: number, B: number): void {
    const H = this.hiddenSize, P = this.outputSize, G = CELLS[this.kind].gates;
    const perDirection = (T + 1) * B * P + (CELLS[this.kind].savesGates ? T * B * G * H : 0) + (CELLS[this.kind].cellState ? (T + 1) * B * H : 0);
    const needed = 4 * (this.numLayers * (this.directions * perDirection + T * B * this.directions * P));
    const available = this.engine.arena.availableBytes + this.buffers.heldBytes;
    if (needed > available) {
      throw new ResourceError(`${this.name}.forward: ${T} steps × ${B} sequences need at least ${formatBytes(needed)} of wasm memory, but the memory limit leaves ${formatBytes(available)}; ` +
        "use shorter or fewer sequences, or raise init({ memoryLimitBytes })");
    }
  }

  /** Buffers the forward kernel fills and backward reads, named per (layer, direction). */
  private allocateStates(plan: SequencePlan, key: string): void {
    const { steps: T, batch: B } = plan;
    const H = this.hiddenSize, P = this.outputSize, pool = this.buffers;
    plan.h = pool.floats(`h${key}`, (T + 1) * B * P);
    const cell: CellRow = CELLS[this.kind];
    plan.gates = cell.savesGates ? pool.floats(`gates${key}`, T * B * cell.gates * H) : 0;
    plan.c = cell.cellState ? pool.floats(`c${key}`, (T + 1) * B * H) : 0;
    plan.extra = cell.extra || P !== H ? pool.floats(`extra${key}`, T * B * H) : 0;
  }

  /**
   * The hidden-side weights laid out for this batch size (row panels for batch 1, GEMM panels
   * otherwise), made once and reused until the parameters change or the batch kind switches.
   */
  private preparedWeights(plan: SequencePlan, key: string): number {
    const stamp = this.params.version * 2 + (plan.batch === 1 ? 1 : 0);
    const held = this.preparedFor.get(key);
    // Same weights, same layout: the buffer as it is (asked for by size, so a pool that moved it shows).
    if (held && held.stamp === stamp && this.buffers.floats(`prepared${key}`, held.floats) === held.ptr) return held.ptr;
    const floats = this.kernels.preparedBytes(this.engine.writePlan(plan)) / 4;
    plan.prepared = this.buffers.floats(`prepared${key}`, floats);
    this.kernels.prepare(this.engine.writePlan(plan));
    this.preparedFor.set(key, { ptr: plan.prepared, stamp, floats });
    return plan.prepared;
  }

  /** Calls a cell kernel with a workspace of the size the kernel asks for (forward: with the weights
   *  prepared, cached under `key`), split over the engine's thread team when it is big enough. */
  private run(plan: SequencePlan, pass: "forward" | "backward", key: string): void {
    if (this.quantized) this.engine.readyIntegerDot();
    const team = this.engine.team;
    const parts = team ? this.teamParts(plan, team.size) : 1;
    if (team && parts > 1) {
      const plans = pass === "forward"
        ? this.partPlans(plan, key, parts, team.barrier, (part, bytes) => (part === 0 ? this.engine.scratch(bytes) : team.buffer(part, bytes)))
        : this.backwardPlans(plan, parts, team);
      team.run(`${this.kind}.${pass}`, plans.map(encodePlan));
      return;
    }
    if (pass === "forward") plan.prepared = this.preparedWeights(plan, key);
    plan.work = 0;
    const bytes = pass === "forward" ? this.forwardWorkspace(plan, key) : this.kernels.backwardBytes(this.engine.writePlan(plan));
    plan.work = this.engine.scratch(bytes);
    this.kernels[pass](this.engine.writePlan(plan));
  }

  /** A forward kernel's workspace bytes, asked of the kernel once per plan shape. */
  private forwardWorkspace(plan: SequencePlan, key: string): number {
    const shape = `${key}|${plan.steps}|${plan.batch}|${plan.tokens ? plan.vocab : 0}`;
    let bytes = this.workspaceBytes.get(shape);
    if (bytes === undefined) {
      bytes = this.kernels.forwardBytes(this.engine.writePlan(plan));
      this.workspaceBytes.set(shape, bytes);
    }
    return bytes;
  }

  /**
   * @internal Backward over the last resident forward: time-major gradient buffers in wasm memory
   * (0 = zeros). Parameter gradients accumulate; results are in the layer's buffers.
   */
  backwardResident(gradients: { gradOutput: number; gradHN: number; gradCN: number }): ResidentGradients {
    const where = `${this.name}.backward`;
    this.checkIdle("backward");
    this.refuseQuantized(where);
    const state = this.state;
    if (!state) throw new ShapeError(`${where}: call forward first (backward uses the buffers of the last forward call)`);
    this.refuseForwardOnly(where);
    const { steps: T, batch: B, plans, lengths } = state;
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize, LD = L * D;
    const eng = this.engine, pool = this.buffers;
    const gradH0 = pool.floats("gradH0", LD * B * P);
    const gradC0 = CELLS[this.kind].cellState ? pool.floats("gradC0", LD * B * H) : 0;
    const dh = pool.floats("dh", B * P);
    const dc = CELLS[this.kind].cellState ? pool.floats("dc", B * H) : 0;
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

  /** @internal An UnsupportedError, for `where`, when the layer's cell options make it forward only. */
  refuseForwardOnly(where: string): void {
    if (this.backwardRefusal) throw new UnsupportedError(`${where}: a layer with ${this.backwardRefusal} runs forward only`);
  }

  override dispose(): void {
    this.state = null;
    super.dispose();
  }
}

/** Copies n floats from src to dst, or zeroes dst when src is 0. */
function copyOrZero(eng: Engine, src: number, dst: number, n: number): void {
  if (src) eng.f32.copyWithin(dst >> 2, src >> 2, (src >> 2) + n);
  else eng.fill(dst, n);
}
