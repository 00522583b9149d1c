// `wasm-rnn sample`: text from a trained language model, to stdout.

import { loadCheckpoint } from "../train/checkpoint.js";
import type { LanguageModel } from "../models/language-model.js";
import { intOption, positiveOption, stringOption, unitOption, type Values } from "./usage.js";

export const SAMPLE_OPTIONS = {
  model: { type: "string" },
  length: { type: "string" },
  temperature: { type: "string" },
  "top-k": { type: "string" },
  "top-p": { type: "string" },
  seed: { type: "string" },
  prime: { type: "string" },
} as const;

export async function sample(values: Values): Promise<void> {
  const dir = stringOption(values, "model");
  const options = {
    length: intOption(values, "length", 500, 0),
    temperature: positiveOption(values, "temperature", 0.8),
    topK: intOption(values, "top-k", 0, 0),
    topP: unitOption(values, "top-p", 1),
    seed: values.seed === undefined ? undefined : intOption(values, "seed", 0, 0),
    prime: values.prime === undefined ? undefined : stringOption(values, "prime"),
  };
  const { model } = loadCheckpoint(dir, "language-model");
  const lm = model as LanguageModel;
  if (options.prime) process.stdout.write(options.prime);
  // Without a prime, condition on a line break: training sees the start token only once per epoch,
  // so text begins more naturally from where a paragraph would.
  lm.sample({ ...options, prime: options.prime || "\n", onText: (text) => process.stdout.write(text) });
  process.stdout.write("\n");
  lm.dispose();
}
