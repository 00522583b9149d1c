// Argument checks shared by every public entry point: float32 tensors of an expected shape, finite
// values, integer options. Each failure is a ShapeError or NumericError whose message names the
// argument, what was expected and what was given. Nothing here touches wasm memory.

import { NumericError, ShapeError } from "./errors.js";
import { formatShape, type TensorData } from "./tensor.js";

/** A float32 tensor argument: what forward and backward take (inputs, states, gradients). */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tensor of either dtype: what a state dict may hold (int8 weights of a quantized model). */
export interface AnyTensorLike {
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** @internal Index of the first NaN or ±Inf, or −1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  // x·0 is 0 for finite x and NaN otherwise: one multiply-add per element, a scan only on a hit.
  const n = data.length;
  for (let start = 0; start < n; start += 4096) {
    const end = Math.min(n, start + 4096);
    let probe = 0;
    for (let i = start; i < end; i++) probe += data[i] * 0;
    if (probe !== 0) {
      for (let i = start; i < end; i++) if (!Number.isFinite(data[i])) return i;
    }
  }
  return -1;
}

/** @internal Checks that `value` is a tensor of Float32 data whose size matches its shape. */
export function checkTensor(value: unknown, what: string): TensorLike {
  const t = value as TensorLike | null;
  if (t !== null && typeof t === "object" && t.data instanceof Int8Array) throw new ShapeError(`${what} must be a float32 tensor; got an int8 tensor`);
  if (t === null || typeof t !== "object" || !Array.isArray(t.shape) || !(t.data instanceof Float32Array)) {
    throw new ShapeError(`${what} must be a Tensor ({ shape: number[], data: Float32Array }); make one with tensor(data, shape)`);
  }
  let n = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what} has an invalid shape ${JSON.stringify(t.shape)}`);
    n *= d;
  }
  if (n !== t.data.length) throw new ShapeError(`${what}: shape ${formatShape(t.shape)} needs ${n} values but data has ${t.data.length}`);
  return t;
}

/** @internal Checks the exact shape (null entries match any size) and that every value is finite. */
export function checkShape(t: TensorLike, expected: readonly (number | null)[], what: string, hint = ""): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    const want = `[${expected.map((d) => (d === null ? "*" : d)).join(", ")}]`;
    throw new ShapeError(`${what} must have shape ${want}${hint}; got ${formatShape(t.shape)}`);
  }
}

/** @internal Throws a NumericError naming the first NaN or ±Inf in `data`, if there is one. */
export function checkFinite(data: ArrayLike<number>, what: string): void {
  const i = firstNonFinite(data);
  if (i >= 0) throw new NumericError(`${what} contains ${data[i]} at flat index ${i}; inputs must be finite`);
}

/** @internal An options or config argument: a plain object (not null, not an array), or {} when optional and absent. */
export function optionsObject<T extends object>(value: T | undefined, what: string, optional = true): T {
  if (value === undefined && optional) return {} as T;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ShapeError(`${what} must be an object; got ${describe(value)}`);
  return value;
}

/** @internal A positive integer option, or a ShapeError naming it. */
export function positiveInt(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 2 ** 30) {
    throw new ShapeError(`${what} must be a positive integer; got ${describe(value)}`);
  }
  return value;
}

/** @internal A boolean option, or `fallback` when absent; a ShapeError otherwise. */
export function optionalBool(value: unknown, fallback: boolean, what: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ShapeError(`${what} must be true or false; got ${describe(value)}`);
  return value;
}

/** @internal A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}
