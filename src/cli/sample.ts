// `wasm-rnn sample`: text from a trained language model, to stdout — continuing --prime, or from a
// line start the model reaches on its own.

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
  lm.sample({ ...options, prime: options.prime ?? ownStart(lm, options), onText: (text) => process.stdout.write(text) });
  process.stdout.write("\n");
  lm.dispose();
}

/** Characters of text the model writes, unprinted, before a sample without a prime starts. */
const WARM_UP = { least: 80, most: 400 };

/**
 * A prime of the model's own: text it writes from its start token (seen once per pass over the
 * corpus, so what follows it right away is often noise) up to a line break after at least
 * WARM_UP.least characters. The sample then begins at a line start, from a state the model knows.
 */
function ownStart(lm: LanguageModel, options: { temperature: number; seed?: number }): string {
  let text = "";
  for (let attempt = 0; attempt < 4 && text.length < WARM_UP.least; attempt++) {
    // A run that ends early (the end token) tries again with the next seed.
    text = lm.sample({ length: WARM_UP.most, temperature: options.temperature, seed: options.seed === undefined ? undefined : options.seed + attempt });
  }
  const lineBreak = text.indexOf("\n", WARM_UP.least);
  return lineBreak < 0 ? text : text.slice(0, lineBreak + 1);
}
