// torch.nn.Embedding: rows of a table looked up by integer ids (an array, or a Tensor of any shape as
// PyTorch's LongTensor), parameter `weight` [numEmbeddings, embeddingDim] initialised N(0, 1) like
// PyTorch; the padding row starts at zero and gets no gradient.

import { ShapeError } from "../errors.js";
import { Random } from "../random.js";
import { Tensor, formatShape } from "../tensor.js";
import { checkFinite, checkTensor, describe, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import { Layer, wrapInternal } from "./layer.js";
import type { TokenInput } from "./recurrent-stack.js";

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** A row that stays as it is (zeros by default) and receives no gradient. */
  paddingIdx?: number;
  seed?: number;
}

export class Embedding extends Layer {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | undefined;
  private last: { count: number; ids: number; shape: number[] } | null = null;

  constructor(options: EmbeddingOptions) {
    optionsObject(options, "Embedding: options", false);
    const numEmbeddings = positiveInt(options.numEmbeddings, "Embedding: numEmbeddings");
    const embeddingDim = positiveInt(options.embeddingDim, "Embedding: embeddingDim");
    const pad = options.paddingIdx;
    if (pad !== undefined && (!Number.isInteger(pad) || pad < 0 || pad >= numEmbeddings)) {
      throw new ShapeError(`Embedding: paddingIdx must be an integer from 0 to ${numEmbeddings - 1}; got ${describe(pad)}`);
    }
    super("Embedding", [{ name: "weight", shape: [numEmbeddings, embeddingDim] }]);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.resetParameters(new Random(options.seed));
  }

  /** N(0, 1) entries, the padding row zeroed, as torch.nn.Embedding.reset_parameters. */
  resetParameters(random: Random = new Random()): void {
    const table = Float32Array.from({ length: this.numEmbeddings * this.embeddingDim }, () => random.normal());
    if (this.paddingIdx !== undefined) table.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
    this.params.set("weight", table);
  }

  /**
   * Rows for `ids` (integers in 0…numEmbeddings−1): an array laid out as `shape` (default
   * [ids.length]), or a Tensor of ids of any shape S, as torch.nn.Embedding takes a LongTensor (our
   * float32 holds every integer up to 2^24 exactly). Returns [...shape, embeddingDim], or [...S, embeddingDim].
   */
  forward(ids: TensorLike): Tensor;
  forward(ids: ArrayLike<number>, shape?: readonly number[]): Tensor;
  forward(ids: ArrayLike<number> | TensorLike, shape?: readonly number[]): Tensor {
    this.checkAlive("forward");
    const where = "Embedding.forward";
    if (isIdsTensor(ids)) {
      if (shape !== undefined) throw new ShapeError(`${where}: a Tensor of ids carries its shape; pass no shape with it (got ${describe(shape)})`);
      checkTensor(ids, `${where}: ids`);
      return this.lookup(this.checkIds(ids.data, where), ids.shape, where);
    }
    const layout = shape === undefined ? [(ids as ArrayLike<number> | null)?.length ?? 0] : shape;
    const checked = this.checkIds(ids, where);
    const count = Array.isArray(layout) && layout.every((d) => Number.isInteger(d) && d >= 0) ? layout.reduce((a, b) => a * b, 1) : NaN;
    if (count !== checked.length) throw new ShapeError(`${where}: shape ${formatShape(layout)} does not hold ${checked.length} ids`);
    return this.lookup(checked, layout, where);
  }

  /** Rows for checked ids, laid out as `shape` (which holds exactly their number). */
  private lookup(checked: Int32Array, shape: readonly number[], where: string): Tensor {
    const count = checked.length;
    try {
      const idsPtr = this.buffers.ints("ids", count);
      this.engine.writeInt32(idsPtr, checked);
      const y = this.forwardResident(idsPtr, count);
      this.last!.shape = [...shape];
      return new Tensor(this.engine.read(y, count * this.embeddingDim), [...shape, this.embeddingDim]);
    } catch (e) {
      throw wrapInternal(e, where);
    }
  }

  /** @internal Validates ids: integers in range. */
  checkIds(ids: ArrayLike<number>, where: string): Int32Array {
    if (ids === null || typeof ids !== "object" || typeof ids.length !== "number") throw new ShapeError(`${where}: ids must be an array of integers`);
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.numEmbeddings) {
        throw new ShapeError(`${where}: ids[${i}] must be an integer from 0 to ${this.numEmbeddings - 1}; got ${describe(id)}`);
      }
      out[i] = id;
    }
    return out;
  }

  /** @internal Rows for `count` int32 ids already in wasm memory; returns [count, dim] in the layer's buffer. */
  forwardResident(ids: number, count: number): number {
    const y = this.buffers.floats("y", count * this.embeddingDim);
    this.engine.core.embeddingForward(count, this.embeddingDim, this.params.ptr("weight"), ids, y);
    this.last = { count, ids, shape: [count] };
    return y;
  }

  /**
   * @internal The input of a recurrent layer fed by this embedding for T·B ids in wasm memory: the
   * ids themselves (token input) when that is cheaper, else the looked-up rows x.
   */
  recurrentInput(ids: number, T: number, B: number): { x: number; tokens?: TokenInput } {
    const tokens = this.tokenInput(ids, T, B);
    return tokens ? { x: 0, tokens } : { x: this.forwardResident(ids, T * B) };
  }

  /**
   * @internal `count` = T·B ids in wasm memory as a recurrent layer's token input, when that is the
   * cheaper way to feed it: with at least twice as many ids as table rows, projecting the table
   * costs less than projecting the looked-up rows. Null otherwise, and for a single sequence (which
   * may be split over threads by hidden units, a path that takes looked-up rows).
   */
  tokenInput(ids: number, T: number, B: number): TokenInput | null {
    if (B < 2 || 2 * this.numEmbeddings > T * B) return null;
    this.last = null; // the recurrent layer takes this forward's gradient
    return { ids, vocab: this.numEmbeddings, table: this.params.ptr("weight"), gradTable: this.params.gradPtr("weight"), paddingIdx: this.paddingIdx ?? -1 };
  }

  /** Accumulates ∂weight from ∂output of the last forward. */
  backward(gradOutput: TensorLike): void {
    this.checkAlive("backward");
    const where = "Embedding.backward";
    if (!this.last) throw new ShapeError(`${where}: call forward first`);
    const shape = [...this.last.shape, this.embeddingDim];
    checkTensor(gradOutput, `${where}: gradOutput`);
    if (formatShape(gradOutput.shape) !== formatShape(shape)) {
      throw new ShapeError(`${where}: gradOutput must have shape ${formatShape(shape)}; got ${formatShape(gradOutput.shape)}`);
    }
    checkFinite(gradOutput.data, `${where}: gradOutput`);
    try {
      const g = this.buffers.floats("gradY", gradOutput.data.length);
      this.engine.write(g, gradOutput.data);
      this.backwardResident(g);
    } catch (e) {
      throw wrapInternal(e, where);
    }
  }

  /** @internal Accumulates ∂weight for ∂output [count, dim] in wasm memory. */
  backwardResident(gradY: number): void {
    const { count, ids } = this.last!;
    this.engine.core.embeddingBackward(count, this.embeddingDim, ids, gradY, this.params.gradPtr("weight"), this.paddingIdx ?? -1);
  }
}

/** A Tensor-shaped argument (shape and data, no length): ids given as a Tensor rather than an array. */
function isIdsTensor(ids: unknown): ids is TensorLike {
  return ids !== null && typeof ids === "object" && typeof (ids as { length?: unknown }).length !== "number" && "shape" in ids && "data" in ids;
}
