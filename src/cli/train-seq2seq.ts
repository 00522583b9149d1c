// `wasm-rnn train-seq2seq`: trains an encoder–decoder on a TSV of source/target pairs (characters by
// default, words with --tokens word), with the progress bar, checkpoints in --out, and the greedy
// exact-match rate on held-out pairs reported as it learns.

import { CELL_KINDS } from "../engine/cells.js";
import { readFileSync } from "node:fs";
import { Seq2Seq } from "../models/seq2seq/seq2seq.js";
import { Random } from "../random.js";
import { CharTokenizer, WordTokenizer } from "../text/index.js";
import { exampleData } from "../train/data.js";
import { cosineDecay } from "../train/schedules.js";
import { Trainer, type TrainProgress } from "../train/trainer.js";
import { parsePairs } from "./pairs-file.js";
import { progressDisplay } from "./progress.js";
import { readTextFile } from "./text-file.js";
import { choiceOption, intOption, positiveOption, stringOption, unitOption, UsageError, type Values } from "./usage.js";

export const TRAIN_SEQ2SEQ_OPTIONS = {
  data: { type: "string" },
  out: { type: "string" },
  cell: { type: "string" },
  hidden: { type: "string" },
  layers: { type: "string" },
  embedding: { type: "string" },
  attention: { type: "string" },
  context: { type: "string" },
  bidirectional: { type: "boolean" },
  tokens: { type: "string" },
  epochs: { type: "string" },
  batch: { type: "string" },
  lr: { type: "string" },
  clip: { type: "string" },
  "sampling-ratio": { type: "string" },
  seed: { type: "string" },
  quiet: { type: "boolean" },
} as const;

/** Held-out share of the pairs (at most 500) for the exact-match report. */
const VALIDATION_SHARE = 0.05;

export async function trainSeq2seq(values: Values): Promise<void> {
  const path = stringOption(values, "data");
  const out = stringOption(values, "out");
  const settings = {
    cell: choiceOption(values, "cell", CELL_KINDS, "lstm"),
    hiddenSize: intOption(values, "hidden", 128),
    numLayers: intOption(values, "layers", 1),
    embeddingDim: intOption(values, "embedding", 32),
    attention: choiceOption(values, "attention", ["none", "dot", "general", "additive"] as const, "general"),
    context: choiceOption(values, "context", ["init", "every-step"] as const, "init"),
    bidirectional: values.bidirectional === true,
    seed: intOption(values, "seed", 1, 0),
  };
  const tokens = choiceOption(values, "tokens", ["char", "word"] as const, "char");
  const epochs = intOption(values, "epochs", 10);
  const batch = intOption(values, "batch", 64);
  const lr = positiveOption(values, "lr", 5e-3);
  const clip = positiveOption(values, "clip", 1);
  const samplingRatio = values["sampling-ratio"] === undefined ? 0 : unitOption(values, "sampling-ratio", 0);
  const quiet = values.quiet === true;
  if (settings.attention === "dot" && settings.bidirectional) throw new UsageError("--attention dot needs equal encoder and decoder sizes: use general or additive with --bidirectional");

  const all = parsePairs(readTextFile(path, readFileSync), path);
  // A seeded shuffle before the split, so the held-out pairs are not just the file's tail.
  const random = new Random(settings.seed);
  const order = all.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const held = Math.min(500, Math.max(1, Math.floor(all.length * VALIDATION_SHARE)));
  const validation = order.slice(0, held).map((i) => all[i]), training = order.slice(held).map((i) => all[i]);
  const Tokenizer = tokens === "word" ? WordTokenizer : CharTokenizer;
  const model = new Seq2Seq(Tokenizer.fit(training.map((p) => p.source).join("\n")), Tokenizer.fit(training.map((p) => p.target).join("\n")), settings);
  model.samplingRatio = samplingRatio;
  const data = exampleData(model, training, batch);
  const total = epochs * data.batchesPerEpoch;
  const log = (line: string) => (quiet ? undefined : process.stdout.write(`${line}\n`));
  log(`wasm-rnn: seq2seq ${settings.cell.toUpperCase()}, attention ${settings.attention}, ${model.parameterCount.toLocaleString("en")} parameters, ` +
    `${training.length} training pairs, ${validation.length} held out; checkpoints in ${out}`);
  const exactMatch = () => {
    const decoded = model.decode(validation.map((p) => p.source));
    return decoded.filter((d, i) => d.text === validation[i].target).length / validation.length;
  };
  const display = progressDisplay(total, "pairs", quiet);
  const onProgress = (p: TrainProgress) => {
    display.update(p);
    if (p.validationLoss !== undefined) display.print(`\n— epoch ${p.epoch}: validation loss ${p.validationLoss.toFixed(4)} per token, exact match ${(100 * exactMatch()).toFixed(1)}%\n`);
  };
  const trainer = new Trainer(model, {
    schedule: cosineDecay(lr, total, lr / 25),
    scheduleUnit: "step",
    clipNorm: clip,
    epochs,
    checkpointDir: out,
    onProgress,
    seed: settings.seed,
  });
  try {
    await trainer.fit(data, exampleData(model, validation, batch, false));
    display.stop();
    log(`done: exact match ${(100 * exactMatch()).toFixed(1)}% on ${validation.length} held-out pairs; saved to ${out}`);
    log(`try: echo "${validation[0].source}" | npx wasm-rnn translate --model ${out}`);
  } finally {
    model.dispose();
  }
}
