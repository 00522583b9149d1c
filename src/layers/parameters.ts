// Named parameters of a layer in one wasm allocation, with their gradients in a second allocation of
// the same layout (llm.c style: an optimizer can treat each as one flat vector). Owns validation of
// state dicts: names, dtypes (float32 only: an int8 tensor is refused, never read as numbers), shapes
// and finiteness are checked for every tensor before any value is written, so a rejected record
// leaves the parameters unchanged.

import { engine, type Engine } from "../engine/engine.js";
import { FormatError, NumericError, ShapeError } from "../errors.js";
import { Tensor, formatShape, shapeSize } from "../tensor.js";
import { describe, firstNonFinite, optionalBool, optionsObject } from "../validate.js";

/** @internal A parameter's PyTorch name and shape. */
export interface ParameterSpec {
  name: string;
  shape: number[];
}

export interface LoadOptions {
  /** Require exactly the layer's names (default true, like PyTorch's `strict=True`). */
  strict?: boolean;
  /** Read only the entries whose names start with this (e.g. "lstm." for a submodule) and strip it. */
  prefix?: string;
}

/** @internal A layer's parameters and gradients in wasm memory. */
export class ParameterSet {
  readonly specs: readonly ParameterSpec[];
  /** Float offset of each parameter inside the flat arrays. */
  private readonly offsets = new Map<string, number>();
  readonly totalFloats: number;
  /** Where the values live: this set's own allocation, or another thread's (see adopt). */
  valuesPtr: number;
  private ownsValues = true;
  readonly gradsPtr: number;
  /** Incremented whenever values change, so derived layouts (prepared weights) know to refresh. */
  version = 0;
  private readonly engine: Engine;

  constructor(specs: ParameterSpec[]) {
    this.engine = engine();
    this.specs = specs;
    let offset = 0;
    for (const spec of specs) {
      this.offsets.set(spec.name, offset);
      // Keep every tensor 16-float aligned (64 bytes) so kernels see aligned rows.
      offset += Math.ceil(shapeSize(spec.shape) / 16) * 16;
    }
    this.totalFloats = offset;
    this.valuesPtr = this.engine.allocFloats(Math.max(1, offset));
    try {
      this.gradsPtr = this.engine.allocFloats(Math.max(1, offset));
    } catch (e) {
      this.engine.release(this.valuesPtr);
      throw e;
    }
    this.engine.fill(this.valuesPtr, offset);
    this.engine.fill(this.gradsPtr, offset);
  }

  has(name: string): boolean {
    return this.offsets.has(name);
  }

  /** Byte address of a parameter's values (0 when the layer has no such parameter). */
  ptr(name: string): number {
    const o = this.offsets.get(name);
    return o === undefined ? 0 : this.valuesPtr + o * 4;
  }

  /** Byte address of a parameter's gradient (0 when absent). */
  gradPtr(name: string): number {
    const o = this.offsets.get(name);
    return o === undefined ? 0 : this.gradsPtr + o * 4;
  }

  /** Writes values into one parameter (internal: initialisers and loaders that validated already). */
  set(name: string, values: ArrayLike<number>): void {
    this.engine.write(this.ptr(name), values);
    this.version++;
  }

  private copyAll(base: number): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const spec of this.specs) {
      out[spec.name] = new Tensor(this.engine.read(base + this.offsets.get(spec.name)! * 4, shapeSize(spec.shape)), [...spec.shape]);
    }
    return out;
  }

  values(): Record<string, Tensor> {
    return this.copyAll(this.valuesPtr);
  }

  grads(): Record<string, Tensor> {
    return this.copyAll(this.gradsPtr);
  }

  /** Number of NaN or ±Inf among the values or the gradients. */
  countNonFinite(which: "values" | "grads"): number {
    return this.engine.core.countNonFinite(this.totalFloats, which === "values" ? this.valuesPtr : this.gradsPtr);
  }

  zeroGrad(): void {
    this.engine.fill(this.gradsPtr, this.totalFloats);
  }

  /** Validates the whole record, then writes it. `owner` names the layer in error messages. */
  load(given: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>, owner: string, options: LoadOptions = {}): void {
    for (const [name, data] of this.check(given, owner, options)) this.set(name, data);
  }

  /**
   * Validates a record against the parameters (names, dtypes, shapes, finite values) without writing it, and
   * returns what `load` would write — so a model can check all its layers before changing any.
   */
  check(given: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>, owner: string, options: LoadOptions = {}): [string, ArrayLike<number>][] {
    if (given === null || typeof given !== "object") throw new FormatError(`${owner}.loadStateDict: expected an object of named tensors`);
    const { strict: strictOption, prefix: prefixOption } = optionsObject(options, `${owner}.loadStateDict: options`);
    const strict = optionalBool(strictOption, true, `${owner}.loadStateDict: strict`);
    const prefix = prefixOption ?? "";
    if (typeof prefix !== "string") throw new ShapeError(`${owner}.loadStateDict: prefix must be a string; got ${describe(prefix)}`);
    const record = prefix
      ? Object.fromEntries(Object.entries(given).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]))
      : given;
    const names = new Set(this.specs.map((s) => s.name));
    if (strict) {
      const unexpected = Object.keys(record).filter((k) => !names.has(k));
      const missing = [...names].filter((k) => !(k in record));
      if (unexpected.length || missing.length) {
        const parts = [];
        if (missing.length) parts.push(`missing ${missing.map((k) => prefix + k).join(", ")}`);
        if (unexpected.length) parts.push(`unexpected ${unexpected.map((k) => prefix + k).join(", ")}`);
        throw new FormatError(`${owner}.loadStateDict: ${parts.join("; ")}`);
      }
    }
    const accepted: [string, ArrayLike<number>][] = [];
    for (const spec of this.specs) {
      const t = record[spec.name];
      const label = prefix + spec.name;
      if (t === undefined) continue;
      if (!t || !Array.isArray(t.shape) || !t.data || typeof t.data.length !== "number") {
        throw new FormatError(`${owner}.loadStateDict: ${label} is not a tensor ({ shape, data })`);
      }
      if (t.data instanceof Int8Array) throw new FormatError(`${owner}.loadStateDict: ${label} has dtype int8; expected float32`);
      const sameShape = t.shape.length === spec.shape.length && t.shape.every((d, i) => d === spec.shape[i]);
      if (!sameShape) {
        throw new ShapeError(`${owner}.loadStateDict: ${label} must have shape ${formatShape(spec.shape)}; got ${formatShape(t.shape)}`);
      }
      if (t.data.length !== shapeSize(spec.shape)) {
        throw new ShapeError(`${owner}.loadStateDict: ${label} has ${t.data.length} values for shape ${formatShape(spec.shape)}`);
      }
      const bad = firstNonFinite(t.data);
      if (bad >= 0) throw new NumericError(`${owner}.loadStateDict: ${label} has a non-finite value (${t.data[bad]}) at index ${bad}`);
      accepted.push([spec.name, t.data]);
    }
    return accepted;
  }

  /**
   * Uses values that live elsewhere in a shared memory (the same layer's parameters on the main
   * thread) instead of this set's own: a worker computes with the one copy of the weights while
   * keeping its own gradients. `version` is the owner's, so prepared layouts refresh when it changes.
   */
  adopt(valuesPtr: number, version: number): void {
    if (this.ownsValues) this.engine.release(this.valuesPtr);
    this.ownsValues = false;
    this.valuesPtr = valuesPtr;
    this.version = version;
  }

  dispose(): void {
    if (this.ownsValues) this.engine.release(this.valuesPtr);
    this.engine.release(this.gradsPtr);
  }
}
