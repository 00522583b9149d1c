// The input side shared by the sequence classifier and tagger: token ids through an Embedding, or
// float features directly, into a recurrent stack. Turns a list of variable-length examples into one
// padded, time-major batch in wasm memory (with lengths), runs forward and backward there — forward
// from zero states, or from the state an earlier chunk of the same sequences left (EncoderState) —
// and validates the examples on the way in.

import { CELLS } from "../engine/cells.js";
import type { Engine } from "../engine/engine.js";
import { ShapeError } from "../errors.js";
import { Embedding } from "../layers/embedding.js";
import { buildLayers, type Layer } from "../layers/layer.js";
import type { Recurrent } from "../layers/recurrent.js";
import type { ResidentOutput, TokenInput } from "../layers/recurrent-stack.js";
import { BufferPool } from "../layers/buffer-pool.js";
import { describe, positiveInt } from "../validate.js";
import { buildRecurrent, type RecurrentConfig } from "./recurrent-config.js";

/** Inputs of one example: token ids (models with a vocabulary) or feature vectors [T][inputSize]. */
export type SequenceInput = readonly number[] | readonly (readonly number[])[];

export interface EncoderConfig extends RecurrentConfig {
  /** Token inputs: vocabulary size and embedding size. */
  vocabSize?: number;
  embeddingDim?: number;
  /** Feature inputs: features per step. */
  inputSize?: number;
}

/** The recurrent state a batch's sequences reached (their final h and c), from which later chunks of
 *  the same sequences go on. */
export interface EncoderState {
  /** [L·D, B, P] */
  h: Float32Array;
  /** [L·D, B, H] (LSTM), or null */
  c: Float32Array | null;
}

/** @internal A batch placed in wasm memory. */
export interface EncodedBatch {
  steps: number;
  batch: number;
  /** int32 [B] */
  lengths: number;
  lengthsArray: Int32Array;
  output: ResidentOutput;
}

export class SequenceEncoder {
  readonly embedding: Embedding | null;
  readonly rnn: Recurrent;
  private readonly pool: BufferPool;

  /** @internal Built by the model (EncoderHeadModel), on its engine. */
  constructor(readonly config: EncoderConfig, private readonly engine: Engine, seed: number | undefined) {
    const tokens = config.vocabSize !== undefined;
    if (tokens === (config.inputSize !== undefined)) throw new ShapeError("give either vocabSize (token inputs) or inputSize (feature inputs)");
    const embeddingDim = tokens ? positiveInt(config.embeddingDim ?? 32, "embeddingDim") : 0;
    const inputSize = tokens ? embeddingDim : positiveInt(config.inputSize, "inputSize");
    const [rnn, embedding] = buildLayers(
      () => buildRecurrent(config, inputSize, seed === undefined ? undefined : seed + 1),
      ...(tokens ? [() => new Embedding({ numEmbeddings: positiveInt(config.vocabSize, "vocabSize"), embeddingDim, seed })] : []),
    ) as [Recurrent, Embedding | undefined];
    this.rnn = rnn;
    this.embedding = embedding ?? null;
    this.pool = new BufferPool(engine);
  }

  /** @internal (prefix, layer) pairs for the model's state dict. */
  modules(): [string, Layer][] {
    return this.embedding ? [["embedding", this.embedding], ["rnn", this.rnn]] : [["rnn", this.rnn]];
  }

  /** Features per step of the recurrent output (directions × output size). */
  get outputFeatures(): number {
    return this.rnn.directions * this.rnn.outputSize;
  }

  /** @internal Checks one example (`what` names it in messages): a non-empty array of token ids in
   *  the vocabulary, or of feature vectors of inputSize finite numbers. Returns its ids (token inputs). */
  checkSequence(seq: SequenceInput, what: string): Int32Array | null {
    if (!Array.isArray(seq) || seq.length === 0) throw new ShapeError(`${what} must be a non-empty array; got ${describe(seq)}`);
    if (this.embedding) return this.embedding.checkIds(seq as ArrayLike<number>, what);
    const I = this.rnn.inputSize;
    (seq as readonly (readonly number[])[]).forEach((step, t) => {
      if (!Array.isArray(step) || step.length !== I) throw new ShapeError(`${what}, step ${t} must have ${I} features; got ${describe(step)}`);
      for (let i = 0; i < I; i++) if (!Number.isFinite(step[i])) throw new ShapeError(`${what}, step ${t} has a non-finite feature ${step[i]}`);
    });
    return null;
  }

