// InferenceSession: runs an ONNX model with the API of onnxruntime's (create, inputNames,
// outputNames, run, release). `create` decodes and checks the whole model, builds every operator
// (recurrent layers included) and computes once what depends only on initializers and constants;
// `run` checks the feeds against the graph's inputs and runs the nodes the requested outputs need.
// Keeps what it was made from (the model's bytes and the kinds on int8), from which a worker of the
// pool makes its own copy.

import { init } from "../../engine/init.js";
import { FormatError, ResourceError, ShapeError, UnsupportedError, WasmRnnError } from "../../errors.js";
import { wrapInternal } from "../../layers/layer.js";
import { selectedKinds, type QuantizableKind } from "../../models/quantized-kinds.js";
import { Tensor } from "../../tensor.js";
import { checkTensor, describe } from "../../validate.js";
import { Attributes } from "./attributes.js";
import { fuseQuantizedMatMuls } from "./fusion.js";
import { describeNode, nodesFor, orderNodes } from "./graph.js";
import { decodeModel, type OnnxNode, type ValueInfo } from "./model.js";
import { reshaped } from "./ops/elements.js";
import type { Kernel, Value } from "./ops/kernel.js";
import { OPERATORS } from "./ops/registry.js";
import { dataTypeName, READ_TYPES, tensorFromProto } from "./tensor-proto.js";
import { OnnxTensor, type OnnxType } from "./tensor.js";
import { platform } from "../../platform/current.js";

/** onnxruntime's session options (execution providers, optimisation levels, …) are accepted and ignored: wasm-rnn has one backend. */
export type SessionOptions = Readonly<Record<string, unknown>>;

/**
 * A feed: our OnnxTensor, onnxruntime's tensor (`{ type, data, dims }`), or for float32 inputs the
 * library's own Tensor (`tensor(data, shape)`), whose shape becomes the dims.
 */
export type Feed = OnnxTensor | Tensor;

/** Output names to compute, as a list or as the keys of a record (onnxruntime's two forms). */
export type Fetches = readonly string[] | Readonly<Record<string, unknown>>;

/** The opsets of the default domain whose operators we implement (RNN/GRU/LSTM exist from 7). */
const OPSETS = { min: 7, max: 23 };

interface CompiledNode {
  node: OnnxNode;
  kernel: Kernel;
  where: string;
}

/** A graph input or output as the model declares it. */
export interface ValueSignature {
  name: string;
  type: OnnxType | null;
  dims: (number | null)[] | null;
}

/** What a graph input declares (either may be absent). */
interface GraphInput {
  type: OnnxType | null;
  dims: (number | null)[] | null;
}

/** @internal What a session is made from: the model's bytes and the kinds whose float weights
 *  quantizeDynamic put on the int8 kernels (none for a session of its own). Plain data, so it can be
 *  sent to a worker. */
export interface SessionSource {
  bytes: Uint8Array;
  quantize: readonly QuantizableKind[];
}

/** A decoded, checked model: what a session (or its quantized twin) is built from. */
interface DecodedModel {
  opset: number;
  order: OnnxNode[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, OnnxTensor>;
}

export class InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Whether quantizeDynamic made the session (its float LSTM/GRU/RNN, MatMul and Gemm weights int8,
   *  or those of the kinds it selected). */
  readonly quantized: boolean;
  private readonly inputs = new Map<string, GraphInput>();
  /** The kinds of the float weights quantizeDynamic could put on the int8 kernels (LSTM, GRU and RNN
   *  nodes; "Dense": MatMul and Gemm with a constant B), noted as the nodes are built. */
  private readonly quantizableKinds = new Set<QuantizableKind>();
  /** Initializers and what was computed from them at create time. */
  private readonly constants = new Map<string, OnnxTensor>();
  private readonly nodes: CompiledNode[] = [];
  private released = false;
  /** @internal What the session was made from, for WorkerPool's workers to make their own. The bytes
   *  are kept as given, not copied: the decoded nodes' string and tensor attributes view them anyway. */
  readonly source: SessionSource;

