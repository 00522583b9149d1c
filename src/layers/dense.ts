// torch.nn.Linear: y = x Wᵀ + b over the last dimension of x, parameters `weight` [out, in] and
// `bias` [out], initialised like PyTorch (uniform ±1/√in).

import { ShapeError } from "../errors.js";
import { Random } from "../random.js";
import { Tensor, formatShape } from "../tensor.js";
import { checkFinite, checkTensor, optionalBool, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import { Layer, wrapInternal } from "./layer.js";

export interface DenseOptions {
  inFeatures: number;
  outFeatures: number;
  /** Bias vector (default true). */
  bias?: boolean;
  /** Seed for the initial weights. */
  seed?: number;
}

export class Dense extends Layer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
  /** Rows and input pointer of the last forward, for backward. */
  private last: { rows: number; x: number; leading: number[] } | null = null;

  constructor(options: DenseOptions) {
    optionsObject(options, "Dense: options", false);
    const inFeatures = positiveInt(options.inFeatures, "Dense: inFeatures");
    const outFeatures = positiveInt(options.outFeatures, "Dense: outFeatures");
    const bias = optionalBool(options.bias, true, "Dense: bias");
    super("Dense", bias ? [{ name: "weight", shape: [outFeatures, inFeatures] }, { name: "bias", shape: [outFeatures] }] : [{ name: "weight", shape: [outFeatures, inFeatures] }]);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.bias = bias;
    this.resetParameters(new Random(options.seed));
  }

  /** Uniform(−1/√in, 1/√in) for weight and bias, as torch.nn.Linear.reset_parameters. */
  resetParameters(random: Random = new Random()): void {
    const k = 1 / Math.sqrt(this.inFeatures);
    for (const spec of this.params.specs) {
      this.params.set(spec.name, random.uniformArray(spec.shape.reduce((a, b) => a * b, 1), -k, k));
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
    const work = this.engine.scratch(this.engine.core.gemmWorkspaceBytes());
    this.engine.core.denseForward(rows, this.inFeatures, this.outFeatures, x, this.params.ptr("weight"), this.params.ptr("bias"), y, work);
    this.last = { rows, x, leading: [rows] };
    return y;
  }

  /** Accumulates ∂weight, ∂bias and returns ∂x for the last forward. */
  backward(gradOutput: TensorLike): Tensor {
    this.checkAlive("backward");
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
    const { rows, x } = this.last!;
    const gradX = wantGradX ? this.buffers.floats("gradX", rows * this.inFeatures) : 0;
    const work = this.engine.scratch(this.engine.core.gemmWorkspaceBytes());
    this.engine.core.denseBackward(rows, this.inFeatures, this.outFeatures, x, this.params.ptr("weight"), gradY,
      this.params.gradPtr("weight"), this.params.gradPtr("bias"), gradX, work);
    return gradX;
  }
}
