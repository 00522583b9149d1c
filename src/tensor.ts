// The minimal Tensor of the public API: a shape and its data in row-major order — a Float32Array, or
// an Int8Array for quantized weights (`dtype` says which) — owned by JavaScript (never a view into
// wasm memory, so it stays valid when the engine's memory grows). No arithmetic here.

import { ShapeError } from "./errors.js";

/** The data a Tensor can hold: float32 values, or int8 values of quantized weights. */
export type TensorData = Float32Array | Int8Array;

/** "float32" for Float32Array data, "int8" for Int8Array data. */
export type DType<D extends TensorData = TensorData> = D extends Int8Array ? "int8" : "float32";

/** `Tensor` alone is the float32 tensor every forward, backward and state dict uses. */
export class Tensor<D extends TensorData = Float32Array> {
  constructor(readonly data: D, readonly shape: readonly number[]) {}

  /** Number of elements: the product of the shape. */
  get size(): number {
    return this.data.length;
  }

  /** The element type, from the data: "float32" or "int8". */
  get dtype(): DType<D> {
    return (this.data instanceof Int8Array ? "int8" : "float32") as DType<D>;
  }
}

/** A tensor of either dtype, as a safetensors file or a quantized state dict holds them. */
export type AnyTensor = Tensor<Float32Array> | Tensor<Int8Array>;

/** @internal Product of the dimensions (1 for a scalar shape []). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** @internal A shape as text, e.g. [2, 3]. */
export function formatShape(shape: readonly number[]): string {
  return Array.isArray(shape) ? `[${shape.map(String).join(", ")}]` : `(not an array: ${typeof shape})`;
}

/**
 * Makes a Tensor from data and a shape. A Float32Array or an Int8Array is used as is (a float32 or
 * an int8 tensor); any other numbers are copied into a new Float32Array.
 */
export function tensor(data: Int8Array, shape: readonly number[]): Tensor<Int8Array>;
export function tensor(data: Float32Array, shape: readonly number[]): Tensor;
export function tensor(data: TensorData, shape: readonly number[]): AnyTensor;
export function tensor(data: ArrayLike<number>, shape: readonly number[]): Tensor;
export function tensor(data: ArrayLike<number>, shape: readonly number[]): AnyTensor {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`tensor: shape must be an array of non-negative integers; got ${JSON.stringify(shape)}`);
  }
  if (data === null || typeof data !== "object" || typeof (data as ArrayLike<number>).length !== "number") {
    throw new ShapeError("tensor: data must be a Float32Array, an Int8Array or an array of numbers");
  }
  const n = shapeSize(shape);
  if (data.length !== n) {
    throw new ShapeError(`tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${n} values)`);
  }
  if (data instanceof Int8Array) return new Tensor(data, [...shape]);
  return new Tensor(data instanceof Float32Array ? data : Float32Array.from(data), [...shape]);
}

/** A Tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return new Tensor(new Float32Array(shapeSize(shape)), [...shape]);
}