  /** A session for a model's bytes, or its path (read from disk in Node, fetched elsewhere). */
  static async create(model: Uint8Array | ArrayBuffer | string, options?: SessionOptions): Promise<InferenceSession> {
    if (options !== undefined && (options === null || typeof options !== "object")) throw new ShapeError("InferenceSession.create: options must be an object");
    await init();
    const bytes = typeof model === "string" ? await readModel(model) : model instanceof Uint8Array ? model : model instanceof ArrayBuffer ? new Uint8Array(model) : null;
    if (!bytes) throw new FormatError("InferenceSession.create: expected the model as a Uint8Array, an ArrayBuffer or a path");
    try {
      return new InferenceSession({ bytes, quantize: [] }, decode(bytes));
    } catch (e) {
      throw wrapInternal(e, "InferenceSession.create");
    }
  }

  /** @internal The session `source` describes, made again (a worker's copy for WorkerPool). */
  static fromSource(source: SessionSource): InferenceSession {
    return new InferenceSession(source, decode(source.bytes));
  }

  /** `model`: what `source.bytes` decode to. */
  private constructor(source: SessionSource, private readonly model: DecodedModel) {
    this.source = source;
    const quantize = new Set(source.quantize);
    this.quantized = quantize.size > 0;
    for (const input of model.inputs) this.inputs.set(input.name, graphInput(input));
    // Initializers that are also inputs can be fed, so nothing is computed from them in advance.
    for (const [name, t] of model.initializers) if (!this.inputs.has(name)) this.constants.set(name, t);
    this.inputNames = model.inputs.filter((i) => !model.initializers.has(i.name)).map((i) => i.name);
    this.outputNames = model.outputs.map((o) => o.name);
    try {
      for (const node of model.order) this.compile(node, model.opset, quantize);
    } catch (e) {
      this.disposeKernels();
      throw e;
    }
    for (const [name, t] of model.initializers) if (this.inputs.has(name)) this.constants.set(name, t);
  }

  /** The element type and dims (null: any size; dims null: not declared) the model declares for each
   *  of its inputs and outputs (type null: one wasm-rnn does not read). */
  get signature(): { inputs: ValueSignature[]; outputs: ValueSignature[] } {
    const of = (info: ValueInfo): ValueSignature => ({ name: info.name, type: READ_TYPES.get(info.elemType) ?? null, dims: info.dims });
    return { inputs: this.model.inputs.filter((i) => this.inputNames.includes(i.name)).map(of), outputs: this.model.outputs.map(of) };
  }

  /** @internal The same model with its float recurrent, MatMul and Gemm weights of the kinds in
   *  `selection` on the int8 kernels (quantizeDynamic). */
  quantizedTwin(selection: ReadonlySet<QuantizableKind>): InferenceSession {
    const owner = "quantizeDynamic(InferenceSession)";
    if (this.released) throw new ResourceError(`${owner}: the session was released`);
    if (this.quantized) throw new UnsupportedError(`${owner}: it is quantized already`);
    return new InferenceSession({ bytes: this.source.bytes, quantize: [...selectedKinds(this.quantizableKinds, selection, owner)] }, this.model);
  }

  /** Builds a node's kernel; computes it right away when all its inputs are constants. */
  private compile(node: OnnxNode, opset: number, quantize: ReadonlySet<QuantizableKind>): void {
    const where = describeNode(node);
    const operators = OPERATORS.get(node.domain);
    if (!operators) throw new UnsupportedError(`ONNX: ${where} is in domain "${node.domain}"; wasm-rnn runs operators of the default ONNX domain and com.microsoft's DynamicQuantizeLSTM`);
    const spec = operators.get(node.opType);
    if (!spec) {
      const domain = node.domain ? ` of domain "${node.domain}"` : "";
      throw new UnsupportedError(`ONNX: ${where}: operator "${node.opType}"${domain} is not supported by wasm-rnn (it runs ${[...operators.keys()].join(", ")})`);
    }
    const [minIn, maxIn] = spec.inputs;
    if (node.inputs.length < minIn || node.inputs.length > maxIn || node.inputs.slice(0, minIn).some((i) => i === "")) {
      const arity = maxIn === minIn ? `${minIn}` : maxIn === Infinity ? `${minIn} or more` : `${minIn}–${maxIn} (the first ${minIn} required)`;
      throw new FormatError(`ONNX: ${where} has inputs [${node.inputs.map((i) => JSON.stringify(i)).join(", ")}]; ${node.opType} takes ${arity}`);
    }
    if (node.outputs.length < 1 || node.outputs.length > spec.outputs) {
      throw new FormatError(`ONNX: ${where} has ${node.outputs.length} outputs; ${node.opType} has ${spec.outputs === 1 ? "one" : `1–${spec.outputs}`}`);
    }
    const known = (i: number): Value | undefined => (i >= node.inputs.length || node.inputs[i] === "" ? null : this.constants.get(node.inputs[i]));
    const attrs = new Attributes(node, where);
    const quantizes = (kind: QuantizableKind) => {
      this.quantizableKinds.add(kind);
      return quantize.has(kind);
    };
    const kernel = spec.build({ opset, where, attrs, known, quantizes });
    const compiled = { node, kernel, where };
    this.nodes.push(compiled);
    attrs.checkAllRead();
    if (spec.foldable === false || !node.inputs.every((_, i) => known(i) !== undefined)) return;
    const outputs = this.execute(compiled, node.inputs.map((_, i) => known(i) ?? null));
    node.outputs.forEach((name, i) => {
      const t = outputs[i];
      if (name && t) this.constants.set(name, t);
    });
    this.nodes.pop();
    kernel.dispose?.();
  }

