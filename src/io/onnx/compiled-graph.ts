// One ONNX graph (the model's, or a subgraph of If) with every node's kernel built: nodes in running
// order, their specs, and the values known at create time — initializers no feed can replace, and
// the outputs of nodes whose inputs are all known (computed once here, the node then dropped).
// Subgraphs are compiled with their node, and read the enclosing graph's known values.

import { FormatError, NumericError, UnsupportedError, WasmRnnError } from "../../errors.js";
import { wrapInternal } from "../../layers/layer.js";
import type { QuantizableKind } from "../../models/quantized-kinds.js";
import { Attributes } from "./attributes.js";
import { float16ToFloat32 } from "./float16.js";
import { describeNode, nodeReads, orderNodes } from "./graph.js";
import type { OnnxGraph, OnnxNode, ValueInfo } from "./model.js";
import type { Kernel, OpSpec, Value } from "./ops/kernel.js";
import { OPERATORS } from "./ops/registry.js";
import type { OnnxTensor } from "./tensor.js";
import { tensorFromProto } from "./tensor-proto.js";

/** A node ready to run. */
export interface CompiledNode {
  readonly node: OnnxNode;
  readonly spec: OpSpec;
  readonly kernel: Kernel;
  readonly where: string;
  /** Every value the node reads: its inputs, then what its subgraphs read from enclosing graphs. */
  readonly reads: readonly string[];
}

/** What compiling a graph needs from the session. */
export interface CompileOptions {
  readonly opset: number;
  /** The kinds whose float weights go on the int8 kernels (a session quantizeDynamic made). */
  readonly quantize: ReadonlySet<QuantizableKind>;
  /** Notes each kind of weights that could go on the int8 kernels, as nodes are built. */
  readonly noteQuantizable: (kind: QuantizableKind) => void;
}

