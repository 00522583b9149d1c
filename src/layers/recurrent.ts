// The recurrent layer shared by RNN, LSTM and GRU: options, PyTorch-named parameters, validation,
// and the orchestration of stacked and bidirectional sequences over the wasm cell kernels (one call
// per layer and direction; the loop over time steps stays inside wasm). No math happens here.
//
// Layout inside: time-major [T, B, F]. The reverse direction runs the same kernel on each sequence
// reversed within its own length, so variable-length batches behave like PyTorch packed sequences.

import { engine, type Engine } from "../engine/engine.js";
import { emptyPlan, type CoreExports, type SequencePlan } from "../engine/abi.js";
import { ResourceError, ShapeError, WasmRnnError } from "../errors.js";
import { Random } from "../random.js";
import { Tensor } from "../tensor.js";
import { checkFinite, checkShape, checkTensor, describe, optionalBool, positiveInt, type TensorLike } from "../validate.js";
import { ParameterSet, type LoadOptions, type ParameterSpec } from "./parameters.js";
import { BufferPool } from "./buffer-pool.js";

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
}

const KERNELS: Record<CellKind, CellKernels> = {
  lstm: { gates: 4, preparedBytes: "lstmPreparedBytes", prepare: "lstmPrepare", forward: "lstmForward", backward: "lstmBackward", forwardBytes: "lstmForwardWorkspaceBytes", backwardBytes: "lstmBackwardWorkspaceBytes" },
  gru: { gates: 3, preparedBytes: "gruPreparedBytes", prepare: "gruPrepare", forward: "gruForward", backward: "gruBackward", forwardBytes: "gruForwardWorkspaceBytes", backwardBytes: "gruBackwardWorkspaceBytes" },
  rnn: { gates: 1, preparedBytes: "rnnPreparedBytes", prepare: "rnnPrepare", forward: "rnnForward", backward: "rnnBackward", forwardBytes: "rnnForwardWorkspaceBytes", backwardBytes: "rnnBackwardWorkspaceBytes" },
};

/** What forward leaves for backward. */
interface ForwardState {
  steps: number;
  batch: number;
  unbatched: boolean;
  hasLengths: boolean;
  /** Plans of every (layer, direction), in PyTorch's order l·D + d, with the forward buffers filled in. */
  plans: SequencePlan[];
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

export class Recurrent {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  /** Output size per direction: projSize for a projected LSTM, else hiddenSize. */
  readonly outputSize: number;
  protected readonly kind: CellKind;
  protected readonly name: string;
  private readonly flags: number;
  private readonly peepholes: boolean;
  private readonly engine: Engine;
  private readonly params: ParameterSet;
  private readonly buffers: BufferPool;
  /** Which parameter version and batch kind each (layer, direction)'s prepared weights were made for. */
  private readonly preparedFor = new Map<string, { ptr: number; stamp: string }>();
  private state: ForwardState | null = null;
  private disposed = false;

  protected constructor(options: RecurrentOptions, cell: CellConfig) {
    if (options === null || typeof options !== "object") throw new ShapeError(`${cell.name}: options must be an object`);
    this.kind = cell.kind;
    this.name = cell.name;
    this.inputSize = positiveInt(options.inputSize, `${cell.name}: inputSize`);
    this.hiddenSize = positiveInt(options.hiddenSize, `${cell.name}: hiddenSize`);
    this.numLayers = options.numLayers === undefined ? 1 : positiveInt(options.numLayers, `${cell.name}: numLayers`);
    this.bias = optionalBool(options.bias, true, `${cell.name}: bias`);
    this.batchFirst = optionalBool(options.batchFirst, false, `${cell.name}: batchFirst`);
    this.bidirectional = optionalBool(options.bidirectional, false, `${cell.name}: bidirectional`);
    this.outputSize = cell.projSize ? cell.projSize : this.hiddenSize;
    this.peepholes = cell.peepholes ?? false;
    this.flags = cell.flags ?? 0;
    if (options.seed !== undefined && (typeof options.seed !== "number" || !Number.isInteger(options.seed))) {
      throw new ShapeError(`${cell.name}: seed must be an integer; got ${describe(options.seed)}`);
    }
    this.engine = engine();
    this.params = new ParameterSet(this.parameterSpecs());
    this.buffers = new BufferPool(this.engine);
    this.resetParameters(new Random(options.seed));
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  private get gates(): number {
    return KERNELS[this.kind].gates;
  }

  /** Input features of layer l. */
  private layerInputSize(l: number): number {
    return l === 0 ? this.inputSize : this.directions * this.outputSize;
  }

  /** PyTorch's parameter names and shapes, in PyTorch's order. */
  private parameterSpecs(): ParameterSpec[] {
    const specs: ParameterSpec[] = [];
    const G = this.gates * this.hiddenSize;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < this.directions; d++) {
        const s = suffix(l, d);
        specs.push({ name: `weight_ih${s}`, shape: [G, this.layerInputSize(l)] });
        specs.push({ name: `weight_hh${s}`, shape: [G, this.outputSize] });
        if (this.bias) {
          specs.push({ name: `bias_ih${s}`, shape: [G] });
          specs.push({ name: `bias_hh${s}`, shape: [G] });
        }
        if (this.outputSize !== this.hiddenSize) specs.push({ name: `weight_hr${s}`, shape: [this.outputSize, this.hiddenSize] });
        if (this.peepholes) specs.push({ name: `weight_ph${s}`, shape: [3 * this.hiddenSize] });
      }
    }
    return specs;
  }