  /**
   * Runs the model. `feeds` maps input names to tensors (onnx.Tensor, onnxruntime's, or a float32
   * `tensor(data, shape)`); `fetches` (default: every output) names the outputs wanted. Resolves to
   * the outputs by name.
   */
  async run(feeds: Readonly<Record<string, Feed>>, fetches?: Fetches): Promise<Record<string, OnnxTensor>> {
    if (this.released) throw new ResourceError("InferenceSession.run: the session was released");
    const wanted = this.wantedOutputs(fetches);
    const values = new Map<string, OnnxTensor>(this.constants);
    for (const [name, t] of this.checkFeeds(feeds)) values.set(name, t);
    const needed = new Set(nodesFor(this.nodes.map((c) => c.node), wanted, new Set(values.keys())));
    const computed = new Set<string>();
    for (const compiled of this.nodes) {
      if (!needed.has(compiled.node)) continue;
      const inputs = compiled.node.inputs.map((name) => (name === "" ? null : values.get(name) ?? missing(name, compiled.where)));
      const outputs = this.execute(compiled, inputs);
      compiled.node.outputs.forEach((name, i) => {
        const t = outputs[i];
        if (!name || !t) return;
        values.set(name, t);
        computed.add(name);
      });
    }
    const result: Record<string, OnnxTensor> = {};
    for (const name of wanted) {
      const t = values.get(name) ?? missing(name, "the graph");
      // Outputs that are constants or feeds are handed out as copies, so changing a result changes neither.
      result[name] = computed.has(name) ? t : reshaped(t, t.dims, `output "${name}"`);
    }
    return result;
  }

  /** Frees the wasm memory of the session's layers and buffers; the session cannot run afterwards. */
  async release(): Promise<void> {
    this.released = true;
    this.disposeKernels();
  }

  get isReleased(): boolean {
    return this.released;
  }

