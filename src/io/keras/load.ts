// Where a layers model comes from: a model.json path (Node) or URL with its weight files beside it, a
// model.json and its weight bytes in memory, or a live tf.LayersModel of @tensorflow/tfjs (read
// through its public methods only — this library never imports tfjs).

import { FormatError, ResourceError, ShapeError, WasmRnnError } from "../../errors.js";
import { describe } from "../../validate.js";
import { isObject, parseJson, type JsonObject } from "./json.js";
import { LayersModel } from "./model.js";
import { manifestPaths, parseModelJson } from "./model-json.js";
import { decodeWeights, type NamedWeight } from "./weights.js";
import { platform } from "../../platform/current.js";

type Bytes = ArrayBuffer | Uint8Array;

/** A model.json (text, bytes or parsed) and the contents of its weight files, in manifest order (or all of them concatenated). */
export interface LayersModelArtifacts {
  modelJson: string | Bytes | JsonObject;
  weights: Bytes | readonly Bytes[];
}

export type LayersModelSource = string | URL | LayersModelArtifacts;

/** The parts of a tf.LayersModel (@tensorflow/tfjs) that fromTfjs reads. */
export interface TfjsLayersModel {
  toJSON(unused?: null, returnString?: boolean): unknown;
  readonly weights: readonly TfjsLayerVariable[];
}

export interface TfjsLayerVariable {
  readonly originalName: string;
  read(): { readonly shape: readonly number[]; dataSync(): ArrayLike<number> };
}

/**
 * Loads a TensorFlow.js layers model (model.json + weight files, as tf.loadLayersModel reads them, or
 * as tensorflowjs_converter writes a Keras model): from a path (Node; weight files resolved beside
 * it), a URL (fetched), or `{ modelJson, weights }` in memory.
 */
export async function loadLayersModel(source: LayersModelSource): Promise<LayersModel> {
  if (typeof source === "string" || source instanceof URL) {
    const url = toUrl(source);
    const json = parseModelJson(await readBytes(url, "model.json"));
    const paths = manifestPaths(json.manifest);
    const files = await Promise.all(paths.map((path) => readBytes(new URL(path, url), "weight file")));
    const weights = decodeWeights(json.manifest, concat(files), paths.length ? paths.join(", ") : "no weight files");
    return LayersModel.build(json.topology, weights);
  }
  if (!isObject(source) || !("modelJson" in source) || !("weights" in source)) {
    throw new ShapeError(`loadLayersModel: expected a path, a URL or { modelJson, weights }; got ${describe(source)}`);
  }
  const json = parseModelJson(source.modelJson);
  const buffers = Array.isArray(source.weights) ? source.weights : [source.weights];
  const bytes = buffers.map((b, i) => {
    if (!(b instanceof ArrayBuffer || b instanceof Uint8Array)) throw new ShapeError(`loadLayersModel: weights[${i}] must be an ArrayBuffer or Uint8Array; got ${describe(b)}`);
    return b instanceof Uint8Array ? b : new Uint8Array(b);
  });
  return LayersModel.build(json.topology, decodeWeights(json.manifest, concat(bytes), "the weights given"));
}

/** Imports a live tf.LayersModel: its config (model.toJSON) and current weights (model.weights). */
export function fromTfjs(model: TfjsLayersModel): LayersModel {
  if (model === null || typeof model !== "object" || typeof model.toJSON !== "function" || !Array.isArray(model.weights)) {
    throw new ShapeError("fromTfjs: expected a tf.LayersModel (with toJSON() and weights)");
  }
  const config = model.toJSON(null, false);
  const topology = typeof config === "string" ? parseJson(config, "model.toJSON()") : config;
  if (!isObject(topology)) throw new FormatError(`fromTfjs: model.toJSON() gave ${describe(topology)}, not a model config`);
  const weights = new Map<string, NamedWeight>();
  for (const variable of model.weights) {
    if (weights.has(variable.originalName)) throw new FormatError(`fromTfjs: two weights are named "${variable.originalName}"`);
    const value = variable.read();
    weights.set(variable.originalName, { shape: [...value.shape], data: Float32Array.from(value.dataSync()) });
  }
  return LayersModel.build(topology, weights);
}

/** A URL for a path (Node: a file; browsers: relative to the page) or an absolute URL. */
function toUrl(source: string | URL): URL {
  return source instanceof URL ? source : platform.toUrl(source);
}

/** The bytes at a URL: read from disk for file: URLs, fetched otherwise. Failures are FormatErrors naming the file. */
async function readBytes(url: URL, what: string): Promise<Uint8Array> {
  try {
    return (await platform.fetchBytes(url)).bytes;
  } catch (e) {
    if (e instanceof WasmRnnError) throw e;
    throw new ResourceError(`cannot read ${what} ${url.href}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
