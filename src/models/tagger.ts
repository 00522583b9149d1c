// SequenceTagger: many-to-many, synchronous. A recurrent encoder and a Dense head applied at every
// step, trained with per-step softmax cross-entropy summed over valid steps (padding masked) and
// averaged over the batch by default. A sequence can also arrive in chunks (tagFrom): each chunk goes
// on from the state the chunks before it left.

import { ShapeError, UnsupportedError } from "../errors.js";
import { describe, positiveInt } from "../validate.js";
import type { EncodedBatch, EncoderConfig, EncoderState, SequenceInput } from "./encoder.js";
import { EncoderHeadModel } from "./encoder-head.js";
import type { BatchLoss } from "./model.js";
import type { Reduction } from "../layers/losses.js";

export interface SequenceTaggerConfig extends EncoderConfig {
  numTags: number;
  /** "mean" (default): Σ over steps, mean over the batch; "sum": Σ over everything. */
  reduction?: Reduction;
  seed?: number;
}

export interface TaggedSequence {
  input: SequenceInput;
  tags: readonly number[];
}

const IGNORE = -1;

export class SequenceTagger extends EncoderHeadModel<SequenceTaggerConfig> {
  readonly modelType = "sequence-tagger";

  constructor(settings: SequenceTaggerConfig) {
    super(settings, positiveInt(settings?.numTags, "SequenceTagger: numTags"));
  }

  /** The most likely tag at every step of every sequence. */
  predict(inputs: readonly SequenceInput[]): number[][] {
    this.checkAlive("predict");
    return this.tags(inputs, "SequenceTagger.predict", null).tags;
  }

  /**
   * One chunk of a sequence, going on from `from` (the state the chunks before it left; null for the
   * first): the most likely tag at each of the chunk's steps, and the state to go on from. Feeding a
   * sequence in chunks gives predict's tags for it whole. Unidirectional encoders only.
   */
  tagFrom(chunk: SequenceInput, from: EncoderState | null, where = "SequenceTagger.tagFrom"): { tags: number[]; next: EncoderState } {
    this.checkAlive("tagFrom");
    if (this.encoder.rnn.bidirectional) throw new UnsupportedError(`${where}: a bidirectional encoder needs each sequence whole (its backward direction starts at the end)`);
    const { tags, encoded } = this.tags([chunk], where, from);
    return { tags: tags[0], next: this.encoder.finalState(encoded) };
  }

  private tags(inputs: readonly SequenceInput[], where: string, from: EncoderState | null): { tags: number[][]; encoded: EncodedBatch } {
    const { logits, encoded } = this.logitsResident(inputs, where, from);
    const K = this.head.outFeatures, B = encoded.batch;
    const values = this.engine.view(logits, encoded.steps * B * K);
    const tags = Array.from(encoded.lengthsArray, (L, b) =>
      Array.from({ length: L }, (_, t) => {
        const row = (t * B + b) * K;
        let best = 0;
        for (let k = 1; k < K; k++) if (values[row + k] > values[row + best]) best = k;
        return best;
      }),
    );
    return { tags, encoded };
  }

  private logitsResident(inputs: readonly SequenceInput[], where: string, from: EncoderState | null = null) {
    const encoded = this.encoder.forward(inputs, where, from);
    return { logits: this.head.forwardResident(encoded.output.output, encoded.steps * encoded.batch), encoded };
  }

  /** @internal Loss of a batch (Σ over valid steps) and, when `train`, accumulated gradients. */
  batchLoss(examples: readonly TaggedSequence[], train: boolean): BatchLoss {
    this.checkAlive("batchLoss");
    const where = train ? "SequenceTagger.train" : "SequenceTagger.evaluate";
    if (!Array.isArray(examples) || examples.length === 0) throw new ShapeError(`${where}: give a non-empty array of { input, tags }`);
    const K = this.head.outFeatures;
    const { logits, encoded } = this.logitsResident(examples.map((e) => e.input), where);
    const { steps: T, batch: B } = encoded;
    const tags = new Int32Array(T * B).fill(IGNORE);
    let count = 0;
    examples.forEach((e, b) => {
      if (!Array.isArray(e.tags) || e.tags.length !== encoded.lengthsArray[b]) {
        throw new ShapeError(`${where}: example ${b} needs one tag per step (${encoded.lengthsArray[b]}); got ${describe(e.tags)}`);
      }
      (e.tags as readonly number[]).forEach((tag, t) => {
        if (!Number.isInteger(tag) || tag < 0 || tag >= K) throw new ShapeError(`${where}: example ${b}, step ${t}: tag must be from 0 to ${K - 1}; got ${describe(tag)}`);
        tags[t * B + b] = tag;
        count++;
      });
    });
    const targets = this.pool.ints("tags", T * B);
    this.engine.writeInt32(targets, tags);
    const scale = this.batchScale(B);
    const gradLogits = train ? this.pool.floats("gradLogits", T * B * K) : 0;
    const loss = this.engine.core.softmaxCrossEntropy(T * B, K, logits, targets, IGNORE, scale, gradLogits, 0);
    if (train) this.encoder.backward(this.head.backwardResident(gradLogits, true), 0);
    return { loss: loss * scale, sum: loss, count };
  }
}
