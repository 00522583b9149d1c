// The minimal Tensor of the public API: a shape and a Float32Array in row-major order, owned by
// JavaScript (never a view into wasm memory, so it stays valid when the engine's memory grows).

import { ShapeError } from "./errors.js";

export class Tensor {
  constructor(readonly data: Float32Array, readonly shape: readonly number[]) {}

  /** Number of elements: the product of the shape. */
  get size(): number {
    return this.data.length;
  }
}

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
 * Makes a Tensor from numbers and a shape. The data is copied into a new Float32Array unless it
 * already is one, in which case it is used as is.
 */
export function tensor(data: Float32Array | ArrayLike<number>, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`tensor: shape must be an array of non-negative integers; got ${JSON.stringify(shape)}`);
  }
  if (data === null || typeof data !== "object" || typeof (data as ArrayLike<number>).length !== "number") {
    throw new ShapeError("tensor: data must be a Float32Array or an array of numbers");
  }
  const n = shapeSize(shape);
  if (data.length !== n) {
    throw new ShapeError(`tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${n} values)`);
  }
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  return new Tensor(values, [...shape]);
}

/** A Tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return new Tensor(new Float32Array(shapeSize(shape)), [...shape]);
}
