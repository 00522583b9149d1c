// `wasm-rnn quantize`: a checkpoint's model with int8 weights (quantizeDynamic; --layers picks the
// kinds of layer), saved to another directory (never over the original), with both checkpoints'
// sizes; given a text, a language model's perplexity before and after.

import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from "../train/checkpoint.js";
import { checkpointToBytes } from "../train/checkpoint-format.js";
import { quantizeDynamic } from "../io/quantize.js";
import { LanguageModel } from "../models/language-model.js";
import { kindList, QUANTIZABLE_KINDS, type QuantizableKind } from "../models/quantized-kinds.js";
import { describe } from "../validate.js";
import { readTextFile } from "./text-file.js";
import { stringOption, UsageError, type Values } from "./usage.js";

export const QUANTIZE_OPTIONS = {
  model: { type: "string" },
  out: { type: "string" },
  layers: { type: "string" },
  text: { type: "string" },
} as const;

/** --layers lstm,dense as quantizeDynamic's kinds (any case, each once); all of them when absent. */
function layersOption(values: Values): QuantizableKind[] | undefined {
  if (values.layers === undefined) return undefined;
  const expected = `a comma-separated list of ${QUANTIZABLE_KINDS.join(", ")}`;
  const names = String(values.layers).split(",").map((name) => name.trim());
  return names.map((name, i) => {
    const kind = QUANTIZABLE_KINDS.find((k) => k === name.toLowerCase());
    if (kind === undefined) throw new UsageError(`--layers must be ${expected}; got ${describe(name)}`);
    if (names.findIndex((other) => other.toLowerCase() === name.toLowerCase()) !== i) throw new UsageError(`--layers names ${name} twice`);
    return kind;
  });
}

/** "1.23 MB" */
function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

export async function quantize(values: Values): Promise<void> {
  const dir = stringOption(values, "model"), out = stringOption(values, "out");
  if (resolve(dir) === resolve(out)) throw new UsageError("--out must be another directory than --model (the float32 checkpoint is kept)");
  const layers = layersOption(values);
  const text = values.text === undefined ? null : readTextFile(stringOption(values, "text"), readFileSync);
  const { model, trainer } = loadCheckpoint(dir);
  const int8 = (() => {
    try {
      return quantizeDynamic(model, { layers });
    } catch (e) {
      model.dispose();
      throw e;
    }
  })();
  try {
    saveCheckpoint(out, int8, { trainer });
    const before = checkpointToBytes(model, { trainer }).bytes.length, after = statSync(join(out, CHECKPOINT_FILE)).size;
    const kinds = int8.config().quantized;
    const lines = [`quantized ${model.modelType}${Array.isArray(kinds) ? ` (${kindList(new Set(kinds))} layers; the others float32)` : ""} → ${out}`, `checkpoint: ${megabytes(before)} float32 → ${megabytes(after)} int8 (${((100 * after) / before).toFixed(1)}%)`];
    if (text !== null) {
      if (!(model instanceof LanguageModel) || !(int8 instanceof LanguageModel)) throw new UsageError("--text needs a language model");
      lines.push(`perplexity: ${model.perplexity(text).toFixed(4)} float32, ${int8.perplexity(text).toFixed(4)} int8`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    model.dispose();
    int8.dispose();
  }
}
