// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
// mapping tensor names to { dtype, shape, data_offsets } (plus optional "__metadata__" strings), then
// the raw little-endian data. Reads F32, F16, BF16 and F64 (widened or narrowed to float32) and I8
// (int8, the weights of a quantized model); writes F32 and I8. Other integer dtypes are an
// UnsupportedError; every malformed or truncated file is a FormatError that says what is wrong;
// nothing partial is returned.

import { FormatError, UnsupportedError } from "../errors.js";
import { Tensor, shapeSize, type AnyTensor } from "../tensor.js";

export interface SafetensorsFile {
  tensors: Record<string, AnyTensor>;
  metadata: Record<string, string>;
}

/** The format's own limit on the header (100 MB), which also bounds what a garbled length can ask for. */
const MAX_HEADER_BYTES = 100_000_000;
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I8: 1 };
const KNOWN_UNSUPPORTED = new Set(["BOOL", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E4M3", "F8_E5M2"]);

function asBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new FormatError("safetensors: expected a Uint8Array or ArrayBuffer");
}

/** Reads a safetensors file: its tensors (I8 as int8, every float dtype as float32) and its string metadata. */
export function readSafetensors(input: Uint8Array | ArrayBuffer): SafetensorsFile {
  const bytes = asBytes(input);
  if (bytes.length < 8) throw new FormatError(`safetensors: truncated file (${bytes.length} bytes; the header length alone takes 8)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > MAX_HEADER_BYTES) throw new FormatError(`safetensors: header length ${headerLength} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerLength > bytes.length) {
    throw new FormatError(`safetensors: truncated file: the header needs ${headerLength} bytes but only ${bytes.length - 8} follow`);
  }
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`safetensors: the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new FormatError("safetensors: the header must be a JSON object");

  const data = bytes.subarray(8 + headerLength);
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new FormatError("safetensors: __metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") throw new FormatError(`safetensors: __metadata__.${k} must be a string`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    entries.push(checkEntry(name, value, data.length));
  }

  // The data must be exactly tiled by the tensors: no overlaps, no holes (as the reference reader).
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      throw new FormatError(`safetensors: tensor "${e.name}" starts at byte ${e.begin} of the data but the previous tensor ends at ${cursor} (overlap or gap)`);
    }
    cursor = e.end;
  }
  if (cursor !== data.length) throw new FormatError(`safetensors: the tensors cover ${cursor} bytes of data but the file has ${data.length} (truncated or trailing bytes)`);

  const tensors: Record<string, AnyTensor> = {};
  for (const e of entries) setOwn(tensors, e.name, decode(e.dtype, data.subarray(e.begin, e.end), e.shape));
  return { tensors, metadata };
}

function checkEntry(name: string, value: unknown, dataLength: number) {
  const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (entry === null || typeof entry !== "object") throw new FormatError(`safetensors: entry "${name}" must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string") throw new FormatError(`safetensors: "${name}" has no dtype`);
  if (!(dtype in DTYPE_BYTES)) {
    if (KNOWN_UNSUPPORTED.has(dtype)) throw new UnsupportedError(`safetensors: "${name}" has dtype ${dtype}; wasm-rnn reads F32, F16, BF16, F64 and I8`);
    throw new FormatError(`safetensors: "${name}" has an unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new FormatError(`safetensors: "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
    throw new FormatError(`safetensors: "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end || end > dataLength) {
    throw new FormatError(`safetensors: "${name}" spans bytes ${begin}–${end} but the data has ${dataLength} bytes (truncated file?)`);
  }
  const expected = shapeSize(shape) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new FormatError(`safetensors: "${name}" (${dtype} [${shape.join(", ")}]) needs ${expected} bytes but data_offsets give ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Little-endian raw data to an int8 tensor (I8) or a float32 one (every float dtype). */
function decode(dtype: string, raw: Uint8Array, shape: number[]): AnyTensor {
  const copy = new Uint8Array(raw); // an aligned copy (Node Buffer.slice would be a view)
  if (dtype === "I8") return new Tensor(new Int8Array(copy.buffer), shape);
  return new Tensor(decodeFloats(dtype, copy), shape);
}

function decodeFloats(dtype: string, copy: Uint8Array): Float32Array {
  switch (dtype) {
    case "F32":
      return new Float32Array(copy.buffer);
    case "F64":
      return Float32Array.from(new Float64Array(copy.buffer));
    case "F16":
      return Float32Array.from(new Uint16Array(copy.buffer), halfToFloat);
    default: {
      // BF16 is the top half of a float32.
      const halves = new Uint16Array(copy.buffer);
      const words = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) words[i] = halves[i] << 16;
      return new Float32Array(words.buffer);
    }
  }
}

/** IEEE 754 binary16 bits to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Serialises tensors and optional string metadata: Int8Array data as I8, any other numbers as F32.
 * The header lists the tensors in the record's order; the data holds the float32 tensors first, then
 * the int8 ones, so every float32 tensor stays 4-byte aligned (the reference writer sorts by alignment too).
 */
export function writeSafetensors(tensors: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") throw new FormatError(`writeSafetensors: metadata.${k} must be a string`);
    header.__metadata__ = metadata;
  }
  const entries: { name: string; dtype: "F32" | "I8"; shape: number[]; values: Float32Array | Int8Array }[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new FormatError('writeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    if (!t || !Array.isArray(t.shape) || !t.data || shapeSize(t.shape) !== t.data.length) {
      throw new FormatError(`writeSafetensors: "${name}" is not a tensor whose data fills its shape`);
    }
    const shape = [...t.shape];
    if (t.data instanceof Int8Array) entries.push({ name, dtype: "I8", shape, values: t.data });
    else entries.push({ name, dtype: "F32", shape, values: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
  }
  const parts = [...entries.filter((e) => e.dtype === "F32"), ...entries.filter((e) => e.dtype === "I8")];
  const offsets = new Map<string, number[]>();
  let offset = 0;
  for (const { name, values } of parts) {
    offsets.set(name, [offset, offset + values.byteLength]);
    offset += values.byteLength;
  }
  for (const { name, dtype, shape } of entries) setOwn(header, name, { dtype, shape, data_offsets: offsets.get(name) });
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding) {
    json += " ".repeat(padding);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const { values } of parts) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
  }
  return out;
}

/** record[key] = value as an own property, even for a key such as "__proto__" (which assignment would
 *  turn into the record's prototype): names from a file are data, never structure. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