export class CompiledGraph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputNames: readonly string[];
  readonly nodes: CompiledNode[] = [];
  /** Initializers no feed replaces, and what was computed from known values at create time. */
  private readonly constants = new Map<string, OnnxTensor>();
  /** Initializers that are also graph inputs: defaults a feed may replace. */
  readonly defaults = new Map<string, OnnxTensor>();

  /** `enclosing`: the graph this one is a subgraph of (its known values are visible here). */
  constructor(graph: OnnxGraph, private readonly options: CompileOptions, private readonly enclosing: CompiledGraph | null = null, order?: readonly OnnxNode[]) {
    this.name = graph.name;
    this.inputs = graph.inputs;
    this.outputNames = graph.outputs.map((o) => o.name);
    const fed = new Set(graph.inputs.map((i) => i.name));
    for (const t of graph.initializers) {
      const value = tensorFromProto(t, `initializer "${t.name}"`);
      if (fed.has(t.name)) this.defaults.set(t.name, value);
      else this.constants.set(t.name, value);
    }
    try {
      for (const node of order ?? orderNodes(graph, enclosing ? enclosing.visibleNames() : new Set())) this.compile(node);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** A value known at create time, here or in an enclosing graph. */
  constant(name: string): OnnxTensor | undefined {
    return this.constants.get(name) ?? this.enclosing?.constant(name);
  }

  /** Every name defined here or in an enclosing graph (what a subgraph may read). */
  visibleNames(): Set<string> {
    const names = this.enclosing ? this.enclosing.visibleNames() : new Set<string>();
    for (const i of this.inputs) names.add(i.name);
    for (const name of this.constants.keys()) names.add(name);
    for (const name of this.defaults.keys()) names.add(name);
    for (const { node } of this.nodes) for (const o of node.outputs) if (o) names.add(o);
    return names;
  }

  dispose(): void {
    for (const { kernel } of this.nodes) kernel.dispose?.();
    this.nodes.length = 0;
  }

  /** Builds a node's kernel; computes it right away when all its inputs are known. */
  private compile(node: OnnxNode): void {
    const where = describeNode(node);
    const spec = findSpec(node, where);
    const [minIn, maxIn] = spec.inputs;
    if (node.inputs.length < minIn || node.inputs.length > maxIn || node.inputs.slice(0, minIn).some((i) => i === "")) {
      const arity = maxIn === minIn ? `${minIn}` : maxIn === Infinity ? `${minIn} or more` : `${minIn}–${maxIn} (the first ${minIn} required)`;
      throw new FormatError(`ONNX: ${where} has inputs [${node.inputs.map((i) => JSON.stringify(i)).join(", ")}]; ${node.opType} takes ${arity}`);
    }
    if (node.outputs.length < 1 || node.outputs.length > spec.outputs) {
      throw new FormatError(`ONNX: ${where} has ${node.outputs.length} outputs; ${node.opType} has ${spec.outputs === 1 ? "one" : `1–${spec.outputs}`}`);
    }
    const known = (i: number): Value | undefined => (i >= node.inputs.length || node.inputs[i] === "" ? null : this.constant(node.inputs[i]));
    for (const i of spec.weights ?? []) checkFinite(known(i), node.inputs[i], where);
    const attrs = new Attributes(node, where);
    const subgraphs: CompiledGraph[] = [];
    const subgraph = (name: string) => {
      const graph = attrs.graph(name);
      const compiled = new CompiledGraph(graph, this.options, this);
      subgraphs.push(compiled);
      return compiled;
    };
    const quantizes = (kind: QuantizableKind) => {
      this.options.noteQuantizable(kind);
      return this.options.quantize.has(kind);
    };
    let kernel: Kernel | null = null;
    try {
      kernel = spec.build({ opset: this.options.opset, where, attrs, outputs: node.outputs.length, known, quantizes, subgraph });
      attrs.checkAllRead();
    } catch (e) {
      // What the node built before failing (a layer, its subgraphs) goes with it.
      if (kernel) kernel.dispose?.();
      else for (const g of subgraphs) g.dispose();
      throw e;
    }
    const reads = nodeReads(node);
    const compiled: CompiledNode = { node, spec, kernel, where, reads };
    const foldable = spec.foldable !== false && !kernel.branch && reads.every((name) => name === "" || this.constant(name) !== undefined);
    if (!foldable) {
      this.nodes.push(compiled);
      return;
    }
    try {
      const outputs = runKernel(compiled, node.inputs.map((_, i) => known(i) ?? null));
      node.outputs.forEach((name, i) => {
        const t = outputs[i];
        if (name && t) this.constants.set(name, t);
      });
    } finally {
      kernel.dispose?.();
    }
  }
}

/** A NumericError when a weight known at create time holds a NaN or an infinity. */
function checkFinite(t: Value | undefined, name: string, where: string): void {
  if (!t || (t.type !== "float32" && t.type !== "float64" && t.type !== "float16")) return;
  const values = t.type === "float16" ? float16ToFloat32(t.data as Uint16Array) : (t.data as Float32Array);
  const at = values.findIndex((v) => !Number.isFinite(v));
  if (at >= 0) throw new NumericError(`ONNX: ${where}: weight "${name}" holds ${values[at]} at element ${at}${t.type === "float16" ? " (float16: beyond ±65504, or NaN, in the file)" : ""}`);
}

/** Runs a node's kernel, its errors naming the node. */
export function runKernel({ kernel, where }: CompiledNode, inputs: readonly Value[]): Value[] {
  try {
    return kernel.run(inputs);
  } catch (e) {
    if (e instanceof WasmRnnError && !e.message.includes(where)) {
      const Kind = e.constructor as new (message: string) => WasmRnnError;
      throw new Kind(`ONNX ${where}: ${e.message}`);
    }
    throw wrapInternal(e, `ONNX ${where}`);
  }
}

function findSpec(node: OnnxNode, where: string): OpSpec {
  const operators = OPERATORS.get(node.domain);
  if (!operators) throw new UnsupportedError(`ONNX: ${where} is in domain "${node.domain}"; wasm-rnn runs operators of the default ONNX domain and com.microsoft's DynamicQuantizeLSTM`);
  const spec = operators.get(node.opType);
  if (!spec) {
    const domain = node.domain ? ` of domain "${node.domain}"` : "";
    throw new UnsupportedError(`ONNX: ${where}: operator "${node.opType}"${domain} is not supported by wasm-rnn (it runs ${[...operators.keys()].sort().join(", ")})`);
  }
  return spec;
}
