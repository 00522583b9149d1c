// An imported Keras / TensorFlow.js layers model: the graph of layer calls in the order they run,
// checked end to end when it is built (every reference, every shape, every weight used), and
// `predict` on batch-first tensors as tf.LayersModel.predict. Owns its layers' wasm memory, and keeps
// what it was built from (topology, weights, the kinds on int8), from which a worker of the pool
// builds its own copy.

import { FormatError, ResourceError, ShapeError, UnsupportedError } from "../../errors.js";
import { wrapInternal } from "../../layers/layer.js";
import { selectedKinds, type QuantizableKind } from "../../models/quantized-kinds.js";
import { Tensor } from "../../tensor.js";
import { checkFinite, checkTensor, type TensorLike } from "../../validate.js";
import { readDims, type JsonObject } from "./json.js";
import { formatSymbolic, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import { buildLayer } from "./registry.js";
import { readTopology, type LayerEntry, type Topology, type TensorRef } from "./topology.js";
import { WeightStore, type NamedWeight } from "./weights.js";

/** One call of one layer: where its inputs come from and under which keys its outputs go. */
interface Step {
  layer: KerasLayer;
  inputs: string[];
  outputs: string[];
}

interface ModelInput {
  name: string;
  key: string;
  /** Batch-first sizes; null where any size goes (always the batch). */
  shape: (number | null)[];
}

/** @internal What a model is built from: the Keras model config (modelTopology), the decoded weights
 *  by name, and the kinds quantizeDynamic put on the int8 kernels (none for a model of its own).
 *  Plain data, so it can be sent to a worker. */
export interface LayersModelSource {
  topology: JsonObject;
  weights: ReadonlyMap<string, NamedWeight>;
  quantize: readonly QuantizableKind[];
}

const key = (ref: TensorRef) => `${ref.layer}\u0000${ref.node}\u0000${ref.tensor}`;

export class LayersModel {
  /** The inputs' batch-first shapes, in `inputNames` order (null: any size; the batch always). */
  get inputShapes(): readonly (readonly (number | null)[])[] {
    return this.inputs.map((input) => input.shape);
  }

  /** Names of the model's inputs (its InputLayers), in the order `predict` takes them. */
  readonly inputNames: readonly string[];
  /** Names of the model's outputs (the layers that produce them; repeats get _1, _2, … as in Keras). */
  readonly outputNames: readonly string[];
  /** Whether quantizeDynamic made the model (its Dense and recurrent weights int8, or those of the kinds it selected). */
  readonly quantized: boolean;
  /** @internal What the model was built from, for WorkerPool's workers to build their own: its
   *  weights stay in JavaScript memory beside their wasm copies. */
  readonly source: LayersModelSource;
  private disposed = false;

  private constructor(
    private readonly inputs: readonly ModelInput[],
    private readonly steps: readonly Step[],
    private readonly outputKeys: readonly string[],
    outputNames: readonly string[],
    private readonly layers: readonly KerasLayer[],
    /** The outputs' batch-first shapes as the model was built (null: known only at run time). */
    readonly outputShapes: readonly (readonly (number | null)[])[],
    source: LayersModelSource,
  ) {
    this.inputNames = inputs.map((input) => input.name);
    this.outputNames = outputNames;
    this.source = source;
    this.quantized = source.quantize.length > 0;
  }

  /** @internal The same model with its Dense and recurrent layers of the kinds in `selection` on the
   *  int8 kernels, the others copied (quantizeDynamic). */
  quantizedTwin(selection: ReadonlySet<QuantizableKind>): LayersModel {
    const owner = "quantizeDynamic(LayersModel)";
    if (this.disposed) throw new ResourceError(`${owner}: the model was disposed`);
    if (this.quantized) throw new UnsupportedError(`${owner}: it is quantized already`);
    const present = new Set(this.layers.flatMap((layer) => layer.quantizableKind ?? []));
    const selected = selectedKinds(present, selection, owner);
    const twins = new Map<KerasLayer, KerasLayer>();
    try {
      for (const layer of this.layers) twins.set(layer, layer.quantized(selected));
    } catch (e) {
      for (const twin of twins.values()) twin.dispose();
      throw e;
    }
    const steps = this.steps.map((step) => ({ ...step, layer: twins.get(step.layer)! }));
    const source = { ...this.source, quantize: [...selected] };
    return new LayersModel(this.inputs, steps, this.outputKeys, this.outputNames, [...twins.values()], this.outputShapes, source);
  }

  /** @internal The model `source` describes, built again (a worker's copy for WorkerPool). */
  static fromSource(source: LayersModelSource): LayersModel {
    const model = LayersModel.build(source.topology, source.weights);
    if (source.quantize.length === 0) return model;
    try {
      return model.quantizedTwin(new Set(source.quantize));
    } finally {
      model.dispose();
    }
  }

  /** @internal Builds the model from its Keras model config and decoded weights (all of which it must use). */
  static build(config: JsonObject, weights: ReadonlyMap<string, NamedWeight>): LayersModel {
    const topology = readTopology(config);
    const entries = new Map(topology.layers.map((entry) => [entry.name, entry]));
    const store = new WeightStore(weights);
    const built = new Map<string, KerasLayer>();
    try {
      // Every layer is built (and takes its weights), even one no output depends on, as tfjs does.
      for (const entry of topology.layers) if (entry.className !== "InputLayer") built.set(entry.name, buildLayer(entry, store));
      store.checkAllTaken();
      const known = new Map<string, SymbolicTensor>();
      const inputs = topology.inputs.map((ref, i) => readInput(ref, entries, i));
      for (const input of inputs) known.set(input.key, { shape: input.shape, masked: false });
      const steps = orderSteps(topology, entries).map(({ entry, node }): Step => {
        const refs = entry.inbound[node];
        const layer = built.get(entry.name)!;
        const outputs = layer.infer(refs.map((ref) => symbolic(ref, known, entry.config.where)));
        const keys = outputs.map((output, tensor) => {
          const k = key({ layer: entry.name, node, tensor });
          known.set(k, output);
          return k;
        });
        return { layer, inputs: refs.map(key), outputs: keys };
      });
      const outputShapes = topology.outputs.map((ref, i) => symbolic(ref, known, `model.json: output_layers[${i}]`).shape);
      const outputKeys = topology.outputs.map(key);
      const source = { topology: config, weights, quantize: [] };
      return new LayersModel(inputs, steps, outputKeys, uniqueNames(topology.outputs.map((ref) => ref.layer)), [...built.values()], outputShapes, source);
    } catch (e) {
      for (const layer of built.values()) layer.dispose();
      throw e;
    }
  }

  /**
   * Runs the model on batch-first tensors: one per input (an array, in `inputNames` order, when
   * there are several). Returns one tensor per output (an array when there are several).
   */
  predict(input: TensorLike | readonly TensorLike[]): Tensor | Tensor[] {
    if (this.disposed) throw new ResourceError("LayersModel.predict: the model was disposed");
    const given: readonly TensorLike[] = Array.isArray(input) ? input : [input as TensorLike];
    if (given.length !== this.inputs.length) {
      throw new ShapeError(`LayersModel.predict: the model takes ${this.inputs.length} input(s) (${this.inputNames.join(", ")}); got ${given.length}`);
    }
    const values = new Map<string, Value>();
    checkInputs(given, this.inputs);
    this.inputs.forEach((spec, i) => values.set(spec.key, { tensor: new Tensor(given[i].data, [...given[i].shape]), mask: null }));
    try {
      for (const step of this.steps) {
        const outputs = step.layer.call(step.inputs.map((k) => values.get(k)!));
        step.outputs.forEach((k, i) => values.set(k, outputs[i]));
      }
    } catch (e) {
      throw wrapInternal(e, "LayersModel.predict");
    }
    const inputData = new Set(given.map((t) => t.data));
    const results = this.outputKeys.map((k) => {
      const { tensor } = values.get(k)!;
      return new Tensor(inputData.has(tensor.data) ? tensor.data.slice() : tensor.data, [...tensor.shape]);
    });
    return results.length === 1 ? results[0] : results;
  }

  /** Releases the wasm memory of every layer. Idempotent; the model cannot predict afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const layer of this.layers) layer.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** A model input: an InputLayer named in input_layers, with its batch_input_shape. */
function readInput(ref: TensorRef, entries: ReadonlyMap<string, LayerEntry>, i: number): ModelInput {
  const entry = entries.get(ref.layer);
  if (!entry || entry.className !== "InputLayer" || ref.node !== 0 || ref.tensor !== 0) {
    throw new FormatError(`model.json: input_layers[${i}] must name an InputLayer (node 0, tensor 0); got ${JSON.stringify([ref.layer, ref.node, ref.tensor])}`);
  }
  const config = entry.config;
  if (config.bool("sparse", false) || config.bool("ragged", false)) throw config.unsupported("sparse and ragged inputs are not supported");
  const field = config.get("batch_input_shape") !== undefined ? "batch_input_shape" : "batch_shape";
  const shape = readDims(config.get(field), `${config.where}: ${field}`, true);
  if (shape.length < 1) throw config.invalid(field, "a shape with a batch dimension");
  return { name: entry.name, key: key(ref), shape: [null, ...shape.slice(1)] };
}

/** The calls the outputs depend on, each after the calls it takes inputs from. */
function orderSteps(topology: Topology, entries: ReadonlyMap<string, LayerEntry>): { entry: LayerEntry; node: number }[] {
  const inputs = new Set(topology.inputs.map((ref) => ref.layer));
  const order: { entry: LayerEntry; node: number }[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (ref: TensorRef, from: string): void => {
    const entry = entries.get(ref.layer);
    if (!entry) throw new FormatError(`model.json: ${from} takes a tensor of layer "${ref.layer}", which the model does not have`);
    if (entry.className === "InputLayer") {
      if (!inputs.has(entry.name)) throw new FormatError(`model.json: ${from} takes the InputLayer "${entry.name}", which is not one of the model's inputs`);
      return;
    }
    if (ref.node >= entry.inbound.length) throw new FormatError(`model.json: ${from} takes call ${ref.node} of layer "${entry.name}", which has ${entry.inbound.length} call(s)`);
    const id = `${entry.name}\u0000${ref.node}`;
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") throw new FormatError(`model.json: layer "${entry.name}" depends on its own output (a cycle)`);
    state.set(id, "visiting");
    for (const input of entry.inbound[ref.node]) visit(input, `layer "${entry.name}"`);
    state.set(id, "done");
    order.push({ entry, node: ref.node });
  };
  topology.outputs.forEach((ref, i) => visit(ref, `output_layers[${i}]`));
  return order;
}

/** The load-time description of a referenced tensor. */
function symbolic(ref: TensorRef, known: ReadonlyMap<string, SymbolicTensor>, where: string): SymbolicTensor {
  const found = known.get(key(ref));
  if (!found) throw new FormatError(`${where}: takes output ${ref.tensor} of layer "${ref.layer}" (call ${ref.node}), which it does not have`);
  return found;
}

/** Checks predict's inputs against the InputLayers: shapes, one batch size, finite values. */
function checkInputs(given: readonly TensorLike[], inputs: readonly ModelInput[]): void {
  let batch = -1;
  inputs.forEach((spec, i) => {
    const what = `LayersModel.predict: input "${spec.name}"`;
    const t = checkTensor(given[i], what);
    const fits = t.shape.length === spec.shape.length && spec.shape.every((d, j) => d === null || d === t.shape[j]);
    if (!fits) throw new ShapeError(`${what} must have shape ${formatSymbolic(spec.shape)} (batch first; null = any size); got [${t.shape.join(", ")}]`);
    if (t.shape[0] < 1) throw new ShapeError(`${what} must hold at least one sample; got shape [${t.shape.join(", ")}]`);
    if (batch >= 0 && t.shape[0] !== batch) throw new ShapeError(`${what} has batch size ${t.shape[0]} but an earlier input has ${batch}`);
    batch = t.shape[0];
    checkFinite(t.data, what);
  });
}

/** Keras's output names: the layer names, a repeated one suffixed _1, _2, … */
function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  const count = new Map<string, number>();
  return names.map((name) => {
    let proposal = name;
    while (used.has(proposal)) {
      const n = count.get(name) ?? 1;
      proposal = `${name}_${n}`;
      count.set(name, n + 1);
    }
    used.add(proposal);
    return proposal;
  });
}