  /** Uniform(−1/√H, 1/√H) for every parameter, as torch.nn.{RNN,LSTM,GRU}.reset_parameters. */
  resetParameters(random: Random = new Random()): void {
    this.checkAlive("resetParameters");
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const spec of this.params.specs) {
      const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) values[i] = random.uniformIn(-k, k);
      this.params.set(spec.name, values);
    }
  }

  // ---- forward ----------------------------------------------------------------------------------

  forward(x: TensorLike, options: ForwardOptions = {}): ForwardResult {
    this.checkAlive("forward");
    const { steps: T, batch: B, unbatched, lengths } = this.checkForwardInputs(x, options);
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize;
    const eng = this.engine, pool = this.buffers;
    this.state = null; // buffers are about to be overwritten
    try {
      const xPtr = pool.floats("x", T * B * this.inputSize);
      this.writeTimeMajor(xPtr, x.data, T, B, this.inputSize, unbatched);
      let lengthsPtr = 0;
      if (lengths) {
        lengthsPtr = pool.ints("lengths", B);
        eng.writeInt32(lengthsPtr, lengths);
      }
      const plans: SequencePlan[] = [];
      let input = xPtr;
      for (let l = 0; l < L; l++) {
        const I = this.layerInputSize(l);
        const out = pool.floats(`out${l}`, T * B * D * P);
        for (let d = 0; d < D; d++) {
          const plan = this.layerPlan(l, d, T, B, lengthsPtr);
          plan.x = input;
          if (d === 1) {
            plan.x = pool.floats(`xrev${l}`, T * B * I);
            eng.core.mapSteps(T, B, I, input, I, plan.x, I, lengthsPtr, 1, 0);
          }
          this.allocateStates(plan, `${l}.${d}`);
          plan.prepared = this.preparedWeights(plan, `${l}.${d}`);
          const index = l * D + d;
          if (options.h0) eng.write(plan.h, options.h0.data.subarray(index * B * P, (index + 1) * B * P));
          else eng.fill(plan.h, B * P);
          if (this.kind === "lstm") {
            if (options.c0) eng.write(plan.c, options.c0.data.subarray(index * B * H, (index + 1) * B * H));
            else eng.fill(plan.c, B * H);
          }
          this.run(plan, "forward");
          // Outputs of this direction into its column block of [T, B, D·P], un-reversed, zero past L_b.
          eng.core.mapSteps(T, B, P, plan.h + B * P * 4, P, out + d * P * 4, D * P, lengthsPtr, d, 0);
          plans.push(plan);
        }
        input = out;
      }
      const result = this.collectForward(plans, input, T, B, unbatched);
      this.state = { steps: T, batch: B, unbatched, hasLengths: lengths !== null, plans };
      return result;
    } catch (e) {
      this.state = null;
      throw wrapInternal(e, `${this.name}.forward`);
    }
  }

  private checkForwardInputs(x: TensorLike, options: ForwardOptions) {
    const where = `${this.name}.forward`;
    checkTensor(x, `${where}: x`);
    if (options === null || typeof options !== "object") throw new ShapeError(`${where}: options must be an object`);
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
    if (options.h0 !== undefined) {
      checkTensor(options.h0, `${where}: h0`);
      checkShape(options.h0, stateShape(this.outputSize), `${where}: h0`, " (layers·directions, batch, output size)");
      checkFinite(options.h0.data, `${where}: h0`);
    }
    if (options.c0 !== undefined) {
      if (this.kind !== "lstm") throw new ShapeError(`${where}: c0 is only for LSTM`);
      checkTensor(options.c0, `${where}: c0`);
      checkShape(options.c0, stateShape(this.hiddenSize), `${where}: c0`, " (layers·directions, batch, hidden size)");
      checkFinite(options.c0.data, `${where}: c0`);
    }
    let lengths: Int32Array | null = null;
    if (options.lengths !== undefined && options.lengths !== null) {
      const given = options.lengths;
      if (typeof given !== "object" || typeof given.length !== "number") throw new ShapeError(`${where}: lengths must be an array of integers`);
      if (unbatched) throw new ShapeError(`${where}: lengths need a batched input`);
      if (given.length !== B) throw new ShapeError(`${where}: lengths must have one entry per sequence (${B}); got ${given.length}`);
      lengths = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const n = given[b];
        if (!Number.isInteger(n) || n < 1 || n > T) {
          throw new ShapeError(`${where}: lengths[${b}] must be an integer from 1 to ${T} (the number of steps); got ${describe(n)}`);
        }
        lengths[b] = n;
      }
    }
    return { steps: T, batch: B, unbatched, lengths };
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
    return plan;
  }

  /** Buffers the forward kernel fills and backward reads, named per (layer, direction). */
  private allocateStates(plan: SequencePlan, key: string): void {
    const { steps: T, batch: B } = plan;
    const H = this.hiddenSize, P = this.outputSize, pool = this.buffers;
    plan.h = pool.floats(`h${key}`, (T + 1) * B * P);
    plan.gates = this.kind === "rnn" ? 0 : pool.floats(`gates${key}`, T * B * this.gates * H);
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

  /** Calls a cell kernel with a workspace of the size the kernel asks for. */
  private run(plan: SequencePlan, pass: "forward" | "backward"): void {
    const k = KERNELS[this.kind];
    const core = this.engine.core as unknown as Record<string, (plan: number) => number>;
    plan.work = 0;
    const bytes = core[pass === "forward" ? k.forwardBytes : k.backwardBytes](this.engine.writePlan(plan));
    plan.work = this.engine.scratch(bytes);
    core[pass === "forward" ? k.forward : k.backward](this.engine.writePlan(plan));
  }

  private collectForward(plans: SequencePlan[], out: number, T: number, B: number, unbatched: boolean): ForwardResult {
    const D = this.directions, P = this.outputSize, H = this.hiddenSize, LD = plans.length;
    const F = D * P;
    const output = new Float32Array(T * B * F);
    const src = this.engine.view(out, T * B * F);
    if (this.batchFirst && !unbatched) {
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) output.set(src.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + t) * F);
    } else {
      output.set(src);
    }
    const hN = new Float32Array(LD * B * P);
    plans.forEach((plan, i) => hN.set(this.engine.view(plan.h + T * B * P * 4, B * P), i * B * P));
    const outShape = unbatched ? [T, F] : this.batchFirst ? [B, T, F] : [T, B, F];
    const stateShape = (size: number) => (unbatched ? [LD, size] : [LD, B, size]);
    const result: ForwardResult = { output: new Tensor(output, outShape), hN: new Tensor(hN, stateShape(P)) };
    if (this.kind === "lstm") {
      const cN = new Float32Array(LD * B * H);
      plans.forEach((plan, i) => cN.set(this.engine.view(plan.c + T * B * H * 4, B * H), i * B * H));
      result.cN = new Tensor(cN, stateShape(H));
    }
    return result;
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

  // ---- backward ---------------------------------------------------------------------------------

  /**
   * Backpropagation through time from the last forward call. Accumulates parameter gradients (read
   * them with grads()) and returns the gradients of the input and the initial states.
   * `gradOutput` may be null when only the final states carry a loss.
   */
  backward(gradOutput: TensorLike | null, options: BackwardOptions = {}): BackwardResult {
    this.checkAlive("backward");
    const where = `${this.name}.backward`;
    const state = this.state;
    if (!state) throw new ShapeError(`${where}: call forward first (backward uses the buffers of the last forward call)`);
    const { steps: T, batch: B, unbatched, plans } = state;
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize, LD = L * D;
    const outShape = unbatched ? [T, D * P] : this.batchFirst ? [B, T, D * P] : [T, B, D * P];
    const stateShape = (size: number) => (unbatched ? [LD, size] : [LD, B, size]);
    if (options === null || typeof options !== "object") throw new ShapeError(`${where}: options must be an object`);
    if (gradOutput !== null && gradOutput !== undefined) {
      checkTensor(gradOutput, `${where}: gradOutput`);
      checkShape(gradOutput, outShape, `${where}: gradOutput`, " (the shape of output)");
      checkFinite(gradOutput.data, `${where}: gradOutput`);
    }
    if (options.gradHN !== undefined) {
      checkTensor(options.gradHN, `${where}: gradHN`);
      checkShape(options.gradHN, stateShape(P), `${where}: gradHN`, " (the shape of hN)");
      checkFinite(options.gradHN.data, `${where}: gradHN`);
    }
    if (options.gradCN !== undefined) {
      if (this.kind !== "lstm") throw new ShapeError(`${where}: gradCN is only for LSTM`);
      checkTensor(options.gradCN, `${where}: gradCN`);
      checkShape(options.gradCN, stateShape(H), `${where}: gradCN`, " (the shape of cN)");
      checkFinite(options.gradCN.data, `${where}: gradCN`);
    }
    const eng = this.engine, pool = this.buffers;
    try {
      let dOut = 0;
      if (gradOutput) {
        dOut = pool.floats("dout", T * B * D * P);
        this.writeTimeMajor(dOut, gradOutput.data, T, B, D * P, unbatched);
      }
      const gradH0 = new Float32Array(LD * B * P);
      const gradC0 = this.kind === "lstm" ? new Float32Array(LD * B * H) : undefined;
      const dh = pool.floats("dh", B * P);
      const dc = this.kind === "lstm" ? pool.floats("dc", B * H) : 0;
      const lengthsPtr = plans[0].lengths;
      for (let l = L - 1; l >= 0; l--) {
        const I = this.layerInputSize(l);
        const dIn = pool.floats(`din${l % 2}`, T * B * I);
        for (let d = 0; d < D; d++) {
          const index = l * D + d;
          const plan = plans[index];
          // This direction's slice of ∂L/∂output, in its own time order.
          plan.gradOutput = 0;
          if (dOut) {
            plan.gradOutput = pool.floats("doutdir", T * B * P);
            eng.core.mapSteps(T, B, P, dOut + d * P * 4, D * P, plan.gradOutput, P, lengthsPtr, d, 0);
          }
          if (options.gradHN) eng.write(dh, options.gradHN.data.subarray(index * B * P, (index + 1) * B * P));
          else eng.fill(dh, B * P);
          if (dc) {
            if (options.gradCN) eng.write(dc, options.gradCN.data.subarray(index * B * H, (index + 1) * B * H));
            else eng.fill(dc, B * H);
          }
          plan.gradH = dh;
          plan.gradC = dc;
          plan.gradX = d === 0 ? dIn : pool.floats("dxrev", T * B * I);
          this.run(plan, "backward");
          if (d === 1) eng.core.mapSteps(T, B, I, plan.gradX, I, dIn, I, lengthsPtr, 1, 1);
          gradH0.set(eng.view(dh, B * P), index * B * P);
          if (gradC0) gradC0.set(eng.view(dc, B * H), index * B * H);
        }
        dOut = dIn;
      }
      const I = this.inputSize;
      const gradInput = new Float32Array(T * B * I);
      const src = eng.view(dOut, T * B * I);
      if (this.batchFirst && !unbatched) {
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) gradInput.set(src.subarray((t * B + b) * I, (t * B + b + 1) * I), (b * T + t) * I);
      } else {
        gradInput.set(src);
      }
      const inShape = unbatched ? [T, I] : this.batchFirst ? [B, T, I] : [T, B, I];
      const result: BackwardResult = { gradInput: new Tensor(gradInput, inShape), gradH0: new Tensor(gradH0, stateShape(P)) };
      if (gradC0) result.gradC0 = new Tensor(gradC0, stateShape(H));
      return result;
    } catch (e) {
      throw wrapInternal(e, where);
    }
  }

  // ---- parameters -------------------------------------------------------------------------------

  /** Names and shapes of the parameters, in PyTorch's order. */
  parameterShapes(): Record<string, number[]> {
    return Object.fromEntries(this.params.specs.map((s) => [s.name, [...s.shape]]));
  }

  /** Number of trainable floats. */
  get parameterCount(): number {
    return this.params.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Copies of the parameters keyed by PyTorch's names. */
  stateDict(): Record<string, Tensor> {
    this.checkAlive("stateDict");
    return this.params.values();
  }

  /** Replaces the parameters; validates every tensor first, so a bad record changes nothing. */
  loadStateDict(record: Record<string, TensorLike>, options?: LoadOptions): void {
    this.checkAlive("loadStateDict");
    this.params.load(record, this.name, options);
  }

  /** Accumulated gradients keyed by PyTorch's names. */
  grads(): Record<string, Tensor> {
    this.checkAlive("grads");
    return this.params.grads();
  }

  zeroGrad(): void {
    this.checkAlive("zeroGrad");
    this.params.zeroGrad();
  }

  /** Releases the layer's wasm memory; the layer cannot be used afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state = null;
    this.buffers.dispose();
    this.params.dispose();
  }

  private checkAlive(method: string): void {
    if (this.disposed) throw new ResourceError(`${this.name}.${method}: the layer was disposed`);
  }
}

function suffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? "_reverse" : ""}`;
}

/** Lets our own errors through; anything else (a RangeError from a typed array, a trap) becomes a ResourceError. */
function wrapInternal(e: unknown, where: string): Error {
  if (e instanceof WasmRnnError) return e;
  return new ResourceError(`${where}: internal failure: ${e instanceof Error ? e.message : String(e)}`);
}
