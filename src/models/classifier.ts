// SequenceClassifier: many-to-one. A recurrent encoder, pooling over time (the last state, or the
// mean over each sequence's valid steps), and a Dense head giving class logits; trained with softmax
// cross-entropy (mean over the batch by default).

import { ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { describe, optionsObject, positiveInt } from "../validate.js";
import type { EncoderConfig, SequenceInput } from "./encoder.js";
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

  private logitsResident(inputs: readonly SequenceInput[], where: string) {
    const encoded = this.encoder.forward(inputs, where);
    const { steps: T, batch: B, lengths, output } = encoded;
    const F = this.encoder.outputFeatures, rnn = this.encoder.rnn, core = this.engine.core;
    const pooled = this.pool.floats("pooled", B * F);
    if (this.pooling === "mean") {
      core.meanSteps(T, B, F, output.output, lengths, pooled);
    } else {
      // The last layer's final states, directions side by side: [B, D·P].
      const P = rnn.outputSize, D = rnn.directions, top = (rnn.numLayers - 1) * D;
      for (let d = 0; d < D; d++) core.mapSteps(1, B, P, output.hN + (top + d) * B * P * 4, P, pooled + d * P * 4, F, 0, 0, 0);
    }
    return { logits: this.head.forwardResident(pooled, B), encoded, batch: B };
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
