// `wasm-rnn eval`: the perplexity of a language model on a text file.

import { readFileSync } from "node:fs";
import { loadCheckpoint } from "../train/checkpoint.js";
import type { LanguageModel } from "../models/language-model.js";
import { readTextFile } from "./text-file.js";
import { stringOption, type Values } from "./usage.js";

export const EVAL_OPTIONS = {
  model: { type: "string" },
  text: { type: "string" },
} as const;

export async function evaluateText(values: Values): Promise<void> {
  const dir = stringOption(values, "model");
  const text = readTextFile(stringOption(values, "text"), readFileSync);
  const { model } = loadCheckpoint(dir, "language-model");
  const lm = model as LanguageModel;
  process.stdout.write(`perplexity: ${lm.perplexity(text).toFixed(4)}\n`);
  lm.dispose();
}
