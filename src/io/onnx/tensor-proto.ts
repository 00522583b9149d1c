// onnx.TensorProto: decoding the message (dims, data_type, raw_data or the typed repeated fields,
// external-data markers) and turning it into an OnnxTensor. FLOAT, DOUBLE, FLOAT16, INT32, INT64,
// INT8, UINT8 and BOOL are read; a float16 NaN or infinity is refused where the caller says it must
// be finite (weights). The element count is checked against the limit and the data's byte length against the dims before
// anything is allocated.

import { FormatError, UnsupportedError } from "../../errors.js";
import { ProtoReader } from "./protobuf.js";
import { elementCount, OnnxTensor, type OnnxType } from "./tensor.js";

/** TensorProto.DataType values, by name (for messages). */
const DATA_TYPE_NAMES = [
  "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32",
  "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4",
  "FLOAT4E2M1", "FLOAT8E8M0", "UINT2", "INT2",
];

/** The data types wasm-rnn reads, by TensorProto.DataType value. */
export const READ_TYPES: ReadonlyMap<number, OnnxType> = new Map([
  [1, "float32"], [2, "uint8"], [3, "int8"], [6, "int32"], [7, "int64"], [9, "bool"], [10, "float16"], [11, "float64"],
]);

/** The TensorProto.DataType value of each type read. */
export const DATA_TYPE_OF: Readonly<Record<OnnxType, number>> = Object.fromEntries([...READ_TYPES].map(([code, type]) => [type, code])) as Record<OnnxType, number>;

/** Bytes per element in raw_data. */
const WIDTHS: Record<OnnxType, number> = { float32: 4, float64: 8, float16: 2, int32: 4, int64: 8, int8: 1, uint8: 1, bool: 1 };

export function dataTypeName(value: number): string {
  return DATA_TYPE_NAMES[value] ?? `data type ${value}`;
}

/** A decoded TensorProto, its data not yet converted. */
export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  raw: Uint8Array | null;
  floatData: number[];
  int32Data: number[];
  int64Data: bigint[];
  doubleData: number[];
  external: boolean;
  segmented: boolean;
  /** Byte offset of the message, for error messages. */
  at: number;
}

/** Decodes a TensorProto message (fields it does not need are skipped). */
export function decodeTensorProto(r: ProtoReader, at: number): TensorProto {
  const t: TensorProto = { name: "", dims: [], dataType: 0, raw: null, floatData: [], int32Data: [], int64Data: [], doubleData: [], external: false, segmented: false, at };
  for (const f of r.fields()) {
    switch (f.number) {
      case 1: r.ints(f, "dims", t.dims); break;
      case 2: t.dataType = r.uint(f, "data_type"); break;
      case 3: r.bytesField(f, "segment"); t.segmented = true; break;
      case 4: r.floats(f, "float_data", t.floatData); break;
      case 5: r.ints(f, "int32_data", t.int32Data); break;
      case 7: r.int64s(f, "int64_data", t.int64Data); break;
      case 8: t.name = r.string(f, "name"); break;
      case 9: t.raw = r.bytesField(f, "raw_data"); break;
      case 10: r.doubles(f, "double_data", t.doubleData); break;
      case 13: r.bytesField(f, "external_data"); t.external = true; break;
      case 14: if (r.uint(f, "data_location") === 1) t.external = true; break;
    }
  }
  return t;
}

/** Reads one serialized TensorProto (an ONNX test-data `.pb` file): its name and its tensor. */
export function readTensorProto(bytes: Uint8Array): { name: string; tensor: OnnxTensor } {
  const proto = decodeTensorProto(new ProtoReader(bytes, 0, bytes.length, "TensorProto"), 0);
  return { name: proto.name, tensor: tensorFromProto(proto, proto.name ? `tensor "${proto.name}"` : "TensorProto") };
}

