// Checkpoints on disk (Node): one safetensors file holding the model's parameters, the optimizer's
// state, the carried hidden state and, in its metadata, the model config, the trainer's position and a
// CRC-32 of the tensor data; plus config.json, a readable copy of the metadata. Each file is written
// to a temporary name, flushed and renamed over the old one, so a crash leaves the previous
// checkpoint or the new one, never a mix within a file; a damaged file is refused by its checksum.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, mkdirSync, existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import { crc32 } from "../io/crc32.js";
import { parseSafetensors, writeSafetensors } from "../io/safetensors.js";
import type { Model } from "../models/model.js";
import { createModel } from "../models/registry.js";
import type { Tensor } from "../tensor.js";

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const CONFIG_FILE = "config.json";
const FORMAT = "wasm-rnn-checkpoint/1";

export interface CheckpointContents {
  model: Model;
  /** Optimizer state tensors (names as Optimizer.stateDict), possibly empty. */
  optimizer: Record<string, Tensor>;
  /** Other tensors saved by the trainer (carried state). */
  extra: Record<string, Tensor>;
  /** The trainer's position (step, epoch, random state, …), as saved. */
  trainer: Record<string, unknown>;
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** CRC-32 over the tensors' float data in record order (what the data section of the file holds). */
function dataChecksum(tensors: Record<string, { data: Float32Array }>): number {
  let crc = 0;
  for (const t of Object.values(tensors)) crc = crc32(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), crc);
  return crc;
}

/** Writes a checkpoint into `dir` (created if needed), replacing the previous one atomically. */
export function saveCheckpoint(dir: string, model: Model, parts: { optimizer?: Record<string, Tensor>; extra?: Record<string, Tensor>; trainer?: Record<string, unknown> } = {}): void {
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
  for (const [k, v] of Object.entries(parts.optimizer ?? {})) tensors[`optimizer.${k}`] = v;
  for (const [k, v] of Object.entries(parts.extra ?? {})) tensors[`extra.${k}`] = v;
  const checksum = dataChecksum(tensors).toString(16).padStart(8, "0");
  const info = {
    format: FORMAT,
    modelType: model.modelType,
    config: model.config(),
    trainer: parts.trainer ?? {},
    parameterCount: model.parameterCount,
    checksum: `crc32:${checksum}`,
  };
  const metadata = { format: FORMAT, modelType: model.modelType, config: JSON.stringify(info.config), trainer: JSON.stringify(info.trainer), checksum: info.checksum };
  writeAtomically(join(dir, CHECKPOINT_FILE), writeSafetensors(tensors, metadata));
  writeAtomically(join(dir, CONFIG_FILE), new TextEncoder().encode(`${JSON.stringify({ ...info, savedAt: new Date().toISOString() }, null, 2)}\n`));
}

/** Reads and verifies a checkpoint's file: metadata and tensors, without building the model. */
export function readCheckpoint(dir: string): { metadata: Record<string, string>; tensors: Record<string, Tensor>; path: string } {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new FormatError(`${path}: no checkpoint here (expected ${CHECKPOINT_FILE} written by wasm-rnn train)`);
  let parsed;
  try {
    parsed = parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new FormatError(`${path}: ${(e as Error).message}`);
  }
  const { metadata, tensors } = parsed;
  if (metadata.format !== FORMAT) throw new FormatError(`${path}: not a wasm-rnn checkpoint (format ${JSON.stringify(metadata.format ?? null)})`);
  const expected = metadata.checksum;
  const actual = `crc32:${dataChecksum(tensors).toString(16).padStart(8, "0")}`;
  if (expected !== actual) throw new FormatError(`${path}: checksum mismatch (recorded ${expected}, computed ${actual}); the file is damaged`);
  return { metadata, tensors, path };
}

function parseJson(text: string | undefined, what: string, path: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text ?? "");
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new FormatError(`${path}: the ${what} in the checkpoint's metadata is not a JSON object`);
}

/** Rebuilds the model saved in `dir` with its weights, and returns the optimizer and trainer state too. */
export function loadCheckpoint(dir: string, expectedType?: string): CheckpointContents {
  const { metadata, tensors, path } = readCheckpoint(dir);
  if (expectedType && metadata.modelType !== expectedType) {
    throw new FormatError(`${path}: this checkpoint holds a ${metadata.modelType}, not a ${expectedType}`);
  }
  const config = parseJson(metadata.config, "model config", path);
  const trainer = parseJson(metadata.trainer, "trainer state", path);
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

/** Removes a leftover temporary file from an interrupted save (the checkpoint itself is intact). */
export function removeStaleTemporaries(dir: string): void {
  for (const name of [CHECKPOINT_FILE, CONFIG_FILE]) {
    const temporary = join(dir, `${name}.tmp`);
    if (existsSync(temporary)) unlinkSync(temporary);
  }
}
