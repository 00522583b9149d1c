// InferenceSession: runs an ONNX model with the API of onnxruntime's (create, inputNames,
// outputNames, run, release). `create` decodes and checks the whole model, builds every operator
// (recurrent layers and subgraphs included) and computes once what depends only on initializers and
// constants. `run` checks the feeds against the graph's inputs, then runs the plan compiled for their
// signature — input types and dims, the values of the small inputs that pick branches or shapes
// (Silero's sample rate), the outputs wanted — compiling it at the first such call (plan.ts); a graph
// that cannot be planned for those feeds is interpreted node by node. Keeps what it was made from
// (the model's bytes and the kinds on int8), from which a worker of the pool makes its own copy.

import { engine } from "../../engine/engine.js";
import { init } from "../../engine/init.js";
import { FormatError, ResourceError, ShapeError, UnsupportedError } from "../../errors.js";
import { wrapInternal } from "../../layers/layer.js";
import { selectedKinds, type QuantizableKind } from "../../models/quantized-kinds.js";
import { platform } from "../../platform/current.js";
import { Tensor } from "../../tensor.js";
import { checkTensor, describe } from "../../validate.js";
import { CompiledGraph } from "./compiled-graph.js";
import { evaluate, Scope, type Traced } from "./evaluate.js";
import { fuseQuantizedMatMuls } from "./fusion.js";
import { orderNodes } from "./graph.js";
import { decodeModel, type OnnxGraph, type OnnxNode, type ValueInfo } from "./model.js";
import { Plan, PlanMismatch } from "./plan.js";
import { dataTypeName, READ_TYPES } from "./tensor-proto.js";
import { OnnxTensor, type OnnxType } from "./tensor.js";
import { NotPlannable, Tracer } from "./trace.js";

/** onnxruntime's session options (execution providers, optimisation levels, …) are accepted and ignored: wasm-rnn has one backend. */
export type SessionOptions = Readonly<Record<string, unknown>>;

/**
 * A feed: our OnnxTensor, onnxruntime's tensor (`{ type, data, dims }`), or for float32 inputs the
 * library's own Tensor (`tensor(data, shape)`), whose shape becomes the dims.
 */
export type Feed = OnnxTensor | Tensor;

/** Output names to compute, as a list or as the keys of a record (onnxruntime's two forms). */
export type Fetches = readonly string[] | Readonly<Record<string, unknown>>;

/** The opsets of the default domain read: an operator of an older version with attributes it no longer has is refused by its attribute check. */
const OPSETS = { min: 1, max: 25 };

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
  graph: OnnxGraph;
  /** The graph's nodes in running order, quantize_dynamic's MatMuls fused. */
  order: OnnxNode[];
}

/** Plans kept per session (the least recently used goes first): enough for every batch size a served
 *  stream model sees (1 to --max-batch), so batches do not trace again and again. */
const MAX_PLANS = 64;
/** An input whose value picks a branch or a shape is keyed (its value part of the plan's signature) up to this many elements. */
const MAX_KEYED_ELEMENTS = 64;

