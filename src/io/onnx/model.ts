// onnx.ModelProto and the messages inside it that running a graph needs — GraphProto (subgraphs of
// If and other control flow too), NodeProto, AttributeProto, ValueInfoProto with its TypeProto
// shapes, OperatorSetIdProto — decoded into plain objects. Other fields (docs, metadata, training info, functions) are skipped. A model without a
// graph or without an opset for the default domain is a FormatError.

import { FormatError, UnsupportedError } from "../../errors.js";
import { ProtoReader, type Field } from "./protobuf.js";
import { decodeTensorProto, type TensorProto } from "./tensor-proto.js";

export interface OnnxModel {
  /** Opset version per domain ("" is the default domain, ai.onnx). */
  opsets: Map<string, number>;
  graph: OnnxGraph;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: TensorProto[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  /** Position in the graph's node list. */
  index: number;
}

/** AttributeProto.AttributeType values. */
export const enum AttributeType {
  Undefined = 0,
  Float = 1,
  Int = 2,
  String = 3,
  Tensor = 4,
  Graph = 5,
  Floats = 6,
  Ints = 7,
  Strings = 8,
  Tensors = 9,
  Graphs = 10,
}

export interface OnnxAttribute {
  name: string;
  type: AttributeType;
  f: number;
  i: number;
  s: Uint8Array;
  t: TensorProto | null;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  /** A GRAPH attribute's graph (If's branches), or null. */
  g: OnnxGraph | null;
  graphs: OnnxGraph[];
  /** Byte offset of the message, for error messages. */
  at: number;
}

export interface ValueInfo {
  name: string;
  /** TensorProto.DataType of the elements, or 0 when not given. */
  elemType: number;
  /** Dimensions (a number, or null for a symbolic or unknown one), or null when the rank is not given. */
  dims: (number | null)[] | null;
}

/** Decodes a serialized ModelProto. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const r = new ProtoReader(bytes, 0, bytes.length, "ModelProto");
  let graph: OnnxGraph | null = null;
  const opsets = new Map<string, number>();
  for (const f of r.fields()) {
    if (f.number === 7) graph = decodeGraph(r.message(f, "graph", "GraphProto"));
    else if (f.number === 8) decodeOpset(r.message(f, "opset_import", "OperatorSetIdProto"), opsets, f);
  }
  if (!graph) throw new FormatError(`ONNX: the model has no graph (${bytes.length} bytes; a truncated file?)`);
  if (!opsets.has("")) throw new FormatError("ONNX: the model imports no opset for the default domain (opset_import; a truncated file?)");
  return { opsets, graph };
}

function decodeOpset(r: ProtoReader, into: Map<string, number>, field: Field): void {
  let domain = "", version = 0;
  for (const f of r.fields()) {
    if (f.number === 1) domain = r.string(f, "domain");
    else if (f.number === 2) version = r.int(f, "version");
  }
  if (domain === "ai.onnx") domain = "";
  if (into.has(domain)) r.fail(field.at, `opset_import lists domain "${domain}" twice`);
  into.set(domain, version);
}

/** Subgraphs nest no deeper than this (a hostile file could nest them until the stack overflows). */
const MAX_GRAPH_DEPTH = 64;

function decodeGraph(r: ProtoReader, depth = 0): OnnxGraph {
  if (depth > MAX_GRAPH_DEPTH) throw new FormatError(`ONNX: subgraphs nest more than ${MAX_GRAPH_DEPTH} deep`);
  const g: OnnxGraph = { name: "", nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of r.fields()) {
    switch (f.number) {
      case 1: g.nodes.push(decodeNode(r.message(f, "node", "NodeProto"), g.nodes.length, depth)); break;
      case 2: g.name = r.string(f, "name"); break;
      case 5: g.initializers.push(decodeTensorProto(r.message(f, "initializer", "TensorProto"), f.at)); break;
      case 11: g.inputs.push(decodeValueInfo(r.message(f, "input", "ValueInfoProto"))); break;
      case 12: g.outputs.push(decodeValueInfo(r.message(f, "output", "ValueInfoProto"))); break;
      case 15: throw new UnsupportedError("ONNX: the graph has sparse initializers, which wasm-rnn does not read");
    }
  }
  return g;
}

function decodeNode(r: ProtoReader, index: number, depth: number): OnnxNode {
  const node: OnnxNode = { name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: [], index };
  for (const f of r.fields()) {
    switch (f.number) {
      case 1: node.inputs.push(r.string(f, "input")); break;
      case 2: node.outputs.push(r.string(f, "output")); break;
      case 3: node.name = r.string(f, "name"); break;
      case 4: node.opType = r.string(f, "op_type"); break;
      case 5: node.attributes.push(decodeAttribute(r.message(f, "attribute", "AttributeProto"), f.at, depth)); break;
      case 7: node.domain = r.string(f, "domain"); break;
    }
  }
  if (node.domain === "ai.onnx") node.domain = "";
  return node;
}

function decodeAttribute(r: ProtoReader, at: number, depth: number): OnnxAttribute {
  const a: OnnxAttribute = { name: "", type: AttributeType.Undefined, f: 0, i: 0, s: new Uint8Array(0), t: null, floats: [], ints: [], strings: [], g: null, graphs: [], at };
  // Old writers leave `type` out; then the field that carries a value says it.
  let seen = AttributeType.Undefined;
  for (const f of r.fields()) {
    switch (f.number) {
      case 1: a.name = r.string(f, "name"); break;
      case 2: a.f = r.float(f, "f"); seen = AttributeType.Float; break;
      case 3: a.i = r.int(f, "i"); seen = AttributeType.Int; break;
      case 4: a.s = r.bytesField(f, "s"); seen = AttributeType.String; break;
      case 5: a.t = decodeTensorProto(r.message(f, "t", "TensorProto"), f.at); seen = AttributeType.Tensor; break;
      case 6: a.g = decodeGraph(r.message(f, "g", "GraphProto"), depth + 1); seen = AttributeType.Graph; break;
      case 7: r.floats(f, "floats", a.floats); seen = AttributeType.Floats; break;
      case 8: r.ints(f, "ints", a.ints); seen = AttributeType.Ints; break;
      case 9: a.strings.push(r.bytesField(f, "strings")); seen = AttributeType.Strings; break;
      case 10: r.bytesField(f, "tensors"); seen = AttributeType.Tensors; break;
      case 11: a.graphs.push(decodeGraph(r.message(f, "graphs", "GraphProto"), depth + 1)); seen = AttributeType.Graphs; break;
      case 20: a.type = r.uint(f, "type"); break;
    }
  }
  if (a.type === AttributeType.Undefined) a.type = seen;
  return a;
}

function decodeValueInfo(r: ProtoReader): ValueInfo {
  const v: ValueInfo = { name: "", elemType: 0, dims: null };
  for (const f of r.fields()) {
    if (f.number === 1) v.name = r.string(f, "name");
    else if (f.number === 2) decodeType(r.message(f, "type", "TypeProto"), v);
  }
  return v;
}

/** TypeProto: only tensor_type (elem_type and shape) is read; sequences, maps and optionals are skipped. */
function decodeType(r: ProtoReader, into: ValueInfo): void {
  for (const f of r.fields()) {
    if (f.number !== 1) continue;
    const tensor = r.message(f, "tensor_type", "TypeProto.Tensor");
    for (const g of tensor.fields()) {
      if (g.number === 1) into.elemType = tensor.uint(g, "elem_type");
      else if (g.number === 2) into.dims = decodeShape(tensor.message(g, "shape", "TensorShapeProto"));
    }
  }
}

function decodeShape(r: ProtoReader): (number | null)[] {
  const dims: (number | null)[] = [];
  for (const f of r.fields()) {
    if (f.number !== 1) continue;
    const dim = r.message(f, "dim", "TensorShapeProto.Dimension");
    let value: number | null = null;
    for (const g of dim.fields()) {
      if (g.number !== 1) continue;
      const at = g.at;
      value = dim.int(g, "dim_value");
      if (value < 0) dim.fail(at, `dim_value ${value} is negative`);
    }
    dims.push(value);
  }
  return dims;
}
