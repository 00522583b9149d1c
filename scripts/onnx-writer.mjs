// A minimal protobuf encoder and the ONNX messages the benchmark and the tests need (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto), so models are built in JavaScript with no
// protobuf dependency. Field numbers follow onnx/onnx.proto; FLOAT/INT8/UINT8/INT32/INT64 tensors,
// int/string/ints attributes, nodes of other domains (com.microsoft) with their opset imports.

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;
const ATTR = { INT: 2, STRING: 3, INTS: 7 };

const utf8 = new TextEncoder();

/** One protobuf message under construction: fields appended in order, serialised by `encode()`. */
class Message {
  parts = [];

  key(field, wire) {
    return this.raw(encodeVarint((field << 3) | wire));
  }

  raw(bytes) {
    this.parts.push(bytes);
    return this;
  }

  varint(field, value) {
    return this.key(field, WIRE_VARINT).raw(encodeVarint(value));
  }

  bytes(field, value) {
    return this.key(field, WIRE_BYTES).raw(encodeVarint(value.length)).raw(value);
  }

  string(field, value) {
    return this.bytes(field, utf8.encode(value));
  }

  message(field, msg) {
    return this.bytes(field, msg.encode());
  }

  /** The serialised message. */
  encode() {
    return concat(this.parts);
  }
}

/** Varint of a non-negative or negative integer (negatives as 64-bit two's complement, like int64). */
function encodeVarint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Uint8Array.from(out);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** ONNX data type of a typed array. */
function dataType(data) {
  if (data instanceof Float32Array) return FLOAT;
  if (data instanceof Int8Array) return INT8;
  if (data instanceof Uint8Array) return UINT8;
  if (data instanceof Int32Array) return INT32;
  if (data instanceof BigInt64Array) return INT64;
  throw new Error(`onnx-writer: no ONNX data type for ${data?.constructor?.name}`);
}

/** TensorProto with raw little-endian data: a Float32Array (FLOAT), Int8Array (INT8), Uint8Array
 *  (UINT8), Int32Array (INT32) or BigInt64Array (INT64). */
export function tensorProto(name, dims, data) {
  const t = new Message();
  for (const d of dims) t.varint(1, d);
  t.varint(2, dataType(data));
  t.string(8, name);
  t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

/** AttributeProto from a JS value: an integer, a string, or an array of integers. */
function attribute(name, value) {
  const a = new Message().string(1, name);
  if (Array.isArray(value)) {
    for (const v of value) a.varint(8, v);
    return a.varint(20, ATTR.INTS);
  }
  if (typeof value === "string") return a.string(4, value).varint(20, ATTR.STRING);
  return a.varint(3, value).varint(20, ATTR.INT);
}

/** NodeProto; an empty string in `inputs` marks an omitted optional input. `domain` is the operator
 *  set ("" = ai.onnx; e.g. "com.microsoft"), which the model must import (modelBytes' `opsets`). */
export function node(opType, inputs, outputs, attributes = {}, domain = "") {
  const n = new Message();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${opType}_${outputs[0]}`);
  n.string(4, opType);
  for (const [name, value] of Object.entries(attributes)) n.message(5, attribute(name, value));
  if (domain) n.string(7, domain);
  return n;
}

/** ValueInfoProto of a tensor: float, or of the type of `like` (a typed array); a dimension is a
 *  size, or a string naming a size fixed only at run time (dim_param). */
export function valueInfo(name, dims, like = null) {
  const shape = new Message();
  for (const d of dims) shape.message(1, typeof d === "string" ? new Message().string(2, d) : new Message().varint(1, d));
  const tensorType = new Message().varint(1, like ? dataType(like) : FLOAT).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** Serialised ModelProto of one graph (IR version 8), importing the default-domain opset `opset`
 *  and `opsets` of other domains ({ "com.microsoft": 1 }). */
export function modelBytes({ nodes, initializers, inputs, outputs, name = "graph", opset = 17, opsets = {} }) {
  const graph = new Message();
  for (const n of nodes) graph.message(1, n);
  graph.string(2, name);
  for (const t of initializers) graph.message(5, t);
  for (const i of inputs) graph.message(11, i);
  for (const o of outputs) graph.message(12, o);
  const model = new Message().varint(1, 8).string(2, "wasm-rnn-bench").message(7, graph);
  for (const [domain, version] of Object.entries({ "": opset, ...opsets })) model.message(8, new Message().string(1, domain).varint(2, version));
  return model.encode();
}
