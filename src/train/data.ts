// Training data as the Trainer sees it: a fixed number of batches per epoch, each a function that runs
// the model on it (forward, and backward when training) and returns its loss. Two kinds: windows of a
// token stream for language models (B parallel streams, windows of `bptt` steps, the hidden state
// carried between windows), and shuffled mini-batches of examples for classifiers, taggers and seq2seq.

import { ShapeError } from "../errors.js";
import type { LanguageModel } from "../models/language-model.js";
import type { BatchLoss } from "../models/model.js";
import type { Random } from "../random.js";
import { describe, positiveInt } from "../validate.js";

export interface Batch {
  /** Predictions in the batch (tokens or sequences), for throughput. */
  size: number;
  run(train: boolean): BatchLoss;
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
  const B = positiveInt(options.batchSize, "batchSize");
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
  const batches: Batch[] = windows.map(({ start, steps, carry }) => ({
    size: steps * B,
    run(train: boolean) {
      const inputs = new Int32Array(steps * B), targets = new Int32Array(steps * B);
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < B; b++) {
          inputs[t * B + b] = tokens[b * S + start + t];
          targets[t * B + b] = tokens[b * S + start + t + 1];
        }
      }
      return model.windowLoss(inputs, targets, steps, B, train, carry, slot);
    },
  }));
  return {
    batchesPerEpoch: batches.length,
    epoch: () => batches,
    startEpoch: () => model.resetState(slot),
  };
}

/** A model trained on mini-batches of whole examples (classifier, tagger, seq2seq). */
export interface ExampleModel<E> {
  batchLoss(batch: readonly E[], train: boolean): BatchLoss;
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
        return { size: batch.length, run: (train: boolean) => run(batch, train) };
      });
    },
    startEpoch: () => undefined,
  };
}
