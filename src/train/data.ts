// Training data as the Trainer sees it: a fixed number of batches per epoch, each a function that runs
// the model on it (forward, and backward when training) and returns its loss. Two kinds: windows of a
// token stream for language models (B parallel streams, windows of `bptt` steps, the hidden state
// carried between windows), and shuffled mini-batches of examples for classifiers, taggers and seq2seq.

import { ShapeError } from "../errors.js";
import type { LanguageModel } from "../models/language-model.js";
import type { BatchLoss } from "../models/model.js";
import type { Shard } from "./data-parallel.js";
import type { Reduction } from "../layers/losses.js";
import type { Random } from "../random.js";
import { describe, optionsObject, positiveInt } from "../validate.js";

export interface Batch {
  /** Predictions in the batch (tokens or sequences), for throughput. */
  size: number;
  run(train: boolean): BatchLoss;
  /** @internal The batch cut into at most `parts` training shards for a worker pool (data parallelism). */
  shards(parts: number): Shard[];
}

export interface TrainingData {
  batchesPerEpoch: number;
  /** The batches of one epoch in order; `random` shuffles where the data allows it. */
  epoch(random: Random): Batch[];
  /** Called when a new epoch starts (resets carried state). */
  startEpoch(): void;
}

export interface StreamOptions {
  batchSize: number;
  /** Steps per window: gradients stop at window edges (truncated BPTT). */
  bptt: number;
  /** Steps after which the carried state is reset (default: never within an epoch). With
   *  seqLength = bptt every window starts from zeros: full BPTT over sequences of that length. */
  seqLength?: number;
}

/**
 * A token stream for a language model, cut into `batchSize` contiguous streams read side by side.
 * Window w covers steps [start, start + k) of every stream; targets are the next tokens.
 */
export function streamData(model: LanguageModel, tokens: Int32Array, options: StreamOptions, slot: "train" | "eval" = "train"): TrainingData {
  const B = positiveInt(optionsObject(options, "streamData: options", false).batchSize, "batchSize");
  const bptt = positiveInt(options.bptt, "bptt");
  const seqLength = options.seqLength === undefined ? Infinity : positiveInt(options.seqLength, "seqLength");
  const S = Math.floor((tokens.length - 1) / B);
  if (S < 1) throw new ShapeError(`the text has ${tokens.length} tokens: too few for ${B} parallel streams (need at least ${B + 1})`);
  const windows: { start: number; steps: number; carry: boolean }[] = [];
  for (let start = 0; start < S; ) {
    const intoSequence = Number.isFinite(seqLength) ? start % seqLength : start;
    const steps = Math.min(bptt, S - start, Number.isFinite(seqLength) ? seqLength - intoSequence : Infinity);
    windows.push({ start, steps, carry: intoSequence > 0 });
    start += steps;
  }
  /** Inputs and targets of streams [b0, b1) for one window, time-major. */
  const window = (start: number, steps: number, b0: number, b1: number) => {
    const rows = b1 - b0;
    const inputs = new Int32Array(steps * rows), targets = new Int32Array(steps * rows);
    for (let t = 0; t < steps; t++) {
      for (let b = b0; b < b1; b++) {
        inputs[t * rows + b - b0] = tokens[b * S + start + t];
        targets[t * rows + b - b0] = tokens[b * S + start + t + 1];
      }
    }
    return { inputs, targets, rows };
  };
  const batches: Batch[] = windows.map(({ start, steps, carry }) => ({
    size: steps * B,
    run(train: boolean) {
      const { inputs, targets } = window(start, steps, 0, B);
      return model.windowLoss(inputs, targets, steps, B, train, carry, slot);
    },
    // Shard i always gets the same streams, so the worker that runs it carries their state.
    shards: (parts: number) => splitRows(B, parts).map(([b0, b1]) => {
      const { inputs, targets, rows } = window(start, steps, b0, b1);
      return { method: "windowLoss" as const, args: [inputs, targets, steps, rows, true, carry, slot], weight: shardWeight(model.reduction, rows, B) };
    }),
  }));
  return {
    batchesPerEpoch: batches.length,
    epoch: () => batches,
    startEpoch: () => model.resetState(slot),
  };
}

/** A model trained on mini-batches of whole examples (classifier, tagger, seq2seq). */
export interface ExampleModel<E> {
  readonly reduction: Reduction;
  /** @internal Loss of a batch and, when `train`, accumulated gradients. */
  batchLoss(batch: readonly E[], train: boolean): BatchLoss;
}

/** @internal [start, end) row ranges cutting `rows` into at most `parts` near-equal parts. */
export function splitRows(rows: number, parts: number): [number, number][] {
  const n = Math.max(1, Math.min(parts, rows));
  return Array.from({ length: n }, (_, i) => [Math.floor((i * rows) / n), Math.floor(((i + 1) * rows) / n)] as [number, number]);
}

/** A shard's share of the batch loss: rows / batch under "mean" reduction, 1 under "sum". */
function shardWeight(reduction: Reduction, rows: number, batch: number): number {
  return reduction === "mean" ? rows / batch : 1;
}

/** Examples in shuffled mini-batches (each sequence is one full-BPTT pass). */
export function exampleData<E>(model: ExampleModel<E>, examples: readonly E[], batchSize: number, shuffle = true): TrainingData {
  const B = positiveInt(batchSize, "batchSize");
  if (!Array.isArray(examples) || examples.length === 0) throw new ShapeError(`training data must be a non-empty array of examples; got ${describe(examples)}`);
  const count = Math.ceil(examples.length / B);
  const run = model.batchLoss.bind(model);
  return {
    batchesPerEpoch: count,
    epoch(random: Random) {
      const order = Array.from(examples.keys());
      if (shuffle) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = random.below(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      return Array.from({ length: count }, (_, k) => {
        const batch = order.slice(k * B, (k + 1) * B).map((i) => examples[i]);
        return {
          size: batch.length,
          run: (train: boolean) => run(batch, train),
          shards: (parts: number) => splitRows(batch.length, parts).map(([a, b]) => ({
            method: "batchLoss" as const, args: [batch.slice(a, b), true], weight: shardWeight(model.reduction, b - a, batch.length),
          })),
        };
      });
    },
    startEpoch: () => undefined,
  };
}
