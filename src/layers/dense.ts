// torch.nn.Linear: y = x Wᵀ + b over the last dimension of x, parameters `weight` [out, in] and
// `bias` [out], initialised like PyTorch (uniform ±1/√in). Quantized (quantizeDynamic), `weight` is
// int8 with its row scales `weight_scale`, packed once per parameter change for the int8 kernel.

import { ShapeError } from "../errors.js";
import { Random } from "../random.js";
import { Tensor, formatShape } from "../tensor.js";
import { checkFinite, checkTensor, optionalBool, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import { Layer, wrapInternal } from "./layer.js";
import { encodeDenseJob } from "../engine/engine.js";
import type { DenseJob } from "../engine/abi.js";
import { SPLIT_MIN_MULTIPLY_ADDS } from "../engine/threads/team-control.js";
import { scaleName } from "./quantize.js";

export interface DenseOptions {
  inFeatures: number;
  outFeatures: number;
  /** Bias vector (default true). */
  bias?: boolean;
  /** Seed for the initial weights. */
  seed?: number;
  /** @internal int8 weights with row scales (what quantizeDynamic builds): inference only. */
  quantized?: boolean;
}

export class Dense extends Layer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
  /** Rows and input pointer of the last forward, for backward. */
  private last: { rows: number; x: number; leading: number[] } | null = null;
  /** The parameter version the packed int8 weights were made for (quantized layers). */
  private packedVersion = -1;

  constructor(options: DenseOptions) {
    optionsObject(options, "Dense: options", false);
    const inFeatures = positiveInt(options.inFeatures, "Dense: inFeatures");
    const outFeatures = positiveInt(options.outFeatures, "Dense: outFeatures");
    const bias = optionalBool(options.bias, true, "Dense: bias");
    const quantized = optionalBool(options.quantized, false, "Dense: quantized");
    super("Dense", [
      ...(quantized ? [{ name: "weight", shape: [outFeatures, inFeatures], dtype: "int8" as const }, { name: scaleName("weight"), shape: [outFeatures] }] : [{ name: "weight", shape: [outFeatures, inFeatures] }]),
      ...(bias ? [{ name: "bias", shape: [outFeatures] }] : []),
    ]);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.bias = bias;
    this.resetParameters(new Random(options.seed));
  }

  /** Uniform(−1/√in, 1/√in) for weight and bias, as torch.nn.Linear.reset_parameters (a quantized
   *  layer's weight: those values, quantized). */
  resetParameters(random: Random = new Random()): void {
    const k = 1 / Math.sqrt(this.inFeatures);
    for (const spec of this.params.floatSpecs()) {
      this.params.setFloat(spec.name, random.uniformArray(spec.shape.reduce((a, b) => a * b, 1), -k, k));
    }
  }

  /** y = x Wᵀ + b for x [..., inFeatures]; returns [..., outFeatures]. */
  forward(x: TensorLike): Tensor {
    this.checkAlive("forward");
    const where = "Dense.forward";
    checkTensor(x, `${where}: x`);
    const rank = x.shape.length;
    if (rank < 1 || x.shape[rank - 1] !== this.inFeatures) {
      throw new ShapeError(`${where}: x must have ${this.inFeatures} features in its last dimension; got shape ${formatShape(x.shape)}`);
    }
    checkFinite(x.data, `${where}: x`);
    const rows = x.data.length / this.inFeatures;
    try {
      const xPtr = this.buffers.floats("x", x.data.length);
      this.engine.write(xPtr, x.data);
      const y = this.forwardResident(xPtr, rows);
      this.last!.leading = x.shape.slice(0, -1);
      return new Tensor(this.engine.read(y, rows * this.outFeatures), [...x.shape.slice(0, -1), this.outFeatures]);
    } catch (e) {
      throw wrapInternal(e, where);
    }
  }

  /** @internal y [rows, out] in the layer's buffer for x [rows, in] in wasm memory (kept for backward). */
  forwardResident(x: number, rows: number): number {
    const y = this.buffers.floats("y", rows * this.outFeatures);
    const job = { ...this.job(rows, x), y, b: this.params.ptr("bias") };
    if (this.quantized) {
      this.engine.readyIntegerDot();
      Object.assign(job, { w: this.packedWeight(), int8: 1 });
      if (!this.runSplit("dense.forward", job)) this.engine.core.denseForwardInt8(rows, this.inFeatures, this.outFeatures, x, job.w, job.b, y, job.work);
    } else if (!this.runSplit("dense.forward", job)) {
      this.engine.core.denseForward(rows, this.inFeatures, this.outFeatures, x, job.w, job.b, y, job.work);
    }
    this.last = { rows, x, leading: [rows] };
    return y;
  }

  /** The int8 weight packed for the int8 kernel (kept until the parameters change). */
  private packedWeight(): number {
    const core = this.engine.core, O = this.outFeatures, I = this.inFeatures;
    const packed = this.buffers.floats("packed", Math.ceil(core.int8PackedBytes(O, I) / 4));
    if (this.packedVersion !== this.params.version) {
      core.packInt8(O, I, this.params.ptr("weight"), I, 1, this.params.ptr(scaleName("weight")), packed);
      this.packedVersion = this.params.version;
    }
    return packed;
  }

  /** The parts of a forward or backward over `rows` rows shared by the job (and a workspace). */
  private job(rows: number, x: number): DenseJob {
    const work = this.engine.scratch(this.engine.core.gemmWorkspaceBytes());
    return { rows, inFeatures: this.inFeatures, outFeatures: this.outFeatures, x, w: this.params.ptr("weight"), b: 0, y: 0, gradY: 0, gradW: 0, gradB: 0, gradX: 0, work, part: 0, parts: 1, int8: 0 };
  }

  /** Runs `kernel` split by rows over the engine's thread team when there is one and the product is
   *  big enough to pay for waking it (as the recurrent kernels); false: run it here. */
  private runSplit(kernel: "dense.forward" | "dense.backward", job: DenseJob): boolean {
    const team = this.engine.team;
    if (!team || job.rows * job.inFeatures * job.outFeatures < SPLIT_MIN_MULTIPLY_ADDS) return false;
    const parts = Math.min(team.size, job.rows);
    const bytes = this.engine.core.gemmWorkspaceBytes();
    team.run(kernel, Array.from({ length: parts }, (_, part) => encodeDenseJob({ ...job, part, parts, work: part === 0 ? job.work : team.buffer(part, bytes) })));
    return true;
  }

  /** Accumulates ∂weight, ∂bias and returns ∂x for the last forward. */
  backward(gradOutput: TensorLike): Tensor {
    this.checkAlive("backward");
    this.refuseQuantized(`${this.name}.backward`);
    const where = "Dense.backward";
    if (!this.last) throw new ShapeError(`${where}: call forward first`);
    const shape = [...this.last.leading, this.outFeatures];
    checkTensor(gradOutput, `${where}: gradOutput`);
    if (formatShape(gradOutput.shape) !== formatShape(shape)) {
      throw new ShapeError(`${where}: gradOutput must have shape ${formatShape(shape)} (the shape of the output); got ${formatShape(gradOutput.shape)}`);
    }
    checkFinite(gradOutput.data, `${where}: gradOutput`);
    try {
      const g = this.buffers.floats("gradY", gradOutput.data.length);
      this.engine.write(g, gradOutput.data);
      const gx = this.backwardResident(g, true);
      return new Tensor(this.engine.read(gx, this.last.rows * this.inFeatures), [...this.last.leading, this.inFeatures]);
    } catch (e) {
      throw wrapInternal(e, where);
    }
  }

  /** @internal Backward for gradY [rows, out] in wasm memory; returns ∂x in the layer's buffer (0 when not wanted). */
  backwardResident(gradY: number, wantGradX: boolean): number {
    this.refuseQuantized(`${this.name}.backward`);
    const { rows, x } = this.last!;
    const gradX = wantGradX ? this.buffers.floats("gradX", rows * this.inFeatures) : 0;
    const job = { ...this.job(rows, x), gradY, gradW: this.params.gradPtr("weight"), gradB: this.params.gradPtr("bias"), gradX };
    if (!this.runSplit("dense.backward", job)) this.engine.core.denseBackward(rows, this.inFeatures, this.outFeatures, x, job.w, gradY, job.gradW, job.gradB, gradX, job.work);
    return gradX;
  }
}
