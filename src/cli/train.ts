// `wasm-rnn train`: the main job. Reads a corpus (the bundled Pride and Prejudice by default), fits a
// character- or word-level tokenizer, trains a language model with truncated BPTT, shows a progress
// bar (loss, tokens/s, ETA) on stderr, prints samples as it learns, and checkpoints to --out.
// Every argument is checked before anything is written.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CELL_KINDS, type CellKind } from "../engine/cells.js";
import { LanguageModel } from "../models/language-model.js";
import { CharTokenizer, WordTokenizer, type Tokenizer } from "../text/index.js";
import { loadCheckpoint } from "../train/checkpoint.js";
import { streamData, type StreamOptions } from "../train/data.js";
import { checkpointToBytes } from "../train/checkpoint-format.js";
import { quantizeDynamic } from "../io/quantize.js";
import { constantSchedule, cosineDecay, exponentialDecay, inverseTimeDecay, stepDecay, type Schedule } from "../train/schedules.js";
import { Trainer, evaluateLoss, type TrainProgress } from "../train/trainer.js";
import { corpusPrimes } from "./corpus-prime.js";
import { progressDisplay } from "./progress.js";
import { readTextFile } from "./text-file.js";
import { choiceOption, intOption, positiveOption, stringOption, UsageError, type Values } from "./usage.js";

