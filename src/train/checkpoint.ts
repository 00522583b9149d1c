// Checkpoints on disk (Node, Bun, Deno): a directory holding checkpoint.safetensors
// (checkpoint-format.ts), the source of truth, and config.json, a readable description derived from
// it. Each is written to a temporary name, flushed and renamed, the checkpoint first, so a crash leaves
// the previous or the new checkpoint and at worst a stale config.json, which the next training run in
// the directory rewrites. Where there is no file system (browsers, edge runtimes) every function here
// is an UnsupportedError; checkpointToBytes/checkpointFromBytes work everywhere.

import { FormatError, UnsupportedError } from "../errors.js";
import { platform } from "../platform/current.js";
import type { Files } from "../platform/platform.js";
import type { Model } from "../models/model.js";
import type { AnyTensor } from "../tensor.js";
import { checkpointFromBytes, checkpointInfo, checkpointToBytes, readCheckpointBytes, type CheckpointContents, type CheckpointInfo, type CheckpointParts } from "./checkpoint-format.js";

/** @internal The checkpoint file inside a checkpoint directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";
/** @internal The description beside it (CheckpointInfo as JSON). */
export const CONFIG_FILE = "config.json";

/** The file system, or an UnsupportedError naming the function and what to use instead. */
function fileSystem(what: string): Files {
  if (platform.files) return platform.files;
  throw new UnsupportedError(`${what} needs a file system (Node, Bun or Deno); here, keep the bytes of checkpointToBytes(model) wherever you store files, and rebuild with checkpointFromBytes`);
}

function writeAtomically(files: Files, path: string, bytes: Uint8Array): void {
  const temporary = `${path}.tmp`;
  files.writeFlushed(temporary, bytes);
  files.rename(temporary, path);
}

/** config.json's bytes: a function of the checkpoint alone, so a stale copy is recognised by comparison. */
function configBytes(info: CheckpointInfo): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(info, null, 2)}\n`);
}

/** Writes a checkpoint into `dir` (created if needed), replacing the previous one atomically. */
export function saveCheckpoint(dir: string, model: Model, parts: CheckpointParts = {}): void {
  const files = fileSystem("saveCheckpoint");
  files.makeDirectory(dir);
  const { bytes, info } = checkpointToBytes(model, parts);
  writeAtomically(files, files.join(dir, CHECKPOINT_FILE), bytes);
  writeAtomically(files, files.join(dir, CONFIG_FILE), configBytes(info));
}

/** The checkpoint file's bytes, or a FormatError if `dir` holds none. */
function checkpointFile(files: Files, dir: string): { path: string; bytes: Uint8Array } {
  const path = files.join(dir, CHECKPOINT_FILE);
  if (!files.exists(path)) throw new FormatError(`${path}: no checkpoint here (expected ${CHECKPOINT_FILE} written by wasm-rnn train)`);
  return { path, bytes: files.read(path) };
}

/** A checkpoint file's contents, verified, without the model built. */
/** @internal */
export interface SavedCheckpoint {
  metadata: Record<string, string>;
  /** float32, and int8 for a quantized model's weights. */
  tensors: Record<string, AnyTensor>;
  /** The checkpoint file read. */
  path: string;
}

/** @internal Reads and verifies a checkpoint's file: metadata and tensors, without building the model (the CLI's info). */
export function readCheckpoint(dir: string): SavedCheckpoint {
  const { path, bytes } = checkpointFile(fileSystem("readCheckpoint"), dir);
  return { ...readCheckpointBytes(bytes, path), path };
}

/** Rebuilds the model saved in `dir` with its weights, and returns the optimizer and trainer state too. */
export function loadCheckpoint(dir: string, expectedType?: string): CheckpointContents {
  const { path, bytes } = checkpointFile(fileSystem("loadCheckpoint"), dir);
  return checkpointFromBytes(bytes, { expectedType, source: path });
}

/** @internal Completes a save that a crash interrupted, before training writes to `dir` again:
 *  removes leftover temporary files and rewrites a config.json that is missing or describes
 *  another checkpoint (the process died between the two renames). A damaged checkpoint is left for
 *  the next save to replace. */
export function finishInterruptedSave(dir: string): void {
  const files = fileSystem("Trainer: checkpointDir");
  for (const name of [CHECKPOINT_FILE, CONFIG_FILE]) {
    const temporary = files.join(dir, `${name}.tmp`);
    if (files.exists(temporary)) files.remove(temporary);
  }
  if (!files.exists(files.join(dir, CHECKPOINT_FILE))) return;
  let saved;
  try {
    saved = readCheckpoint(dir);
  } catch (e) {
    if (e instanceof FormatError) return;
    throw e;
  }
  const expected = configBytes(checkpointInfo(saved.metadata, saved.tensors, saved.path));
  const configPath = files.join(dir, CONFIG_FILE);
  if (!files.exists(configPath) || !sameBytes(files.read(configPath), expected)) writeAtomically(files, configPath, expected);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
