// SequenceClassifier: many-to-one. A recurrent encoder, pooling over time (the last state, or the
// mean over each sequence's valid steps), and a Dense head giving class logits; trained with softmax
// cross-entropy (mean over the batch by default). A sequence can also arrive in chunks
// (classifyFrom): each chunk goes on from the state the chunks before it left, and its classification
// is that of the sequence so far.

import { ShapeError, UnsupportedError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { describe, optionsObject, positiveInt } from "../validate.js";
import type { EncodedBatch, EncoderConfig, EncoderState, SequenceInput } from "./encoder.js";
import { EncoderHeadModel } from "./encoder-head.js";
import type { BatchLoss } from "./model.js";
import type { Reduction } from "../layers/losses.js";

export interface SequenceClassifierConfig extends EncoderConfig {
  numClasses: number;
  /** "last": the final state (both directions when bidirectional); "mean": mean of the outputs over valid steps. */
  pooling?: "last" | "mean";
  /** Loss over the batch (default "mean"). */
  reduction?: Reduction;
  seed?: number;
}

/** A classification: the most likely class and every class's probability. */
export interface Classified {
  label: number;
  probabilities: Float32Array;
}

/** Where a sequence fed in chunks stands: its recurrent state, and (mean pooling) the sum of its
 *  outputs and its steps so far. */
export interface ClassifierState {
  encoder: EncoderState;
  steps: number;
  /** Σ of the outputs over the steps so far [D·P] (mean pooling), or null. */
  sum: Float64Array | null;
}

export interface LabelledSequence {
  input: SequenceInput;
  label: number;
}

export class SequenceClassifier extends EncoderHeadModel<SequenceClassifierConfig> {
  readonly modelType = "sequence-classifier";
  private readonly pooling: "last" | "mean";

  constructor(settings: SequenceClassifierConfig) {
    const pooling = optionsObject(settings, "SequenceClassifier: config", false).pooling ?? "last";
    if (pooling !== "last" && pooling !== "mean") throw new ShapeError(`SequenceClassifier: pooling must be "last" or "mean"; got ${describe(pooling)}`);
    super(settings, positiveInt(settings.numClasses, "SequenceClassifier: numClasses"));
    this.pooling = pooling;
  }

  /** Logits [B, numClasses] for a batch of sequences. */
  forward(inputs: readonly SequenceInput[]): Tensor {
    this.checkAlive("forward");
    const { logits, batch } = this.logitsResident(inputs, "SequenceClassifier.forward");
    return new Tensor(this.engine.read(logits, batch * this.head.outFeatures), [batch, this.head.outFeatures]);
  }

  /** The most likely class of each sequence. */
  predict(inputs: readonly SequenceInput[]): number[] {
    this.checkAlive("predict");
    const logits = this.forward(inputs);
    const C = this.head.outFeatures;
    return Array.from({ length: logits.shape[0] }, (_, b) => {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits.data[b * C + c] > logits.data[b * C + best]) best = c;
      return best;
    });
  }

  /**
   * One chunk of a sequence, going on from `from` (what the chunks before it left; null for the
   * first): the classification of the sequence so far, and where it now stands. Feeding a sequence
   * in chunks gives forward's result for it whole. Unidirectional encoders only.
   */
  classifyFrom(chunk: SequenceInput, from: ClassifierState | null, where = "SequenceClassifier.classifyFrom"): { classified: Classified; next: ClassifierState } {
    this.checkAlive("classifyFrom");
    if (this.encoder.rnn.bidirectional) throw new UnsupportedError(`${where}: a bidirectional encoder needs each sequence whole (its backward direction starts at the end)`);
    const encoded = this.encoder.forward([chunk], where, from?.encoder ?? null);
    const F = this.encoder.outputFeatures, steps = (from?.steps ?? 0) + encoded.steps;
    const pooled = this.pooledResident(encoded);
    let sum: Float64Array | null = null;
    if (this.pooling === "mean") { // the chunk's mean, made the mean over every step so far
      sum = Float64Array.from(this.engine.view(pooled, F), (mean, f) => (from?.sum?.[f] ?? 0) + mean * encoded.steps);
      this.engine.write(pooled, Float32Array.from(sum, (v) => v / steps));
    }
    const logits = this.head.forwardResident(pooled, 1);
    const classified = classification(this.engine.view(logits, this.head.outFeatures));
    return { classified, next: { encoder: this.encoder.finalState(encoded), steps, sum } };
  }

  private logitsResident(inputs: readonly SequenceInput[], where: string) {
    const encoded = this.encoder.forward(inputs, where);
    return { logits: this.head.forwardResident(this.pooledResident(encoded), encoded.batch), encoded, batch: encoded.batch };
  }

  /** The pooled features [B, D·P] of an encoded batch (in the buffer "pooled"): each sequence's mean
   *  output over its valid steps, or the last layer's final states, directions side by side. */
  private pooledResident(encoded: EncodedBatch): number {
    const { steps: T, batch: B, lengths, output } = encoded;
    const F = this.encoder.outputFeatures, rnn = this.encoder.rnn, core = this.engine.core;
    const pooled = this.pool.floats("pooled", B * F);
    if (this.pooling === "mean") {
      core.meanSteps(T, B, F, output.output, lengths, pooled);
    } else {
      const P = rnn.outputSize, D = rnn.directions, top = (rnn.numLayers - 1) * D;
      for (let d = 0; d < D; d++) core.mapSteps(1, B, P, output.hN + (top + d) * B * P * 4, P, pooled + d * P * 4, F, 0, 0, 0);
    }
    return pooled;
  }

  /** @internal Loss of a batch and, when `train`, accumulated gradients. */
  batchLoss(examples: readonly LabelledSequence[], train: boolean): BatchLoss {
    this.checkAlive("batchLoss");
    const where = train ? "SequenceClassifier.train" : "SequenceClassifier.evaluate";
    if (!Array.isArray(examples) || examples.length === 0) throw new ShapeError(`${where}: give a non-empty array of { input, label }`);
    const C = this.head.outFeatures;
    const labels = new Int32Array(examples.length);
    examples.forEach((e, b) => {
      if (!Number.isInteger(e?.label) || e.label < 0 || e.label >= C) throw new ShapeError(`${where}: example ${b} needs a label from 0 to ${C - 1}; got ${describe(e?.label)}`);
      labels[b] = e.label;
    });
    const { logits, encoded, batch: B } = this.logitsResident(examples.map((e) => e.input), where);
    const core = this.engine.core;
    const targets = this.pool.ints("labels", B);
    this.engine.writeInt32(targets, labels);
    const scale = this.batchScale(B);
    const gradLogits = train ? this.pool.floats("gradLogits", B * C) : 0;
    const loss = core.softmaxCrossEntropy(B, C, logits, targets, -1, scale, gradLogits, 0);
    if (train) this.backward(gradLogits, encoded.steps, B, encoded.lengths);
    return { loss: loss * scale, sum: loss, count: B };
  }

  private backward(gradLogits: number, T: number, B: number, lengths: number): void {
    const gradPooled = this.head.backwardResident(gradLogits, true);
    const rnn = this.encoder.rnn, core = this.engine.core, F = this.encoder.outputFeatures;
    if (this.pooling === "mean") {
      const gradOutput = this.pool.floats("gradOutput", T * B * F);
      core.meanStepsBackward(T, B, F, gradPooled, lengths, gradOutput);
      this.encoder.backward(gradOutput, 0);
    } else {
      const P = rnn.outputSize, D = rnn.directions, LD = rnn.numLayers * D, top = (rnn.numLayers - 1) * D;
      const gradHN = this.pool.floats("gradHN", LD * B * P);
      this.engine.fill(gradHN, LD * B * P);
      for (let d = 0; d < D; d++) core.mapSteps(1, B, P, gradPooled + d * P * 4, F, gradHN + (top + d) * B * P * 4, P, 0, 0, 0);
      this.encoder.backward(0, gradHN);
    }
  }
}

/** Softmax of a logit row, and its arg max. */
export function classification(logits: ArrayLike<number>): Classified {
  let label = 0, max = -Infinity;
  for (let c = 0; c < logits.length; c++) if (logits[c] > max) [max, label] = [logits[c], c];
  const probabilities = Float32Array.from(logits, (v) => Math.exp(v - max));
  const sum = probabilities.reduce((a, b) => a + b, 0);
  for (let c = 0; c < probabilities.length; c++) probabilities[c] /= sum;
  return { label, probabilities };
}
