// Named parameters of a layer in one wasm allocation, with their gradients in a second allocation of
// the same layout (llm.c style: an optimizer can treat each as one flat vector). A parameter is
// float32, or int8 (a quantized layer's weights, stored as bytes; its row scales are float32
// parameters of their own). Owns validation of state dicts: names, dtypes (each parameter takes only
// its own: float32 values are never read as int8 or the reverse), shapes and finiteness are checked
// for every tensor before any value is written, so a rejected record leaves the parameters unchanged.

import { engine, type Engine } from "../engine/engine.js";
import { FormatError, NumericError, ShapeError } from "../errors.js";
import { Tensor, formatShape, shapeSize, type AnyTensor } from "../tensor.js";
import { describe, firstNonFinite, optionalBool, optionsObject } from "../validate.js";
import { quantizeRows, scaleName } from "./quantize.js";

/** @internal A parameter's PyTorch name, shape and (int8 for a quantized weight) dtype. */
export interface ParameterSpec {
  name: string;
  shape: number[];
  dtype?: "int8";
}

/** Floats a parameter takes in the flat arrays: its values (int8: four to a float), rounded up to 16
 *  floats (64 bytes) so kernels see aligned rows. */
function floatsOf(spec: ParameterSpec): number {
  const n = shapeSize(spec.shape);
  return Math.ceil((spec.dtype === "int8" ? Math.ceil(n / 4) : n) / 16) * 16;
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
  /** Whether any parameter is int8 (a quantized layer). */
  readonly quantized: boolean;
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
    this.quantized = specs.some((spec) => spec.dtype === "int8");
    let offset = 0;
    for (const spec of specs) {
      this.offsets.set(spec.name, offset);
      offset += floatsOf(spec);
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
    const spec = this.specs.find((s) => s.name === name);
    if (spec?.dtype === "int8") new Int8Array(this.engine.memory.buffer, this.ptr(name), values.length).set(values);
    else this.engine.write(this.ptr(name), values);
    this.version++;
  }

  /** The parameters a float layer of this shape has: all but a quantized layer's row scales. */
  floatSpecs(): ParameterSpec[] {
    const scales = new Set(this.specs.filter((s) => s.dtype === "int8").map((s) => scaleName(s.name)));
    return this.specs.filter((s) => !scales.has(s.name));
  }

  /** Writes a parameter of floatSpecs() from float values: quantized, with its row scales, when it is
   *  an int8 weight. */
  setFloat(name: string, values: Float32Array): void {
    const spec = this.specs.find((s) => s.name === name);
    if (spec?.dtype !== "int8") return this.set(name, values);
    const q = quantizeRows(values, spec.shape[0], values.length / spec.shape[0], name);
    this.set(name, q.values);
    this.set(scaleName(name), q.scales);
  }

  values(): Record<string, AnyTensor> {
    const out: Record<string, AnyTensor> = {};
    for (const spec of this.specs) {
      const n = shapeSize(spec.shape), at = this.ptr(spec.name);
      out[spec.name] = spec.dtype === "int8" ? new Tensor(new Int8Array(this.engine.memory.buffer, at, n).slice(), [...spec.shape]) : new Tensor(this.engine.read(at, n), [...spec.shape]);
    }
    return out;
  }

  /** Gradients of the float32 parameters (int8 ones have none: quantized layers run forward only). */
  grads(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const spec of this.specs) if (spec.dtype !== "int8") out[spec.name] = new Tensor(this.engine.read(this.gradPtr(spec.name), shapeSize(spec.shape)), [...spec.shape]);
    return out;
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
    const scaled = new Map(this.specs.filter((s) => s.dtype === "int8").map((s) => [scaleName(s.name), s.name]));
    const accepted: [string, ArrayLike<number>][] = [];
    for (const spec of this.specs) {
      const t = record[spec.name];
      const label = prefix + spec.name;
      if (t === undefined) continue;
      if (!t || !Array.isArray(t.shape) || !t.data || typeof t.data.length !== "number") {
        throw new FormatError(`${owner}.loadStateDict: ${label} is not a tensor ({ shape, data })`);
      }
      const dtype = t.data instanceof Int8Array ? "int8" : "float32", wanted = spec.dtype ?? "float32";
      if (dtype !== wanted) throw new FormatError(`${owner}.loadStateDict: ${label} has dtype ${dtype}; expected ${wanted}`);
      // A row scale that does not fit its weight is a malformed quantized file, not a model of another size.
      const weight = scaled.get(spec.name);
      const Refusal = weight ? FormatError : ShapeError;
      const what = weight ? ` (one scale per row of ${prefix}${weight})` : "";
      const sameShape = t.shape.length === spec.shape.length && t.shape.every((d, i) => d === spec.shape[i]);
      if (!sameShape) throw new Refusal(`${owner}.loadStateDict: ${label} must have shape ${formatShape(spec.shape)}${what}; got ${formatShape(t.shape)}`);
      if (t.data.length !== shapeSize(spec.shape)) {
        throw new Refusal(`${owner}.loadStateDict: ${label} has ${t.data.length} values for shape ${formatShape(spec.shape)}`);
      }
      const bad = dtype === "int8" ? -1 : firstNonFinite(t.data);
      if (bad >= 0) throw new NumericError(`${owner}.loadStateDict: ${label} has a non-finite value (${t.data[bad]}) at index ${bad}`);
      const negative = weight ? Array.prototype.findIndex.call(t.data, (v: number) => v < 0) : -1;
      if (negative >= 0) throw new FormatError(`${owner}.loadStateDict: ${label} has a negative scale (${t.data[negative]}) at row ${negative}`);
      accepted.push([spec.name, t.data]);
    }
    // An int8 weight and its row scales are only meaningful together.
    for (const [scale, weight] of scaled) {
      if ((scale in record) !== (weight in record)) {
        const [given, absent] = scale in record ? [scale, weight] : [weight, scale];
        throw new FormatError(`${owner}.loadStateDict: ${prefix}${given} is given without ${prefix}${absent}`);
      }
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
