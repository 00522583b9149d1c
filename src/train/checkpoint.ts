// Checkpoints on disk (Node): a directory holding checkpoint.safetensors (the format of
// checkpoint-format.ts) and config.json, a readable copy of its description. Each file is written to
// a temporary name, flushed and renamed over the old one, so a crash leaves the previous checkpoint
// or the new one, never a mix within a file; a damaged file is refused by its checksum.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, mkdirSync, existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import type { Model } from "../models/model.js";
import type { Tensor } from "../tensor.js";
import { checkpointFromBytes, checkpointToBytes, readCheckpointBytes, type CheckpointContents, type CheckpointParts } from "./checkpoint-format.js";

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

/** Writes a checkpoint into `dir` (created if needed), replacing the previous one atomically. */
export function saveCheckpoint(dir: string, model: Model, parts: CheckpointParts = {}): void {
  mkdirSync(dir, { recursive: true });
  const { bytes, info } = checkpointToBytes(model, parts);
  writeAtomically(join(dir, CHECKPOINT_FILE), bytes);
  writeAtomically(join(dir, CONFIG_FILE), new TextEncoder().encode(`${JSON.stringify({ ...info, savedAt: new Date().toISOString() }, null, 2)}\n`));
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

/** Removes a leftover temporary file from an interrupted save (the checkpoint itself is intact). */
export function removeStaleTemporaries(dir: string): void {
  for (const name of [CHECKPOINT_FILE, CONFIG_FILE]) {
    const temporary = join(dir, `${name}.tmp`);
    if (existsSync(temporary)) unlinkSync(temporary);
  }
}
