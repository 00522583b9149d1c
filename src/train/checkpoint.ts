// Checkpoints on disk (Node): a directory holding checkpoint.safetensors (checkpoint-format.ts), the
// source of truth, and config.json, a readable description derived from it. Each is written to a
// temporary name, flushed and renamed, the checkpoint first, so a crash leaves the previous or the new
// checkpoint and at worst a stale config.json, which the next training run in the directory rewrites.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import type { Model } from "../models/model.js";
import type { Tensor } from "../tensor.js";
import { checkpointFromBytes, checkpointInfo, checkpointToBytes, readCheckpointBytes, type CheckpointContents, type CheckpointInfo, type CheckpointParts } from "./checkpoint-format.js";

export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const CONFIG_FILE = "config.json";

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

/** config.json's bytes: a function of the checkpoint alone, so a stale copy is recognised by comparison. */
function configBytes(info: CheckpointInfo): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(info, null, 2)}\n`);
}

/** Writes a checkpoint into `dir` (created if needed), replacing the previous one atomically. */
export function saveCheckpoint(dir: string, model: Model, parts: CheckpointParts = {}): void {
  mkdirSync(dir, { recursive: true });
  const { bytes, info } = checkpointToBytes(model, parts);
  writeAtomically(join(dir, CHECKPOINT_FILE), bytes);
  writeAtomically(join(dir, CONFIG_FILE), configBytes(info));
}

/** The checkpoint file's bytes, or a FormatError if `dir` holds none. */
function checkpointFile(dir: string): { path: string; bytes: Uint8Array } {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new FormatError(`${path}: no checkpoint here (expected ${CHECKPOINT_FILE} written by wasm-rnn train)`);
  return { path, bytes: readFileSync(path) };
}

/** Reads and verifies a checkpoint's file: metadata and tensors, without building the model. */
export function readCheckpoint(dir: string): { metadata: Record<string, string>; tensors: Record<string, Tensor>; path: string } {
  const { path, bytes } = checkpointFile(dir);
  return { ...readCheckpointBytes(bytes, path), path };
}

/** Rebuilds the model saved in `dir` with its weights, and returns the optimizer and trainer state too. */
export function loadCheckpoint(dir: string, expectedType?: string): CheckpointContents {
  const { path, bytes } = checkpointFile(dir);
  return checkpointFromBytes(bytes, { expectedType, source: path });
}

/** Completes a save that a crash interrupted, before training writes to `dir` again: removes leftover
 *  temporary files and rewrites a config.json that is missing or describes another checkpoint (the
 *  process died between the two renames). A damaged checkpoint is left for the next save to replace. */
export function finishInterruptedSave(dir: string): void {
  for (const name of [CHECKPOINT_FILE, CONFIG_FILE]) {
    const temporary = join(dir, `${name}.tmp`);
    if (existsSync(temporary)) unlinkSync(temporary);
  }
  if (!existsSync(join(dir, CHECKPOINT_FILE))) return;
  let saved;
  try {
    saved = readCheckpoint(dir);
  } catch (e) {
    if (e instanceof FormatError) return;
    throw e;
  }
  const expected = configBytes(checkpointInfo(saved.metadata, saved.tensors, saved.path));
  const configPath = join(dir, CONFIG_FILE);
  if (!existsSync(configPath) || !readFileSync(configPath).equals(expected)) writeAtomically(configPath, expected);
}
