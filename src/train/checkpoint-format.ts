// The checkpoint format, as bytes (Node and browsers): one safetensors file holding the model's
// parameters ("model.*"), the optimizer's state ("optimizer.*") and other trainer tensors
// ("extra.*"), with the model type, config, the trainer's position and a CRC-32 of the tensor data in
// its metadata. Encoding, verifying and rebuilding the model; files on disk are checkpoint.ts's.

import { FormatError } from "../errors.js";
import { crc32 } from "../io/crc32.js";
import { parseSafetensors, writeSafetensors } from "../io/safetensors.js";
import type { Model } from "../models/model.js";
import { createModel } from "../models/registry.js";
import type { Tensor } from "../tensor.js";

const FORMAT = "wasm-rnn-checkpoint/1";

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

/** CRC-32 over the tensors' float data in record order (what the data section of the file holds). */
function dataChecksum(tensors: Record<string, { data: Float32Array }>): string {
  let crc = 0;
  for (const t of Object.values(tensors)) crc = crc32(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), crc);
  return `crc32:${crc.toString(16).padStart(8, "0")}`;
}

/** A checkpoint of `model` (and optionally the trainer's state) as the bytes of one safetensors file. */
export function checkpointToBytes(model: Model, parts: CheckpointParts = {}): { bytes: Uint8Array; info: CheckpointInfo } {
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
  for (const [k, v] of Object.entries(parts.optimizer ?? {})) tensors[`optimizer.${k}`] = v;
  for (const [k, v] of Object.entries(parts.extra ?? {})) tensors[`extra.${k}`] = v;
  const info: CheckpointInfo = {
    format: FORMAT,
    modelType: model.modelType,
    config: model.config(),
    trainer: parts.trainer ?? {},
    parameterCount: model.parameterCount,
    checksum: dataChecksum(tensors),
  };
  const metadata = { format: FORMAT, modelType: info.modelType, config: JSON.stringify(info.config), trainer: JSON.stringify(info.trainer), checksum: info.checksum };
  return { bytes: writeSafetensors(tensors, metadata), info };
}

/** Parses and verifies checkpoint bytes (format and checksum) without building the model; errors
 *  name `source` (a path or URL). */
export function readCheckpointBytes(bytes: Uint8Array, source = "checkpoint"): { metadata: Record<string, string>; tensors: Record<string, Tensor> } {
  let parsed;
  try {
    parsed = parseSafetensors(bytes);
  } catch (e) {
    throw new FormatError(`${source}: ${(e as Error).message}`);
  }
  const { metadata, tensors } = parsed;
  if (metadata.format !== FORMAT) throw new FormatError(`${source}: not a wasm-rnn checkpoint (format ${JSON.stringify(metadata.format ?? null)})`);
  const actual = dataChecksum(tensors);
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
  const config = parseJson(metadata.config, "model config", source);
  const trainer = parseJson(metadata.trainer, "trainer state", source);
  const model = createModel(metadata.modelType, config);
  const pick = (prefix: string) => Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  try {
    model.loadStateDict(pick("model."));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, optimizer: pick("optimizer."), extra: pick("extra."), trainer };
}
