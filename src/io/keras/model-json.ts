// The model.json document of a TensorFlow.js layers model: `modelTopology` (the Keras model config,
// possibly wrapped in `model_config` as Keras writes it) and `weightsManifest` (groups of weight-file
// paths, each with the specs of the weights stored in them, in order). Parses and checks the document;
// reading the files and decoding the weights happen elsewhere.

import { FormatError, UnsupportedError } from "../../errors.js";
import { JsonReader, isObject, parseJson, readDims, type JsonObject } from "./json.js";

/** How a weight is stored: float32, or quantized to uint8/uint16 as value = q·scale + min. */
export type WeightEncoding = { kind: "float32" } | { kind: "affine"; bytesPerValue: 1 | 2; scale: number; min: number };

export interface WeightSpec {
  name: string;
  shape: number[];
  encoding: WeightEncoding;
}

export interface WeightGroup {
  /** Weight-file paths relative to model.json, read and concatenated in this order. */
  paths: string[];
  weights: WeightSpec[];
}

export interface ModelJson {
  /** `{ class_name, config }` of the model. */
  topology: JsonObject;
  manifest: WeightGroup[];
}

/** Reads model.json given as text, bytes or an already parsed object. */
export function parseModelJson(input: string | Uint8Array | ArrayBuffer | JsonObject): ModelJson {
  let document: unknown = input;
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch {
      throw new FormatError("model.json is not UTF-8 text");
    }
    document = parseJson(text, "model.json");
  } else if (typeof input === "string") {
    document = parseJson(input, "model.json");
  }
  const root = JsonReader.of(document, "model.json");
  const format = root.optionalString("format");
  if (format !== null && format !== "layers-model") {
    throw new UnsupportedError(`model.json has format ${JSON.stringify(format)}; wasm-rnn reads layers models ("layers-model"), not graph models`);
  }
  let topology = root.get("modelTopology");
  if (!isObject(topology)) throw root.invalid("modelTopology", "a JSON object (the Keras model config)");
  if (isObject(topology.model_config)) topology = topology.model_config; // as Keras (Python) writes it
  const manifest = root.get("weightsManifest") === undefined ? [] : root.array("weightsManifest").map((group, g) => readGroup(group, g));
  const seen = new Set<string>();
  for (const spec of manifest.flatMap((group) => group.weights)) {
    if (seen.has(spec.name)) throw new FormatError(`model.json: weightsManifest names the weight "${spec.name}" twice`);
    seen.add(spec.name);
  }
  return { topology: topology as JsonObject, manifest };
}

function readGroup(value: unknown, g: number): WeightGroup {
  const group = JsonReader.of(value, `model.json: weightsManifest[${g}]`);
  const paths = group.array("paths").map((p, i) => {
    if (typeof p !== "string" || p === "") throw new FormatError(`${group.where}: paths[${i}] must be a file name; got ${JSON.stringify(p)}`);
    return p;
  });
  const weights = group.array("weights").map((w, i) => readSpec(JsonReader.of(w, `${group.where}: weights[${i}]`)));
  return { paths, weights };
}

function readSpec(spec: JsonReader): WeightSpec {
  const name = spec.string("name");
  const where = `model.json: weight "${name}"`;
  const shape = readDims(spec.get("shape"), `${where}: shape`, false) as number[];
  const dtype = spec.string("dtype");
  const quantization = spec.get("quantization");
  if (quantization === undefined || quantization === null) {
    if (dtype !== "float32") throw new UnsupportedError(`${where} has dtype ${JSON.stringify(dtype)}; wasm-rnn reads float32 weights (and uint8/uint16-quantized ones)`);
    return { name, shape, encoding: { kind: "float32" } };
  }
  const q = JsonReader.of(quantization, `${where}: quantization`);
  const stored = q.string("dtype");
  if (stored !== "uint8" && stored !== "uint16") {
    throw new UnsupportedError(`${where} is quantized as ${JSON.stringify(stored)}; wasm-rnn reads uint8 and uint16 quantization (value = q·scale + min)`);
  }
  if (dtype !== "float32") throw new UnsupportedError(`${where} has dtype ${JSON.stringify(dtype)}; quantized weights must be float32`);
  return { name, shape, encoding: { kind: "affine", bytesPerValue: stored === "uint8" ? 1 : 2, scale: q.number("scale"), min: q.number("min") } };
}

/** Every weight-file path of the manifest, in reading order. */
export function manifestPaths(manifest: readonly WeightGroup[]): string[] {
  return manifest.flatMap((group) => group.paths);
}