/** The tensor's values; `what` names it in errors ("initializer \"W\""). */
export function tensorFromProto(t: TensorProto, what: string): OnnxTensor {
  if (t.external) throw new UnsupportedError(`ONNX: ${what} keeps its data in an external file; wasm-rnn reads only models with embedded data (save with onnx.save_model(..., save_as_external_data=False))`);
  if (t.segmented) throw new UnsupportedError(`ONNX: ${what} is segmented (TensorProto.segment), which wasm-rnn does not read`);
  const type = READ_TYPES.get(t.dataType);
  if (type === undefined) {
    if (t.dataType === 0 || t.dataType >= DATA_TYPE_NAMES.length) throw new FormatError(`ONNX: ${what} (at byte ${t.at}) has an invalid data_type ${t.dataType}`);
    throw new UnsupportedError(`ONNX: ${what} has data type ${dataTypeName(t.dataType)}; wasm-rnn reads FLOAT, DOUBLE, FLOAT16, INT32, INT64, INT8, UINT8 and BOOL tensors`);
  }
  for (const d of t.dims) if (d < 0) throw new FormatError(`ONNX: ${what} (at byte ${t.at}) has a negative dimension in [${t.dims.join(", ")}]`);
  const n = elementCount(t.dims, `ONNX: ${what}`);
  const mismatch = (count: number, field: string) =>
    new FormatError(`ONNX: ${what} (at byte ${t.at}): ${field} holds ${count} values but dims [${t.dims.join(", ")}] of ${dataTypeName(t.dataType)} need ${n}`);
  if (t.raw) {
    const width = WIDTHS[type];
    if (t.raw.length !== n * width) throw mismatch(t.raw.length / width, "raw_data");
    const copy = new Uint8Array(t.raw); // aligned, and not a view of the file
    const data =
      type === "float32" ? new Float32Array(copy.buffer) : type === "float64" ? new Float64Array(copy.buffer) : type === "float16" ? new Uint16Array(copy.buffer)
      : type === "int32" ? new Int32Array(copy.buffer) : type === "int64" ? new BigInt64Array(copy.buffer) : type === "int8" ? new Int8Array(copy.buffer) : copy;
    if (type === "bool") for (let i = 0; i < copy.length; i++) copy[i] = copy[i] ? 1 : 0;
    return new OnnxTensor(type, data, t.dims);
  }
  // Without raw_data, INT8, UINT8, BOOL and FLOAT16 (its bits) values are kept one per int32_data entry.
  const [values, field] =
    type === "float32" ? [t.floatData, "float_data"] : type === "float64" ? [t.doubleData, "double_data"] : type === "int64" ? [t.int64Data, "int64_data"] : [t.int32Data, "int32_data"];
  if (values.length !== n) throw mismatch(values.length, field);
  if (type === "float32") return new OnnxTensor(Float32Array.from(t.floatData), t.dims);
  if (type === "float64") return new OnnxTensor(Float64Array.from(t.doubleData), t.dims);
  if (type === "int64") return new OnnxTensor(BigInt64Array.from(t.int64Data), t.dims);
  if (type === "int32") return new OnnxTensor(Int32Array.from(t.int32Data), t.dims);
  if (type === "bool") return new OnnxTensor("bool", Uint8Array.from(t.int32Data, (v) => (v ? 1 : 0)), t.dims);
  if (type === "float16") return new OnnxTensor("float16", Uint16Array.from(t.int32Data), t.dims);
  const [low, high] = type === "int8" ? [-128, 127] : [0, 255];
  const bad = t.int32Data.findIndex((v) => v < low || v > high);
  if (bad >= 0) throw new FormatError(`ONNX: ${what} (at byte ${t.at}): int32_data[${bad}] = ${t.int32Data[bad]} is outside ${dataTypeName(t.dataType)}'s ${low}…${high}`);
  return type === "int8" ? new OnnxTensor(Int8Array.from(t.int32Data), t.dims) : new OnnxTensor(Uint8Array.from(t.int32Data), t.dims);
}
