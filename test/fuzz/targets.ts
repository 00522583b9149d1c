// The parser fuzz targets (safetensors, ONNX, tfjs-layers model.json + weights) as functions of one byte
// input, their corpora in test/fixtures/fuzz/<target>/ (seeds; crashes in regressions/), and the contract:
// an input loads or is refused with a deliberate WasmRnnError, leaking no wasm memory either way.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLayersModel, onnx, readSafetensors } from "../../src/index.js";
import { initEngine } from "../../src/engine/init.js";
import { isDeliberateRefusal } from "../helpers/hostile.js";
import type { FuzzTarget, JsonView } from "./engine.js";

export type TargetName = "safetensors" | "onnx" | "keras";

export const FUZZ_FIXTURES = fileURLToPath(new URL("../fixtures/fuzz/", import.meta.url));

export const regressionsDir = (name: TargetName) => join(FUZZ_FIXTURES, name, "regressions");

/** The seeds of a target, then its regression inputs (READMEs and dotfiles are not inputs). */
export function corpusFiles(name: TargetName): { file: string; bytes: Uint8Array }[] {
  const files = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && !f.name.startsWith(".") && !f.name.endsWith(".md")).map((f) => join(dir, f.name)).sort();
  return [...files(join(FUZZ_FIXTURES, name)), ...files(regressionsDir(name))].map((file) => ({ file, bytes: new Uint8Array(readFileSync(file)) }));
}

/** The JSON text after a little-endian length prefix of `width` bytes (clamped to the input), as the safetensors header. */
function prefixedJson(bytes: Uint8Array, width: 4 | 8): JsonView | null {
  if (bytes.length < width) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Math.min(width === 4 ? view.getUint32(0, true) : Number(view.getBigUint64(0, true)), bytes.length - width);
  const rest = bytes.subarray(width + length);
  return {
    text: new TextDecoder().decode(bytes.subarray(width, width + length)),
    rebuild(text) {
      const json = new TextEncoder().encode(text);
      const out = new Uint8Array(width + json.length + rest.length);
      new DataView(out.buffer).setUint32(0, json.length, true);
      out.set(json, width);
      out.set(rest, width + json.length);
      return out;
    },
  };
}

/**
 * A keras input: a u32 little-endian length N, N bytes of model.json, then the weight bytes (all weight
 * files concatenated). A length past the end takes the rest as model.json, with no weights.
 */
export function unpackKeras(bytes: Uint8Array): { modelJson: Uint8Array; weights: Uint8Array } {
  const length = bytes.length < 4 ? 0 : Math.min(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true), bytes.length - 4);
  return { modelJson: bytes.subarray(Math.min(4, bytes.length), 4 + length), weights: bytes.subarray(4 + length) };
}

/** Runs `load`, which must free whatever wasm memory it takes, loaded or refused: a leak is an Error. */
async function withoutLeaks(load: () => Promise<void>): Promise<void> {
  const { arena } = await initEngine();
  const before = arena.usedBytes;
  try {
    await load();
  } finally {
    if (arena.usedBytes !== before) throw new Error(`leaked ${arena.usedBytes - before} bytes of wasm memory`);
  }
}

const loaders: Record<TargetName, Pick<FuzzTarget, "run" | "json">> = {
  safetensors: {
    run: (bytes) => readSafetensors(bytes),
    json: (bytes) => prefixedJson(bytes, 8),
  },
  onnx: {
    run: (bytes) => withoutLeaks(async () => (await onnx.InferenceSession.create(bytes)).release()),
  },
  keras: {
    run: (bytes) => withoutLeaks(async () => (await loadLayersModel(unpackKeras(bytes))).dispose()),
    json: (bytes) => prefixedJson(bytes, 4),
  },
};

/** A target with its committed corpus as seeds; crashes go to its regressions directory. */
export function target(name: TargetName): FuzzTarget {
  return { ...loaders[name], seeds: corpusFiles(name).map((f) => f.bytes), crashDir: regressionsDir(name), expected: isDeliberateRefusal };
}
