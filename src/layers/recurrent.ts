// The recurrent layer shared by RNN, LSTM and GRU as users call it: PyTorch's options, tensors in and
// out ([T, B, F], or [B, T, F] with batchFirst, or unbatched [T, F]), validation before anything is
// written, and forward/backward over the resident stack (recurrent-stack.ts) underneath.

import { CELLS, type CellKind } from "../engine/cells.js";
import { ShapeError } from "../errors.js";
import { Random } from "../random.js";
import { Tensor } from "../tensor.js";
import { checkFinite, checkTensor, describe, optionalBool, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import { wrapInternal } from "./layer.js";
import { checkLengths, checkOut, checkState, type BackwardOptions, type BackwardResult, type ForwardOptions, type ForwardResult, type RecurrentOptions } from "./recurrent-options.js";
import { RecurrentStack, type ResidentInput, type ResidentOutput } from "./recurrent-stack.js";

export type { BackwardOptions, BackwardResult, ForwardOptions, ForwardResult, RecurrentOptions } from "./recurrent-options.js";

/** Cell-specific settings a subclass passes to the shared layer. */
export interface CellConfig {
  kind: CellKind;
  /** Layer name used in error messages ("LSTM"). */
  name: string;
  projSize?: number;
  peepholes?: boolean;
  flags?: number;
}

export class Recurrent extends RecurrentStack {
  readonly batchFirst: boolean;
  /** The options this layer was built with (to rebuild it elsewhere, e.g. in a worker). */
  readonly options: Readonly<RecurrentOptions>;
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
    const quantized = optionalBool(options.quantized, false, `${cell.name}: quantized`);
    super({ kind: cell.kind, name: cell.name, inputSize, hiddenSize, outputSize, numLayers, bias, bidirectional, peepholes: cell.peepholes ?? false, flags: cell.flags ?? 0, cellOptions: options.cellOptions, quantized });
    this.batchFirst = batchFirst;
    this.options = { ...options };
    this.resetParameters(new Random(options.seed));
  }

  /** Uniform(−1/√H, 1/√H) for every parameter, as torch.nn.{RNN,LSTM,GRU}.reset_parameters
   *  (a quantized layer's weights: those values, quantized). */
  resetParameters(random: Random = new Random()): void {
    this.checkIdle("resetParameters");
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const spec of this.params.floatSpecs()) this.params.setFloat(spec.name, random.uniformArray(spec.shape.reduce((a, b) => a * b, 1), -k, k));
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
        output: options.out ? (this.readTimeMajor(out.output, T, B, F, unbatched, options.out.data), options.out) : new Tensor(this.readTimeMajor(out.output, T, B, F, unbatched), unbatched ? [T, F] : this.batchFirst ? [B, T, F] : [T, B, F]),
        hN: new Tensor(eng.read(out.hN, LD * B * P), stateShape(P)),
        ...(out.cN ? { cN: new Tensor(eng.read(out.cN, LD * B * H), stateShape(H)) } : {}),
      };
    };
    return { input, result };
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
    if (options.c0 !== undefined && !CELLS[this.kind].cellState) throw new ShapeError(`${where}: c0 is only for LSTM`);
    checkState(options.c0, stateShape(this.hiddenSize), `${where}: c0`, " (layers·directions, batch, hidden size)");
    const F = this.directions * this.outputSize;
    checkOut(options.out, unbatched ? [T, F] : this.batchFirst ? [B, T, F] : [T, B, F], `${where}: out`);
    let lengths: Int32Array | null = null;
    if (options.lengths !== undefined && options.lengths !== null) {
      lengths = checkLengths(options.lengths, B, T, where, unbatched);
    }
    this.checkMemoryBudget(T, B);
    return { steps: T, batch: B, unbatched, lengths };
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

  /** Copies time-major [T, B, F] out of wasm memory (into `into`, or a new array), as [B, T, F]
   *  when batchFirst. */
  private readTimeMajor(ptr: number, T: number, B: number, F: number, unbatched: boolean, into?: Float32Array): Float32Array {
    const src = this.engine.view(ptr, T * B * F);
    if (!this.batchFirst || unbatched || B === 1) return into ? (into.set(src), into) : src.slice();
    const out = into ?? new Float32Array(T * B * F);
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
    this.refuseQuantized(`${this.name}.backward`);
    const where = `${this.name}.backward`;
    const state = this.state;
    if (!state) throw new ShapeError(`${where}: call forward first (backward uses the buffers of the last forward call)`);
    optionsObject(options, `${where}: options`, false);
    this.refuseForwardOnly(where);
    const { steps: T, batch: B } = state;
    const unbatched = this.unbatched;
    const L = this.numLayers, D = this.directions, H = this.hiddenSize, P = this.outputSize, LD = L * D, F = D * P;
    const outShape = unbatched ? [T, F] : this.batchFirst ? [B, T, F] : [T, B, F];
    const stateShape = (size: number) => (unbatched ? [LD, size] : [LD, B, size]);
    checkState(gradOutput ?? undefined, outShape, `${where}: gradOutput`, " (the shape of output)");
    checkState(options.gradHN, stateShape(P), `${where}: gradHN`, " (the shape of hN)");
    if (options.gradCN !== undefined && !CELLS[this.kind].cellState) throw new ShapeError(`${where}: gradCN is only for LSTM`);
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
}
