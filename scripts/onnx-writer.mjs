// A minimal protobuf encoder and the ONNX messages the benchmark and the tests need (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto), so models are built in JavaScript with no
// protobuf dependency. Field numbers follow onnx/onnx.proto; FLOAT/INT8/UINT8/INT32/INT64 tensors
// (and FLOAT16, BOOL by their type code), int/string/ints/float/floats/tensor/graph attributes,
// subgraphs, nodes of other domains (com.microsoft) with their opset imports.

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 };

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

/** A fixed32 float field (wire type 5). */
function encodeFloatField(field, value) {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return concat([encodeVarint((field << 3) | 5), bytes]);
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
 *  (UINT8), Int32Array (INT32) or BigInt64Array (INT64); `type` for others (FLOAT16 = 10 with a
 *  Uint16Array of bits, BOOL = 9 with a Uint8Array). */
export function tensorProto(name, dims, data, type = dataType(data)) {
  const t = new Message();
  for (const d of dims) t.varint(1, d);
  t.varint(2, type);
  t.string(8, name);
  t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

/** A float attribute value (plain numbers are INT attributes). */
export const float = (value) => ({ float: value });
/** A FLOATS attribute value. */
export const floats = (values) => ({ floats: values });
/** A GRAPH attribute value (If's branches): a graph built by `graph()`. */
export const subgraph = (g) => ({ graph: g });
/** A TENSOR attribute value (Constant's value, ConstantOfShape's): a TensorProto from tensorProto(). */
export const tensorAttribute = (t) => ({ tensor: t });

/** AttributeProto from a JS value: an integer, a string, an array of integers, or float(x),
 *  floats([…]), subgraph(g), tensorAttribute(t). */
function attribute(name, value) {
  const a = new Message().string(1, name);
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("float" in value) return a.raw(encodeFloatField(2, value.float)).varint(20, ATTR.FLOAT);
    if ("floats" in value) {
      for (const v of value.floats) a.raw(encodeFloatField(7, v));
      return a.varint(20, ATTR.FLOATS);
    }
    if ("graph" in value) return a.message(6, value.graph).varint(20, ATTR.GRAPH);
    if ("tensor" in value) return a.message(5, value.tensor).varint(20, ATTR.TENSOR);
  }
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

/** ValueInfoProto of a tensor: float, or of the type of `like` (a typed array, or a data type code:
 *  10 for FLOAT16); a dimension is a size, or a string naming a size fixed only at run time (dim_param). */
export function valueInfo(name, dims, like = null) {
  const shape = new Message();
  for (const d of dims) shape.message(1, typeof d === "string" ? new Message().string(2, d) : new Message().varint(1, d));
  const type = typeof like === "number" ? like : like ? dataType(like) : FLOAT;
  const tensorType = new Message().varint(1, type).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** GraphProto: nodes, initializers, inputs and outputs (a subgraph's inputs are usually none). */
export function graph({ nodes, initializers = [], inputs = [], outputs, name = "graph" }) {
  const g = new Message();
  for (const n of nodes) g.message(1, n);
  g.string(2, name);
  for (const t of initializers) g.message(5, t);
  for (const i of inputs) g.message(11, i);
  for (const o of outputs) g.message(12, o);
  return g;
}

/** Serialised ModelProto of one graph (IR version 8), importing the default-domain opset `opset`
 *  and `opsets` of other domains ({ "com.microsoft": 1 }). */
export function modelBytes({ nodes, initializers, inputs, outputs, name = "graph", opset = 17, opsets = {} }) {
  const model = new Message().varint(1, 8).string(2, "wasm-rnn-bench").message(7, graph({ nodes, initializers, inputs, outputs, name }));
  for (const [domain, version] of Object.entries({ "": opset, ...opsets })) model.message(8, new Message().string(1, domain).varint(2, version));
  return model.encode();
}
