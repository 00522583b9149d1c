// Tensors as the Open Inference Protocol (KServe v2, Triton's HTTP API) writes them in JSON:
// `{ name, datatype, shape, data }` with `data` flattened in row-major order (nested arrays are
// flattened too), datatypes BYTES (strings), FP32, INT32 and INT64 here. Reading checks every field
// and throws a RequestError naming the tensor and the field; writing builds the response objects.

/** A client's mistake: answered with `status` (400 by default) and the message. */
export class RequestError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
    this.name = "RequestError";
  }
}

export type Datatype = "BYTES" | "BOOL" | "FP16" | "FP32" | "FP64" | "INT32" | "INT64" | "INT8" | "UINT8";

/** An input or output as model metadata describes it (−1: any size). */
export interface TensorSpec {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** The model declares no shape: any rank goes (metadata then shows []). */
  anyShape?: boolean;
}

/** A request's input, read and checked. */
export interface InputTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** Strings for BYTES, numbers otherwise. */
  data: (string | number)[];
}

export interface OutputTensor extends InputTensor {}

/** What requests may send. */
const DATATYPES: readonly Datatype[] = ["BYTES", "FP32", "INT32", "INT64"];

/** Checks one entry of a request's `inputs` against the model's specs. */
export function readInput(value: unknown, index: number, specs: readonly TensorSpec[]): InputTensor {
  const where = `inputs[${index}]`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RequestError(`${where} must be an object with name, datatype, shape and data`);
  const { name, datatype, shape, data } = value as Record<string, unknown>;
  if (typeof name !== "string") throw new RequestError(`${where}.name must be a string`);
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new RequestError(`${where}: the model has no input "${name}" (its inputs: ${specs.map((s) => s.name).join(", ")})`);
  const at = `input "${name}"`;
  if (typeof datatype !== "string" || !DATATYPES.includes(datatype as Datatype)) throw new RequestError(`${at}: datatype must be one of ${DATATYPES.join(", ")}; got ${JSON.stringify(datatype)}`);
  const accepted = spec.datatype === "INT64" || spec.datatype === "INT32" ? ["INT32", "INT64"] : [spec.datatype];
  if (!accepted.includes(datatype)) throw new RequestError(`${at}: datatype must be ${accepted.join(" or ")}; got ${datatype}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new RequestError(`${at}: shape must be an array of non-negative integers; got ${JSON.stringify(shape)}`);
  if (!spec.anyShape && (shape.length !== spec.shape.length || shape.some((d, k) => spec.shape[k] !== -1 && spec.shape[k] !== d))) {
    throw new RequestError(`${at}: shape must be [${spec.shape.join(", ")}] (−1: any size); got [${shape.join(", ")}]`);
  }
  if (!Array.isArray(data)) throw new RequestError(`${at}: data must be an array`);
  // Flat already (the usual case, a stream's frame): checked as it is, without flat()'s copy.
  const flat = (data as unknown[]).some(Array.isArray) ? (data as unknown[]).flat(Infinity) : (data as unknown[]);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (flat.length !== count) throw new RequestError(`${at}: shape [${shape.join(", ")}] holds ${count} values; data has ${flat.length}`);
  const valid = datatype === "BYTES" ? (v: unknown) => typeof v === "string" : datatype === "FP32" ? (v: unknown) => typeof v === "number" && Number.isFinite(v) : Number.isSafeInteger;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (!valid(v)) throw new RequestError(`${at}: data[${i}] must be ${datatype === "BYTES" ? "a string" : datatype === "FP32" ? "a finite number" : "an integer"}; got ${JSON.stringify(v)}`);
  }
  return { name, datatype: datatype as Datatype, shape: shape as number[], data: flat as (string | number)[] };
}

/** The rows of an [B, …] input: B slices of the flat data. */
export function rowsOf(input: InputTensor): (string | number)[][] {
  const [B, ...rest] = input.shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: B }, (_, b) => input.data.slice(b * size, (b + 1) * size));
}

/** An output tensor; FP32 values rounded to float32. */
export function output(name: string, datatype: Datatype, shape: number[], data: ArrayLike<number> | readonly string[]): OutputTensor {
  const values = Array.from(data as ArrayLike<number | string>);
  return { name, datatype, shape, data: datatype === "FP32" ? values.map((v) => Math.fround(v as number)) : values };
}