/** What a signature runs: a plan, or the interpreter (the graph could not be planned for it). */
type Compiled = { plan: Plan } | { interpret: string };

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
  private readonly graph: CompiledGraph;
  /** Compiled plans (or the decision to interpret) by signature, most recently used last. */
  private readonly plans = new Map<string, Compiled>();
  /** Inputs whose values are part of the signature: found while tracing (an If on the sample rate). */
  private readonly keyed = new Set<string>();
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
    const { graph } = model;
    for (const input of graph.inputs) this.inputs.set(input.name, graphInput(input));
    const initialized = new Set(graph.initializers.map((t) => t.name));
    this.inputNames = graph.inputs.filter((i) => !initialized.has(i.name)).map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
    this.graph = new CompiledGraph(graph, { opset: model.opset, quantize, noteQuantizable: (kind) => this.quantizableKinds.add(kind) }, null, model.order);
  }

  /** The element type and dims (null: any size; dims null: not declared) the model declares for each
   *  of its inputs and outputs (type null: one wasm-rnn does not read). */
  get signature(): { inputs: ValueSignature[]; outputs: ValueSignature[] } {
    const of = (info: ValueInfo): ValueSignature => ({ name: info.name, type: READ_TYPES.get(info.elemType) ?? null, dims: info.dims });
    const { graph } = this.model;
    return { inputs: graph.inputs.filter((i) => this.inputNames.includes(i.name)).map(of), outputs: graph.outputs.map(of) };
  }

  /** @internal The same model with its float recurrent, MatMul and Gemm weights of the kinds in
   *  `selection` on the int8 kernels (quantizeDynamic). */
  quantizedTwin(selection: ReadonlySet<QuantizableKind>): InferenceSession {
    const owner = "quantizeDynamic(InferenceSession)";
    if (this.released) throw new ResourceError(`${owner}: the session was released`);
    if (this.quantized) throw new UnsupportedError(`${owner}: it is quantized already`);
    return new InferenceSession({ bytes: this.source.bytes, quantize: [...selectedKinds(this.quantizableKinds, selection, owner)] }, this.model);
  }

  /**
   * Runs the model. `feeds` maps input names to tensors (onnx.Tensor, onnxruntime's, or a float32
   * `tensor(data, shape)`); `fetches` (default: every output) names the outputs wanted. Resolves to
   * the outputs by name.
   */
  async run(feeds: Readonly<Record<string, Feed>>, fetches?: Fetches): Promise<Record<string, OnnxTensor>> {
    return this.runSync(feeds, fetches);
  }

  /** @internal run, synchronously (what the onnxruntime backend and the worker pool call). */
  runSync(feeds: Readonly<Record<string, Feed>>, fetches?: Fetches): Record<string, OnnxTensor> {
    if (this.released) throw new ResourceError("InferenceSession.run: the session was released");
    const wanted = this.wantedOutputs(fetches);
    const checked = Object.fromEntries(this.checkFeeds(feeds));
    try {
      const key = this.signatureKey(checked, wanted);
      const compiled = this.plans.get(key);
      if (compiled) {
        this.plans.delete(key);
        this.plans.set(key, compiled); // most recently used last
        if ("plan" in compiled) return this.runPlan(key, compiled.plan, checked, wanted);
        return this.interpret(checked, wanted);
      }
      return this.compile(checked, wanted);
    } catch (e) {
      throw wrapInternal(e, "InferenceSession.run");
    }
  }

  /** Frees the wasm memory of the session's layers, plans and buffers; the session cannot run afterwards. */
  async release(): Promise<void> {
    this.released = true;
    this.dropPlans();
    this.graph.dispose();
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** @internal How each signature run so far is compiled: a plan of n steps, or why it is interpreted. */
  get plansInUse(): string[] {
    return [...this.plans.values()].map((c) => ("plan" in c ? `plan of ${c.plan.stepCount} steps` : `interpreted: ${c.interpret}`));
  }

  private runPlan(key: string, plan: Plan, feeds: Record<string, OnnxTensor>, wanted: readonly string[]): Record<string, OnnxTensor> {
    try {
      return plan.run(feeds);
    } catch (e) {
      if (!(e instanceof PlanMismatch)) throw e;
      plan.dispose();
      this.plans.set(key, { interpret: e.message });
      return this.interpret(feeds, wanted);
    }
  }

  /** The plan's signature: each input's type and dims, the keyed inputs' values, the outputs wanted. */
  private signatureKey(feeds: Readonly<Record<string, OnnxTensor>>, wanted: readonly string[]): string {
    let key = wanted.join("\u0000");
    for (const name of this.inputNames) {
      const t = feeds[name];
      key += `|${t.type}[${t.dims.join(",")}]`;
      if (this.keyed.has(name)) key += `=${Array.prototype.join.call(t.data, ",")}`;
    }
    return key;
  }

  /** Traces a run of these feeds into a plan (the run's outputs come from the trace), keying the
   *  inputs that pick shapes or branches where they are small; interprets when that is not enough. */
  private compile(feeds: Record<string, OnnxTensor>, wanted: readonly string[]): Record<string, OnnxTensor> {
    for (;;) {
      const tracer = new Tracer(engine());
      const scope = this.scope((name, t) => tracer.feed(name, t, this.keyed.has(name)), feeds);
      try {
        evaluate(scope, wanted, tracer);
      } catch (e) {
        if (!(e instanceof NotPlannable)) throw e;
        const keyable = [...e.inputs].every((name) => !this.keyed.has(name) && this.inputs.has(name) && feeds[name].size <= MAX_KEYED_ELEMENTS);
        if (keyable && e.inputs.size > 0) {
          for (const name of e.inputs) this.keyed.add(name);
          this.dropPlans(); // their signatures lack the new keys
          continue;
        }
        this.remember(this.signatureKey(feeds, wanted), { interpret: e.message });
        return this.interpret(feeds, wanted);
      }
      const outputs = wanted.map((name): [string, Traced] => [name, scope.get(name)!]);
      this.remember(this.signatureKey(feeds, wanted), { plan: new Plan(engine(), tracer, outputs) });
      return Object.fromEntries(outputs.map(([name, t]) => [name, copyOf(t.tensor)]));
    }
  }

  /** Runs the graph node by node on these feeds. */
  private interpret(feeds: Record<string, OnnxTensor>, wanted: readonly string[]): Record<string, OnnxTensor> {
    const scope = this.scope((_, tensor) => ({ tensor, dynamic: null }), feeds);
    evaluate(scope, wanted, null);
    return Object.fromEntries(wanted.map((name) => [name, copyOf(scope.get(name)!.tensor)]));
  }

  private scope(fed: (name: string, t: OnnxTensor) => Traced, feeds: Record<string, OnnxTensor>): Scope {
    const scope = new Scope(this.graph, null);
    for (const [name, t] of Object.entries(feeds)) scope.set(name, fed(name, t));
    return scope;
  }

  private remember(key: string, compiled: Compiled): void {
    this.plans.set(key, compiled);
    if (this.plans.size <= MAX_PLANS) return;
    const [oldestKey, oldest] = this.plans.entries().next().value!;
    if ("plan" in oldest) oldest.plan.dispose();
    this.plans.delete(oldestKey);
  }

  private dropPlans(): void {
    for (const c of this.plans.values()) if ("plan" in c) c.plan.dispose();
    this.plans.clear();
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
      let t = given instanceof OnnxTensor ? given : asTensor(given, name);
      if (input.type && t.type !== input.type) throw new ShapeError(`InferenceSession.run: input "${name}" must be ${input.type}; got ${t.type}`);
      const dims = input.dims;
      // A scalar input fed as one element of shape [1], as onnxruntime accepts (vad-web feeds Silero's
      // sample rate so): read as the scalar.
      if (dims && dims.length === 0 && t.dims.length === 1 && t.size === 1) t = new OnnxTensor(t.type, t.data, []);
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

/** Decodes and checks a model: opset, nodes in running order (quantize_dynamic's MatMuls fused). */
function decode(bytes: Uint8Array): DecodedModel {
  const { opsets, graph } = decodeModel(bytes);
  const opset = opsets.get("")!;
  if (opset < OPSETS.min || opset > OPSETS.max) throw new UnsupportedError(`ONNX: the model uses opset ${opset}; wasm-rnn runs opsets ${OPSETS.min}–${OPSETS.max}`);
  return { opset, graph, order: fuseQuantizedMatMuls(graph, orderNodes(graph)) };
}

/** An output handed to the caller: its own copy, so changing it changes nothing here. */
function copyOf(t: OnnxTensor): OnnxTensor {
  return new OnnxTensor(t.type, t.data.slice() as Float32Array, t.dims);
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