  /** @internal Pads the examples into a time-major batch in wasm memory and runs the recurrent stack,
   *  from zero states or from `initial` (the state of earlier chunks, one row per example). */
  forward(inputs: readonly SequenceInput[], where: string, initial: EncoderState | null = null): EncodedBatch {
    if (!Array.isArray(inputs) || inputs.length === 0) throw new ShapeError(`${where}: give a non-empty array of sequences`);
    const B = inputs.length;
    const checked = inputs.map((seq, b) => this.checkSequence(seq, `${where}: sequence ${b}`));
    const lengthsArray = Int32Array.from(inputs, (seq) => seq.length);
    const T = Math.max(...lengthsArray);
    const lengths = this.pool.ints("lengths", B);
    this.engine.writeInt32(lengths, lengthsArray);
    let input: { x: number; tokens?: TokenInput };
    if (this.embedding) {
      const ids = new Int32Array(T * B); // padding positions use id 0; their outputs are masked
      checked.forEach((seq, b) => {
        for (let t = 0; t < seq!.length; t++) ids[t * B + b] = seq![t];
      });
      const idsPtr = this.pool.ints("ids", T * B);
      this.engine.writeInt32(idsPtr, ids);
      input = this.embedding.recurrentInput(idsPtr, T, B);
    } else {
      const I = this.rnn.inputSize;
      const features = new Float32Array(T * B * I);
      inputs.forEach((seq, b) => {
        (seq as readonly (readonly number[])[]).forEach((step, t) => features.set(step, (t * B + b) * I));
      });
      input = { x: this.pool.floats("features", T * B * I) };
      this.engine.write(input.x, features);
    }
    const output = this.rnn.forwardResident({ steps: T, batch: B, ...input, lengths, ...this.initialStates(initial, B, where) });
    return { steps: T, batch: B, lengths, lengthsArray, output };
  }

  /** @internal The final h and c of a batch the encoder ran (copies, out of wasm memory). */
  finalState(encoded: EncodedBatch): EncoderState {
    const { hN, cN } = encoded.output, rows = this.rnn.numLayers * this.rnn.directions * encoded.batch;
    return { h: this.engine.read(hN, rows * this.rnn.outputSize), c: cN ? this.engine.read(cN, rows * this.rnn.hiddenSize) : null };
  }

  /** Pointers to `initial`'s h and c in wasm memory (0 and 0: zero states). */
  private initialStates(initial: EncoderState | null, B: number, where: string): { h0: number; c0: number } {
    if (initial === null) return { h0: 0, c0: 0 };
    const rows = this.rnn.numLayers * this.rnn.directions * B, P = this.rnn.outputSize, H = this.rnn.hiddenSize;
    const hasC = CELLS[this.rnn.cell].cellState;
    if (initial.h?.length !== rows * P || (hasC ? initial.c?.length !== rows * H : initial.c !== null)) {
      throw new ShapeError(`${where}: the state to go on from does not fit this model (h [${rows}, ${P}]${hasC ? `, c [${rows}, ${H}]` : ""})`);
    }
    const h0 = this.pool.floats("h0", rows * P);
    this.engine.write(h0, initial.h);
    if (!hasC) return { h0, c0: 0 };
    const c0 = this.pool.floats("c0", rows * H);
    this.engine.write(c0, initial.c!);
    return { h0, c0 };
  }

  /** @internal Backward from gradients of the recurrent output and/or final states (wasm pointers, 0 = none). */
  backward(gradOutput: number, gradHN: number): void {
    const back = this.rnn.backwardResident({ gradOutput, gradHN, gradCN: 0 });
    if (this.embedding && back.gradInput) this.embedding.backwardResident(back.gradInput);
  }

  /** @internal Frees the encoder's buffers (the model disposes its layers). */
  dispose(): void {
    this.pool.dispose();
  }
}