export const TRAIN_OPTIONS = {
  corpus: { type: "string" },
  out: { type: "string" },
  cell: { type: "string" },
  hidden: { type: "string" },
  layers: { type: "string" },
  embedding: { type: "string" },
  tokens: { type: "string" },
  vocab: { type: "string" },
  steps: { type: "string" },
  epochs: { type: "string" },
  bptt: { type: "string" },
  batch: { type: "string" },
  lr: { type: "string" },
  schedule: { type: "string" },
  clip: { type: "string" },
  "sample-every": { type: "string" },
  seed: { type: "string" },
  resume: { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

export const DEFAULT_CORPUS = fileURLToPath(new URL("../../corpus/pride-and-prejudice.txt", import.meta.url));
/** Share of the corpus (its end) held out to report validation perplexity. */
const VALIDATION_SHARE = 0.05;
/** The samples' temperature: lower than sample's default 0.8, so a small model's text reads as words. */
const SAMPLE_TEMPERATURE = 0.7;

interface TrainSettings {
  corpus: string;
  out: string;
  cell: CellKind;
  hidden: number;
  layers: number;
  embedding: number;
  tokens: "char" | "word";
  vocab: number;
  steps: number | undefined;
  epochs: number | undefined;
  bptt: number;
  batch: number;
  lr: number;
  schedule: "constant" | "step" | "exponential" | "inverse" | "cosine";
  clip: number;
  sampleEvery: number;
  seed: number;
  resume: boolean;
  quiet: boolean;
}

function readSettings(values: Values): TrainSettings {
  const settings: TrainSettings = {
    corpus: stringOption(values, "corpus", DEFAULT_CORPUS),
    out: stringOption(values, "out", "wasm-rnn-model"),
    cell: choiceOption(values, "cell", CELL_KINDS, "lstm"),
    hidden: intOption(values, "hidden", 256),
    layers: intOption(values, "layers", 1),
    embedding: intOption(values, "embedding", 64),
    tokens: choiceOption(values, "tokens", ["char", "word"] as const, "char"),
    vocab: intOption(values, "vocab", 10000, 6),
    steps: values.steps === undefined ? undefined : intOption(values, "steps", 1),
    epochs: values.epochs === undefined ? undefined : intOption(values, "epochs", 1),
    bptt: intOption(values, "bptt", 64),
    batch: intOption(values, "batch", 32),
    lr: positiveOption(values, "lr", 2e-3),
    schedule: choiceOption(values, "schedule", ["constant", "step", "exponential", "inverse", "cosine"] as const, "constant"),
    clip: positiveOption(values, "clip", 5),
    sampleEvery: intOption(values, "sample-every", 200),
    seed: intOption(values, "seed", 1, 0),
    resume: values.resume === true,
    quiet: values.quiet === true,
  };
  if (settings.steps !== undefined && settings.epochs !== undefined) throw new UsageError("give --steps or --epochs, not both");
  if (settings.steps === undefined && settings.epochs === undefined) settings.steps = 1200;
  return settings;
}

/** The learning rate over `total` steps for the chosen schedule (decays reach lr/10 by the end). */
function makeSchedule(kind: TrainSettings["schedule"], lr: number, total: number): Schedule {
  switch (kind) {
    case "step":
      return stepDecay(lr, Math.max(1, Math.round(total / 4)), 0.5);
    case "exponential":
      return exponentialDecay(lr, 0.1 ** (1 / total));
    case "inverse":
      return inverseTimeDecay(lr, 9 / total);
    case "cosine":
      return cosineDecay(lr, total, lr / 10);
    default:
      return constantSchedule(lr);
  }
}

/** The trained model quantized (quantizeDynamic): validation perplexity and checkpoint size beside float32's. */
function int8Summary(model: LanguageModel, tokens: Int32Array, options: StreamOptions): string {
  const int8 = quantizeDynamic(model);
  try {
    const [f32, q] = [model, int8].map((m) => Math.exp(evaluateLoss(streamData(m, tokens, options, "eval"))));
    const size = (m: LanguageModel) => checkpointToBytes(m).bytes.length / 1e6;
    return `int8 (quantizeDynamic): validation perplexity ${q.toFixed(3)} vs ${f32.toFixed(3)} float32 (${(100 * (q / f32 - 1)).toFixed(2)}%), ` +
      `checkpoint ${size(int8).toFixed(2)} MB vs ${size(model).toFixed(2)} MB`;
  } finally {
    int8.dispose();
  }
}

export async function train(values: Values): Promise<void> {
  const s = readSettings(values);
  const text = readTextFile(s.corpus, readFileSync);
  const cut = Math.floor(text.length * (1 - VALIDATION_SHARE));
  const trainText = text.slice(0, cut), validationText = text.slice(cut);

  let model: LanguageModel;
  let saved: ReturnType<typeof loadCheckpoint> | null = null;
  if (s.resume) {
    saved = loadCheckpoint(s.out, "language-model");
    model = saved.model as LanguageModel;
  } else {
    const tokenizer: Tokenizer = s.tokens === "word" ? WordTokenizer.fit(trainText, { maxSize: s.vocab }) : CharTokenizer.fit(trainText, { maxSize: s.vocab });
    model = new LanguageModel(tokenizer, { cell: s.cell, hiddenSize: s.hidden, numLayers: s.layers, embeddingDim: s.embedding, seed: s.seed });
  }
  const trainTokens = model.tokenizer.encode(trainText, { bos: true });
  const validationTokens = model.tokenizer.encode(validationText, { bos: true });
  const trainData = streamData(model, trainTokens, { batchSize: s.batch, bptt: s.bptt });
  const validationOptions = { batchSize: Math.max(1, Math.min(s.batch, Math.floor((validationTokens.length - 1) / 256))), bptt: 256 };
  const validationData = streamData(model, validationTokens, validationOptions, "eval");
  const total = s.steps ?? (s.epochs! * trainData.batchesPerEpoch);
  const epochs = s.epochs ?? Math.ceil(total / trainData.batchesPerEpoch);

  const log = (line: string) => (s.quiet ? undefined : process.stdout.write(`${line}\n`));
  log(`wasm-rnn: ${model.tokenizer.kind}-level ${s.cell.toUpperCase()} language model, ${model.parameterCount.toLocaleString("en")} parameters, ` +
    `vocabulary ${model.vocabSize}, ${trainTokens.length.toLocaleString("en")} training tokens; checkpoints in ${s.out}`);

  const display = progressDisplay(total, "tok", s.quiet);
  const primes = corpusPrimes(validationText);
  /** A sample continuing the start of a line of the validation text (or from the model's own start). */
  const sampleAt = (step: number) => {
    const prime = primes ? primes(s.seed + step) : "";
    return `(a sample at temperature ${SAMPLE_TEMPERATURE}${prime ? ", continuing a line of the validation text" : ""})\n` +
      prime + model.sample({ length: 200, temperature: SAMPLE_TEMPERATURE, seed: s.seed + step, prime });
  };
  const onProgress = (p: TrainProgress) => {
    display.update(p);
    if (p.validationLoss !== undefined && !s.quiet) display.print(`\n— step ${p.step}: validation perplexity ${Math.exp(p.validationLoss).toFixed(2)} ${sampleAt(p.step)}\n\n`);
  };
  const trainer = new Trainer(model, {
    lr: s.lr,
    schedule: makeSchedule(s.schedule, s.lr, total),
    scheduleUnit: "step",
    clipNorm: s.clip,
    epochs,
    maxSteps: total,
    evaluateEvery: s.sampleEvery,
    checkpointDir: s.out,
    checkpointEvery: s.sampleEvery,
    onProgress,
    seed: s.seed,
  });
  if (saved) trainer.resume(saved);
  try {
    const result = await trainer.fit(trainData, validationData);
    display.stop();
    const perplexity = result.validationLoss === undefined ? "" : `, validation perplexity ${Math.exp(result.validationLoss).toFixed(2)}`;
    log(`done: ${result.steps} steps, training loss ${result.trainLoss.toFixed(3)} per token${perplexity}; saved to ${s.out}`);
    if (!s.quiet) log(`\n${sampleAt(result.steps + 1)}\n`);
    if (!s.quiet) log(int8Summary(model, validationTokens, validationOptions));
    log(`try: npx wasm-rnn sample --model ${s.out} --length 300  (int8: npx wasm-rnn quantize --model ${s.out} --out ${s.out}-int8)`);
  } finally {
    model.dispose();
  }
}
