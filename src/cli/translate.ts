// `wasm-rnn translate`: reads one source per line from stdin and writes one decoded output per line to
// stdout (greedy, or beam search with --beam K), in batches.

import { createInterface } from "node:readline";
import type { Seq2Seq } from "../models/seq2seq/seq2seq.js";
import { loadCheckpoint } from "../train/checkpoint.js";
import { intOption, stringOption, type Values } from "./usage.js";

export const TRANSLATE_OPTIONS = {
  model: { type: "string" },
  beam: { type: "string" },
  "max-length": { type: "string" },
  batch: { type: "string" },
} as const;

export async function translate(values: Values): Promise<void> {
  const beam = intOption(values, "beam", 1);
  const maxLength = values["max-length"] === undefined ? undefined : intOption(values, "max-length", 1);
  const batchSize = intOption(values, "batch", 64);
  const model = loadCheckpoint(stringOption(values, "model"), "seq2seq").model as Seq2Seq;
  const options = beam > 1 ? { strategy: "beam" as const, beamWidth: beam, maxLength } : { maxLength };
  let pending: string[] = [];
  const flush = () => {
    if (!pending.length) return;
    // Empty lines stay empty; the rest decode together.
    const texts = pending.filter((line) => line.length > 0);
    const decoded = texts.length ? model.decode(texts, options) : [];
    let k = 0;
    for (const line of pending) process.stdout.write(`${line.length ? decoded[k++].text : ""}\n`);
    pending = [];
  };
  try {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      pending.push(line);
      if (pending.length >= batchSize) flush();
    }
    flush();
  } finally {
    model.dispose();
  }
}