  private execute({ kernel, where }: CompiledNode, inputs: readonly Value[]): Value[] {
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

  private disposeKernels(): void {
    for (const { kernel } of this.nodes) kernel.dispose?.();
    this.nodes.length = 0;
  }

  private wantedOutputs(fetches: Fetches | undefined): string[] {
    if (fetches === undefined) return [...this.outputNames];
    if (fetches === null || typeof fetches !== "object") throw new ShapeError("InferenceSession.run: fetches must be an array of output names or a record keyed by them");
    const names = Array.isArray(fetches) ? [...fetches] : Object.keys(fetches);
    for (const name of names) {
      if (typeof name !== "string" || !this.outputNames.includes(name)) {
        throw new ShapeError(`InferenceSession.run: ${JSON.stringify(name)} is not an output of the model (${this.outputNames.join(", ")})`);
      }
    }
    return names;
  }

  private checkFeeds(feeds: Readonly<Record<string, Feed>>): [string, OnnxTensor][] {
    if (feeds === null || typeof feeds !== "object") throw new ShapeError("InferenceSession.run: feeds must be an object mapping input names to tensors");
    const checked: [string, OnnxTensor][] = [];
    for (const [name, given] of Object.entries(feeds)) {
      const input = this.inputs.get(name);
      if (!input) throw new ShapeError(`InferenceSession.run: the model has no input ${JSON.stringify(name)} (its inputs: ${this.inputNames.join(", ")})`);
      const t = given instanceof OnnxTensor ? given : asTensor(given, name);
      if (input.type && t.type !== input.type) throw new ShapeError(`InferenceSession.run: input "${name}" must be ${input.type}; got ${t.type}`);
      const dims = input.dims;
      if (dims && (dims.length !== t.dims.length || dims.some((d, k) => d !== null && d !== t.dims[k]))) {
        throw new ShapeError(`InferenceSession.run: input "${name}" must have shape [${dims.map((d) => d ?? "*").join(", ")}]; got [${t.dims.join(", ")}]`);
      }
      checked.push([name, t]);
    }
    for (const name of this.inputNames) {
      if (!(name in feeds)) throw new ShapeError(`InferenceSession.run: input "${name}" is missing from feeds`);
    }
    return checked;
  }
}

/**
 * A feed that is not our OnnxTensor: the library's Tensor (float32, its shape as dims), or one with
 * OnnxTensor's fields (e.g. onnxruntime's Tensor); anything else is refused here, before the
 * OnnxTensor constructor would complain about its data.
 */
function asTensor(given: unknown, name: string): OnnxTensor {
  const what = `InferenceSession.run: feeds[${JSON.stringify(name)}]`;
  const t = given as { type?: unknown; data?: unknown; dims?: unknown; shape?: unknown } | null;
  const object = t !== null && typeof t === "object" && !Array.isArray(t) && !ArrayBuffer.isView(t);
  if (object && ("type" in t || "dims" in t)) return new OnnxTensor(t.type as OnnxType, t.data as Float32Array, t.dims as number[]);
  if (object && (t instanceof Tensor || ("shape" in t && "data" in t))) {
    const checked = checkTensor(t, what);
    return new OnnxTensor("float32", checked.data, checked.shape);
  }
  throw new ShapeError(`${what} must be a Tensor (onnx.Tensor, or wasm-rnn's tensor(data, shape)); got ${describeFeed(given)}`);
}

/** What was fed, for the error: `describe`, with typed arrays named by kind and length. */
function describeFeed(given: unknown): string {
  if (ArrayBuffer.isView(given)) return `a ${given.constructor.name}${"length" in given ? ` of ${given.length}` : ""}`;
  if (given !== null && typeof given === "object" && !Array.isArray(given)) {
    const keys = Object.keys(given);
    return `an object with keys [${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", …" : ""}]`;
  }
  return describe(given);
}

/** Decodes and checks a model: opset, nodes in running order (quantize_dynamic's MatMuls fused), initializers. */
function decode(bytes: Uint8Array): DecodedModel {
  const { opsets, graph } = decodeModel(bytes);
  const opset = opsets.get("")!;
  if (opset < OPSETS.min || opset > OPSETS.max) throw new UnsupportedError(`ONNX: the model uses opset ${opset}; wasm-rnn runs opsets ${OPSETS.min}–${OPSETS.max}`);
  const order = fuseQuantizedMatMuls(graph, orderNodes(graph));
  const initializers = new Map<string, OnnxTensor>();
  for (const t of graph.initializers) initializers.set(t.name, tensorFromProto(t, `initializer "${t.name}"`));
  return { opset, order, inputs: graph.inputs, outputs: graph.outputs, initializers };
}

function missing(name: string, where: string): never {
  throw new FormatError(`ONNX: ${where} needs "${name}", which was not computed`);
}

function graphInput(info: ValueInfo): GraphInput {
  const type = info.elemType === 0 ? null : READ_TYPES.get(info.elemType);
  if (type === undefined) throw new UnsupportedError(`ONNX: graph input "${info.name}" has element type ${dataTypeName(info.elemType)}; wasm-rnn takes float32, int32 and int64 inputs`);
  return { type, dims: info.dims };
}

async function readModel(path: string): Promise<Uint8Array> {
  try {
    return (await platform.fetchBytes(platform.toUrl(path))).bytes;
  } catch (e) {
    throw new ResourceError(`InferenceSession.create: cannot read the model ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
}
