// The tensor that ONNX sessions take and return, shaped like onnxruntime's: `new Tensor(type, data,
// dims)` with `.type`, `.data` and `.dims`, for float32, float64, float16 (its bits in a Uint16Array,
// as onnxruntime keeps them), int64 (BigInt64Array), int32, int8 and uint8 (the weights and zero
// points of quantized models) and bool (a Uint8Array of 0 and 1). Also the element limit that every
// tensor made from a file or by an operator is checked against before its memory is allocated.

import { ResourceError, ShapeError } from "../../errors.js";
import { describe } from "../../validate.js";
import { float16Bits } from "./float16.js";

export interface OnnxDataTypes {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type OnnxType = keyof OnnxDataTypes;

/** What the constructor accepts as data: the typed array, or plain numbers (bigints too for int64). */
type DataInput<T extends OnnxType> = OnnxDataTypes[T] | readonly (T extends "int64" ? number | bigint : T extends "bool" ? boolean | number : number)[];

/** @internal No tensor read from a model or made by an operator may hold more elements than this (2^28). */
export const MAX_ELEMENTS = 2 ** 28;

const ARRAYS: { [T in OnnxType]: { new (n: number): OnnxDataTypes[T] } } = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int64: BigInt64Array, int32: Int32Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

export class OnnxTensor<T extends OnnxType = OnnxType> {
  readonly type: T;
  readonly data: OnnxDataTypes[T];
  readonly dims: readonly number[];

  /** `new OnnxTensor('float32', data, [2, 3])`, or `new OnnxTensor(float32Array, [2, 3])`; dims default to [data.length]. */
  constructor(type: T, data: DataInput<T>, dims?: readonly number[]);
  constructor(data: OnnxDataTypes[T], dims?: readonly number[]);
  constructor(typeOrData: T | OnnxDataTypes[T], dataOrDims?: DataInput<T> | readonly number[], maybeDims?: readonly number[]) {
    const typed = typeof typeOrData === "string";
    const type = typed ? typeOrData : typeOfData(typeOrData);
    const data = (typed ? dataOrDims : typeOrData) as DataInput<T>;
    const dims = (typed ? maybeDims : dataOrDims) as readonly number[] | undefined;
    if (typeof type !== "string" || !Object.hasOwn(ARRAYS, type)) throw new ShapeError(`Tensor: type must be one of ${Object.keys(ARRAYS).map((t) => `"${t}"`).join(", ")}; got ${describe(type)}`);
    this.type = type as T;
    this.data = toTypedArray(this.type, data);
    this.dims = checkDims(dims ?? [this.data.length], this.data.length);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
}

/** @internal Whether `t` holds elements of `type` (narrows its data). */
export function isType<T extends OnnxType>(t: OnnxTensor, type: T): t is OnnxTensor<T> {
  return t.type === type;
}

/** @internal Product of dims (ShapeError for a negative one), or a ResourceError once it exceeds MAX_ELEMENTS (checked as it multiplies). */
export function elementCount(dims: readonly number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what}: shape [${dims.join(", ")}] has an invalid size ${d}`);
    n *= d;
    if (n > MAX_ELEMENTS || d > MAX_ELEMENTS) throw new ResourceError(`${what}: shape [${dims.join(", ")}] is beyond the limit of ${MAX_ELEMENTS} elements (or elements per dimension) for ONNX tensors`);
  }
  return n;
}

/** @internal A zero-filled tensor of `type` and `dims` (size checked against MAX_ELEMENTS first). */
export function allocate<T extends OnnxType>(type: T, dims: readonly number[], what: string): OnnxTensor<T> {
  return new OnnxTensor(type, new ARRAYS[type](elementCount(dims, what)), dims);
}

function typeOfData(data: unknown): OnnxType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint8Array) return "uint8";
  throw new ShapeError("Tensor: data must be a Float32Array, Float64Array, BigInt64Array, Int32Array, Int8Array or Uint8Array (or pass the type first: float16 and bool data need it)");
}

function toTypedArray<T extends OnnxType>(type: T, data: DataInput<T>): OnnxDataTypes[T] {
  const Array_ = ARRAYS[type];
  if (data instanceof Array_) return data as OnnxDataTypes[T];
  if (!Array.isArray(data)) throw new ShapeError(`Tensor: ${type} data must be a ${Array_.name} or an array of numbers`);
  const out = new Array_(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (type === "int64") {
      if (typeof v !== "bigint" && !Number.isSafeInteger(v)) throw new ShapeError(`Tensor: int64 data[${i}] must be an integer or a bigint; got ${describe(v)}`);
      (out as BigInt64Array)[i] = BigInt(v as number | bigint);
    } else if (type === "bool") {
      if (typeof v !== "boolean" && v !== 0 && v !== 1) throw new ShapeError(`Tensor: bool data[${i}] must be true, false, 0 or 1; got ${describe(v)}`);
      (out as Uint8Array)[i] = v ? 1 : 0;
    } else if (type === "float16") {
      if (typeof v !== "number") throw new ShapeError(`Tensor: float16 data[${i}] must be a number; got ${describe(v)}`);
      (out as Uint16Array)[i] = float16Bits(v);
    } else {
      if (typeof v !== "number") throw new ShapeError(`Tensor: ${type} data[${i}] must be a number; got ${describe(v)}`);
      (out as Float32Array | Int32Array | Int8Array | Uint8Array)[i] = v;
    }
  }
  return out;
}

function checkDims(dims: readonly number[], length: number): readonly number[] {
  if (!Array.isArray(dims) || dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ShapeError(`Tensor: dims must be an array of non-negative integers; got ${JSON.stringify(dims)}`);
  }
  let n = 1;
  for (const d of dims) n *= d;
  if (n !== length) throw new ShapeError(`Tensor: dims [${dims.join(", ")}] need ${n} elements but data has ${length}`);
  return Object.freeze([...dims]);
}
