// A node's attributes as an operator reads them: typed getters with defaults, each checking the
// attribute's declared type (FormatError otherwise), and a final check that the operator read every
// attribute the node has, so one we do not understand is an UnsupportedError rather than ignored.

import { FormatError, UnsupportedError } from "../../errors.js";
import { AttributeType, type OnnxAttribute, type OnnxGraph, type OnnxNode } from "./model.js";
import type { OnnxTensor } from "./tensor.js";
import { tensorFromProto } from "./tensor-proto.js";

const TYPE_NAMES = ["UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS"];
const utf8 = new TextDecoder("utf-8", { fatal: true });

export class Attributes {
  private readonly byName = new Map<string, OnnxAttribute>();
  private readonly read = new Set<string>();

  constructor(private readonly node: OnnxNode, readonly where: string) {
    for (const a of node.attributes) {
      if (this.byName.has(a.name)) throw new FormatError(`ONNX: ${where} has attribute "${a.name}" twice`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    this.read.add(name);
    return this.byName.has(name);
  }

  int(name: string, fallback: number): number {
    return this.get(name, AttributeType.Int)?.i ?? fallback;
  }

  /** An INT attribute that must be present. */
  requiredInt(name: string): number {
    const a = this.get(name, AttributeType.Int);
    if (!a) throw new FormatError(`ONNX: ${this.where} needs attribute "${name}"`);
    return a.i;
  }

  float(name: string, fallback: number): number {
    return this.get(name, AttributeType.Float)?.f ?? fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AttributeType.String);
    return a ? this.text(a.s, name) : fallback;
  }

  ints(name: string): number[] | null {
    return this.get(name, AttributeType.Ints)?.ints ?? null;
  }

  floats(name: string): number[] | null {
    return this.get(name, AttributeType.Floats)?.floats ?? null;
  }

  strings(name: string): string[] | null {
    return this.get(name, AttributeType.Strings)?.strings.map((s) => this.text(s, name)) ?? null;
  }

  tensor(name: string): OnnxTensor | null {
    const a = this.get(name, AttributeType.Tensor);
    return a?.t ? tensorFromProto(a.t, `${this.where}, attribute "${name}"`) : null;
  }

  /** A GRAPH attribute that must be present (If's branches). */
  graph(name: string): OnnxGraph {
    const a = this.get(name, AttributeType.Graph);
    if (!a?.g) throw new FormatError(`ONNX: ${this.where} needs attribute "${name}" (a graph)`);
    return a.g;
  }

  /** UnsupportedError for any attribute the operator did not ask for. */
  checkAllRead(): void {
    for (const name of this.byName.keys()) {
      if (!this.read.has(name)) throw new UnsupportedError(`ONNX: ${this.where} has attribute "${name}", which wasm-rnn does not support for ${this.node.opType}`);
    }
  }

  private get(name: string, type: AttributeType): OnnxAttribute | undefined {
    this.read.add(name);
    const a = this.byName.get(name);
    if (a && a.type !== type) {
      throw new FormatError(`ONNX: ${this.where}: attribute "${name}" (at byte ${a.at}) must be ${TYPE_NAMES[type]}; got ${TYPE_NAMES[a.type] ?? `type ${a.type}`}`);
    }
    return a;
  }

  private text(bytes: Uint8Array, name: string): string {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new FormatError(`ONNX: ${this.where}: attribute "${name}" is not valid UTF-8`);
    }
  }
}
