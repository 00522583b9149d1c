// The Keras model config of a model.json — Sequential (a list of layers, with or without an
// InputLayer first) or functional ("Model"/"Functional": layers with inbound nodes, named inputs and
// outputs) — read into one graph form: layers, each called on lists of (layer, node, tensor)
// references. Checks the structure only; what the layers are is decided elsewhere.

import { FormatError, UnsupportedError } from "../../errors.js";
import { describe } from "../../validate.js";
import { JsonReader, isObject, type JsonObject } from "./json.js";

/** Output `tensor` of call `node` of layer `layer`. */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface LayerEntry {
  className: string;
  name: string;
  config: JsonReader;
  /** One list of input tensors per call of the layer (none for an InputLayer). */
  inbound: TensorRef[][];
}

export interface Topology {
  layers: LayerEntry[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

export function readTopology(topology: JsonObject): Topology {
  const model = new JsonReader("model.json: modelTopology", topology);
  const className = model.string("class_name");
  if (className === "Sequential") return readSequential(model.get("config"));
  if (className === "Model" || className === "Functional") return readFunctional(model.reader("config"));
  throw new UnsupportedError(`model.json: modelTopology is a ${JSON.stringify(className)}; wasm-rnn reads Sequential and functional ("Model"/"Functional") models`);
}

function layerEntry(value: unknown, where: string): { className: string; name: string; config: JsonReader; raw: JsonReader } {
  const raw = JsonReader.of(value, where);
  const className = raw.string("class_name");
  const config = raw.reader("config", `config of ${className}`);
  const name = raw.get("name") ?? config.get("name");
  if (typeof name !== "string" || name === "") throw new FormatError(`${where} (${className}) has no name`);
  const label = `model.json: layer "${name}" (${className})`;
  return { className, name, config: new JsonReader(label, config.object), raw };
}

function readSequential(config: unknown): Topology {
  const list = Array.isArray(config) ? config : JsonReader.of(config, "model.json: Sequential config").array("layers");
  if (list.length === 0) throw new FormatError("model.json: the Sequential model has no layers");
  const layers = list.map((value, i): LayerEntry => {
    const { className, name, config } = layerEntry(value, `model.json: Sequential layer ${i}`);
    return { className, name, config, inbound: [] };
  });
  if (layers[0].className !== "InputLayer") {
    // Keras creates the input from the first layer's batch_input_shape, named after that layer.
    const first = layers[0].config;
    const shape = first.get("batch_input_shape") ?? first.get("batch_shape");
    if (shape === undefined) throw new FormatError(`${first.where}: the first layer of a Sequential model needs batch_input_shape (or an InputLayer before it)`);
    const name = `${layers[0].name}_input`;
    const input = new JsonReader(`model.json: layer "${name}" (InputLayer)`, { batch_input_shape: shape, dtype: first.get("dtype") ?? "float32" });
    layers.unshift({ className: "InputLayer", name, config: input, inbound: [] });
  }
  for (let i = 1; i < layers.length; i++) layers[i].inbound = [[{ layer: layers[i - 1].name, node: 0, tensor: 0 }]];
  checkUniqueNames(layers);
  const last = layers[layers.length - 1];
  return { layers, inputs: [{ layer: layers[0].name, node: 0, tensor: 0 }], outputs: [{ layer: last.name, node: 0, tensor: 0 }] };
}

function readFunctional(config: JsonReader): Topology {
  const layers = config.array("layers").map((value, i): LayerEntry => {
    const { className, name, config: layerConfig, raw } = layerEntry(value, `model.json: layers[${i}]`);
    const nodes = raw.get("inbound_nodes") ?? [];
    if (!Array.isArray(nodes)) throw new FormatError(`${layerConfig.where}: inbound_nodes must be a list; got ${describe(nodes)}`);
    const inbound = nodes.map((node, k) => {
      const where = `${layerConfig.where}: inbound_nodes[${k}]`;
      if (isObject(node)) throw new UnsupportedError(`${where} is in the Keras 3 format; wasm-rnn reads model.json as tfjs and Keras 2 write it`);
      if (!Array.isArray(node)) throw new FormatError(`${where} must be a list of [layer, node, tensor] references`);
      return node.map((ref, j) => readRef(ref, `${where}[${j}]`));
    });
    return { className, name, config: layerConfig, inbound };
  });
  checkUniqueNames(layers);
  const refs = (key: string) => {
    const list = config.array(key);
    if (list.length === 0) throw new FormatError(`model.json: the model has no ${key === "input_layers" ? "inputs" : "outputs"} (${key} is empty)`);
    if (typeof list[0] === "string") throw new UnsupportedError(`model.json: ${key} is a single reference (the Keras 3 format); wasm-rnn reads lists of [layer, node, tensor]`);
    return list.map((ref, i) => readRef(ref, `model.json: ${key}[${i}]`));
  };
  return { layers, inputs: refs("input_layers"), outputs: refs("output_layers") };
}

/** [layerName, nodeIndex, tensorIndex, kwargs?] */
function readRef(value: unknown, where: string): TensorRef {
  const ok = Array.isArray(value) && value.length >= 3 && typeof value[0] === "string" && Number.isSafeInteger(value[1]) && value[1] >= 0 && Number.isSafeInteger(value[2]) && value[2] >= 0;
  if (!ok) throw new FormatError(`${where} must be [layer name, node index, tensor index]; got ${JSON.stringify(value) ?? describe(value)}`);
  const [layer, node, tensor] = value as [string, number, number];
  return { layer, node, tensor };
}

function checkUniqueNames(layers: readonly LayerEntry[]): void {
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.name)) throw new FormatError(`model.json: two layers are named "${layer.name}"`);
    seen.add(layer.name);
  }
}
