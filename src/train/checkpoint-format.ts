// The checkpoint format, as bytes (Node and browsers): one safetensors file holding the model's
// parameters ("model.*", float32 or, for a quantized model, int8), the optimizer's state
// ("optimizer.*") and other trainer tensors ("extra.*", float32), with the model type, config, the
// trainer's position and a CRC-32 of all of that (tensor names, shapes and data, and the other
// metadata) in its metadata. Encoding, verifying, describing and rebuilding the model; files on disk
// are checkpoint.ts's.

import { FormatError } from "../errors.js";
import { crc32 } from "./crc32.js";
import { readSafetensors, writeSafetensors } from "../io/safetensors.js";
import type { Model } from "../models/model.js";
import { createModel } from "../models/registry.js";
import type { AnyTensor, Tensor } from "../tensor.js";

const FORMAT = "wasm-rnn-checkpoint/2";

export interface CheckpointParts {
  optimizer?: Record<string, Tensor>;
  extra?: Record<string, Tensor>;
  trainer?: Record<string, unknown>;
}

export interface CheckpointContents {
  model: Model;
  /** Optimizer state tensors (names as Optimizer.stateDict), possibly empty. */
  optimizer: Record<string, Tensor>;
  /** Other tensors saved by the trainer (carried state). */
  extra: Record<string, Tensor>;
  /** The trainer's position (step, epoch, random state, …), as saved. */
  trainer: Record<string, unknown>;
}

/** The checkpoint's description: what config.json beside a checkpoint file holds. */
export interface CheckpointInfo {
  format: string;
  modelType: string;
  config: Record<string, unknown>;
  trainer: Record<string, unknown>;
  parameterCount: number;
  checksum: string;
}

/** The metadata the checksum covers (everything but the checksum itself). */
const CHECKED_METADATA = ["format", "modelType", "config", "trainer"] as const;

/** CRC-32 over everything a checkpoint holds: the checked metadata, and each tensor's name, shape and
 *  data bytes (by name), so a damaged byte anywhere in the file is caught. */
function contentChecksum(metadata: Record<string, string>, tensors: Record<string, AnyTensor>): string {
  const encoder = new TextEncoder();
  let crc = crc32(encoder.encode(JSON.stringify(CHECKED_METADATA.map((key) => metadata[key] ?? null))));
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name];
    crc = crc32(encoder.encode(`${JSON.stringify(name)}${JSON.stringify(t.shape)}`), crc);
    crc = crc32(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), crc);
  }
  return `crc32:${crc.toString(16).padStart(8, "0")}`;
}

/** A checkpoint of `model` (and optionally the trainer's state) as the bytes of one safetensors file. */
export function checkpointToBytes(model: Model, parts: CheckpointParts = {}): { bytes: Uint8Array; info: CheckpointInfo } {
  const tensors: Record<string, AnyTensor> = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
  for (const [k, v] of Object.entries(parts.optimizer ?? {})) tensors[`optimizer.${k}`] = v;
  for (const [k, v] of Object.entries(parts.extra ?? {})) tensors[`extra.${k}`] = v;
  const described = { format: FORMAT, modelType: model.modelType, config: JSON.stringify(model.config()), trainer: JSON.stringify(parts.trainer ?? {}) };
  const metadata = { ...described, checksum: contentChecksum(described, tensors) };
  return { bytes: writeSafetensors(tensors, metadata), info: checkpointInfo(metadata, tensors) };
}

/** @internal The description of a checkpoint, from its metadata and tensors alone: the same
 *  whether taken when the file is written or read back later. */
export function checkpointInfo(metadata: Record<string, string>, tensors: Record<string, AnyTensor>, source = "checkpoint"): CheckpointInfo {
  let parameterCount = 0;
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith("model.")) parameterCount += t.data.length;
  return {
    format: metadata.format,
    modelType: metadata.modelType,
    config: parseJson(metadata.config, "model config", source),
    trainer: parseJson(metadata.trainer, "trainer state", source),
    parameterCount,
    checksum: metadata.checksum,
  };
}

/** @internal Parses and verifies checkpoint bytes (format and checksum) without building the model;
 *  errors name `source` (a path or URL). */
export function readCheckpointBytes(bytes: Uint8Array, source = "checkpoint"): { metadata: Record<string, string>; tensors: Record<string, AnyTensor> } {
  let parsed;
  try {
    parsed = readSafetensors(bytes);
  } catch (e) {
    throw new FormatError(`${source}: ${(e as Error).message}`);
  }
  const { metadata, tensors } = parsed;
  if (metadata.format !== FORMAT) throw new FormatError(`${source}: not a wasm-rnn checkpoint (format ${JSON.stringify(metadata.format ?? null)})`);
  const actual = contentChecksum(metadata, tensors);
  if (metadata.checksum !== actual) throw new FormatError(`${source}: checksum mismatch (recorded ${metadata.checksum}, computed ${actual}); the file is damaged`);
  return { metadata, tensors };
}

function parseJson(text: string | undefined, what: string, source: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text ?? "");
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new FormatError(`${source}: the ${what} in the checkpoint's metadata is not a JSON object`);
}

export interface CheckpointReadOptions {
  /** Refuse a checkpoint of another model type ('language-model', 'seq2seq', …). */
  expectedType?: string;
  /** Names the file in errors (a path or URL). */
  source?: string;
}

/** Rebuilds the model saved in checkpoint bytes with its weights, and returns the optimizer and
 *  trainer state too. */
export function checkpointFromBytes(bytes: Uint8Array, options: CheckpointReadOptions = {}): CheckpointContents {
  const source = options.source ?? "checkpoint";
  const { metadata, tensors } = readCheckpointBytes(bytes, source);
  if (options.expectedType && metadata.modelType !== options.expectedType) {
    throw new FormatError(`${source}: this checkpoint holds a ${metadata.modelType}, not a ${options.expectedType}`);
  }
  const { config, trainer } = checkpointInfo(metadata, tensors, source);
  const pick = (prefix: string) => Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  const optimizer = floatTensors(pick("optimizer."), "optimizer.", source);
  const extra = floatTensors(pick("extra."), "extra.", source);
  const model = createModel(metadata.modelType, config);
  try {
    model.loadStateDict(pick("model."));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, optimizer, extra, trainer };
}

/** The trainer's tensors, which are float32 (int8 ones are a model's quantized weights, never an
 *  optimizer's state), or a FormatError naming the first that is not. */
function floatTensors(tensors: Record<string, AnyTensor>, prefix: string, source: string): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => {
    if (t.dtype === "int8") throw new FormatError(`${source}: ${prefix}${name} has dtype int8; expected float32`);
    return [name, t] as const;
  }));
}
