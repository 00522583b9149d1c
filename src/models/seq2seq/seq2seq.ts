// Seq2Seq: an encoder (embedding → recurrent stack, optionally bidirectional) reads the source; its
// final state is the context C. The decoder (embedding → recurrent stack → head) starts from C
// (context "init", through a learned bridge when the encoder is bidirectional) or also receives C at
// every step, as input and in the output layer (context "every-step": h_t = f(h_{t−1}, y_{t−1}, C),
// output g(h_t, y_{t−1}, C), Cho et al. 2014). Optional global attention over the encoder outputs.
// Trained with teacher forcing (optionally scheduled sampling). The bridge lives in bridge.ts, the
// every-step context in every-step-context.ts, decoding in decoding.ts.

import { CELLS, cellKind } from "../../engine/cells.js";
import { engine, type Engine } from "../../engine/engine.js";
import { ShapeError } from "../../errors.js";
import { Attention, type AttentionKind } from "../../layers/attention.js";
import { BufferPool } from "../../layers/buffer-pool.js";
import { Dense } from "../../layers/dense.js";
import { Embedding } from "../../layers/embedding.js";
import { buildLayers, type Layer } from "../../layers/layer.js";
import type { Recurrent } from "../../layers/recurrent.js";
import type { ResidentOutput } from "../../layers/recurrent-stack.js";
import { Random } from "../../random.js";
import { tokenizerFromJSON, type Tokenizer } from "../../text/index.js";
import { BOS, EOS, PAD } from "../../text/vocabulary.js";
import type { Reduction } from "../../layers/losses.js";
import { describe, optionsObject, positiveInt } from "../../validate.js";
import { Model, type BatchLoss } from "../model.js";
import { quantizedKinds, type QuantizedConfig } from "../quantized-kinds.js";
import { buildRecurrent, type CellName } from "../recurrent-config.js";
import { Bridge } from "./bridge.js";
import { decodeSources, streamDecoding, type DecodeOptions, type DecodeStreamOptions, type Decoded } from "./decoding.js";
import { EveryStepContext } from "./every-step-context.js";

export interface Seq2SeqConfig {
  cell?: CellName;
  hiddenSize: number;
  numLayers?: number;
  /** Embedding size of source and target tokens (default 32). */
  embeddingDim?: number;
  /** A bidirectional encoder (its two final states are bridged to the decoder's size). */
  bidirectional?: boolean;
  /** "init" (default): C sets the decoder's initial state; "every-step": also fed at every step. */
  context?: "init" | "every-step";
  attention?: "none" | AttentionKind;
  attentionSize?: number;
  /** Loss: Σ over target steps, "mean" over the batch (default) or "sum". */
  reduction?: Reduction;
  seed?: number;
  /** int8 weights with per-row scales in the recurrent layers, the bridges and the output layer (true),
   *  or in those of the kinds listed (quantizeDynamic sets this; such a model runs inference only). */
  quantized?: QuantizedConfig;
}

/** A source and target sequence: text (tokenized by the model's tokenizers) or token ids. */
export interface SequencePair {
  source: string | readonly number[];
  target: string | readonly number[];
}

/** Targets that count for nothing (padding). */
const IGNORE = -1;

/** @internal An encoded source batch in wasm memory, ready for the decoder. */
export interface EncodedSources {
  batch: number;
  steps: number;
  lengths: number;
  lengthsArray: Int32Array;
  encoder: ResidentOutput;
  /** Decoder initial states [L, B, H] (and cell states for LSTM, else 0). */
  h0: number;
  c0: number;
  /** The context vector C [B, He] (top encoder layer's final states, directions side by side) for
   *  context "every-step"; 0 for "init". */
  context: number;
}

export class Seq2Seq extends Model {
  readonly modelType = "seq2seq";
  readonly sourceEmbedding: Embedding;
  readonly encoder: Recurrent;
  readonly targetEmbedding: Embedding;
  readonly decoder: Recurrent;
  readonly bridgeH: Dense | null;
  readonly bridgeC: Dense | null;
  readonly attention: Attention | null;
  readonly head: Dense;
  readonly contextMode: "init" | "every-step";
  /** @internal Encoder final states → decoder initial states. */
  readonly bridge: Bridge;
  /** @internal C at every decoder step (context "every-step"), else null. */
  readonly everyStep: EveryStepContext | null;
  /** Scheduled sampling: the probability that a training step feeds the model's own previous
   *  prediction instead of the true token (0 = pure teacher forcing). A Trainer may change it. */
  samplingRatio = 0;
  private readonly samplingRandom: Random;
  /** @internal */ readonly engine: Engine;
  /** @internal */ readonly pool: BufferPool;

  constructor(readonly sourceTokenizer: Tokenizer, readonly targetTokenizer: Tokenizer, private readonly settings: Seq2SeqConfig) {
    const where = "Seq2Seq";
    if (!settings || typeof settings !== "object") throw new ShapeError(`${where}: config must be an object`);
    const H = positiveInt(settings.hiddenSize, `${where}: hiddenSize`);
    const L = settings.numLayers === undefined ? 1 : positiveInt(settings.numLayers, `${where}: numLayers`);
    const E = positiveInt(settings.embeddingDim ?? 32, `${where}: embeddingDim`);
    const D = settings.bidirectional ? 2 : 1;
    const mode = settings.context ?? "init";
    if (mode !== "init" && mode !== "every-step") throw new ShapeError(`${where}: context must be "init" or "every-step"; got ${describe(mode)}`);
    const attentionKind = settings.attention ?? "none";
    if (!["none", "dot", "general", "additive"].includes(attentionKind)) {
      throw new ShapeError(`${where}: attention must be "none", "dot", "general" or "additive"; got ${describe(attentionKind)}`);
    }
    const He = D * H;
    const seed = settings.seed;
    const s = (k: number) => (seed === undefined ? undefined : seed + k);
    const hasC = CELLS[cellKind(settings.cell ?? "lstm", `${where}: cell`)].cellState;
    const recurrent = { cell: settings.cell, hiddenSize: H, numLayers: L, quantized: settings.quantized };
    const quantized = quantizedKinds(settings.quantized, `${where}: quantized`).has("dense");
    const headInputs = H + (mode === "every-step" ? E + He : 0);
    const built = buildLayers(
      () => new Embedding({ numEmbeddings: sourceTokenizer.size, embeddingDim: E, paddingIdx: PAD, seed: s(0) }),
      () => buildRecurrent({ ...recurrent, bidirectional: D === 2 }, E, s(1)),
      () => new Embedding({ numEmbeddings: targetTokenizer.size, embeddingDim: E, paddingIdx: PAD, seed: s(2) }),
      () => buildRecurrent(recurrent, mode === "every-step" ? E + He : E, s(3)),
      () => new Dense({ inFeatures: headInputs, outFeatures: targetTokenizer.size, seed: s(4), quantized }),
      ...(D === 2 ? [() => new Dense({ inFeatures: He, outFeatures: H, seed: s(5), quantized })] : []),
      ...(D === 2 && hasC ? [() => new Dense({ inFeatures: He, outFeatures: H, seed: s(6), quantized })] : []),
      ...(attentionKind !== "none" ? [() => new Attention({ kind: attentionKind as AttentionKind, querySize: H, valueSize: He, attentionSize: settings.attentionSize, seed: s(7) })] : []),
    );
    const [sourceEmbedding, encoder, targetEmbedding, decoder, head] = built as [Embedding, Recurrent, Embedding, Recurrent, Dense];
    const bridgeH = D === 2 ? (built[5] as Dense) : null;
    const bridgeC = D === 2 && hasC ? (built[6] as Dense) : null;
    const attention = attentionKind !== "none" ? (built[built.length - 1] as Attention) : null;
    const modules: [string, Layer][] = [["encoder.embedding", sourceEmbedding], ["encoder.rnn", encoder], ["decoder.embedding", targetEmbedding], ["decoder.rnn", decoder]];
    if (bridgeH) modules.push(["bridge.h", bridgeH]);
    if (bridgeC) modules.push(["bridge.c", bridgeC]);
    if (attention) modules.push(["attention", attention]);
    modules.push(["fc", head]);
    super(modules, settings.reduction);
    this.sourceEmbedding = sourceEmbedding;
    this.encoder = encoder;
    this.targetEmbedding = targetEmbedding;
    this.decoder = decoder;
    this.bridgeH = bridgeH;
    this.bridgeC = bridgeC;
    this.attention = attention;
    this.head = head;
    this.contextMode = mode;
    this.engine = engine();
    this.pool = new BufferPool(this.engine);
    this.bridge = new Bridge(this.engine, this.pool, bridgeH, bridgeC, L, H);
    this.everyStep = mode === "every-step" ? new EveryStepContext(this.engine, this.pool, this.sizes) : null;
    this.samplingRandom = new Random(seed ?? 0);
  }

  static fromConfig(config: Record<string, unknown>): Seq2Seq {
    const { sourceTokenizer, targetTokenizer, ...rest } = optionsObject(config, "Seq2Seq.fromConfig: config", false);
    return new Seq2Seq(tokenizerFromJSON(sourceTokenizer), tokenizerFromJSON(targetTokenizer), rest as unknown as Seq2SeqConfig);
  }

  config(): Record<string, unknown> {
    return { ...this.settings, sourceTokenizer: this.sourceTokenizer.toJSON(), targetTokenizer: this.targetTokenizer.toJSON() };
  }

  /** Decodes each source (text or token ids): greedy, beam search or sampling, as `options` say. */
  decode(sources: readonly (string | readonly number[])[], options: DecodeOptions = {}): Decoded[] {
    return decodeSources(this, sources, options);
  }

  /**
   * decode() of one source, greedy or sampled, as an async iterator of the text each new token adds
   * (the same text decode gives, for a seed too); `break` or `signal` stops it.
   */
  decodeStream(source: string | readonly number[], options: DecodeStreamOptions = {}): AsyncGenerator<string, void, undefined> {
    return streamDecoding(this, source, options);
  }

  /** @internal Hidden size H, layers L, encoder directions D, encoder output size He = D·H, embedding size E. */
  get sizes() {
    const H = this.decoder.hiddenSize;
    return { H, L: this.decoder.numLayers, D: this.encoder.directions, He: this.encoder.directions * H, E: this.targetEmbedding.embeddingDim, V: this.targetTokenizer.size };
  }

  /** @internal Token ids of a source or target (text is tokenized; ids are checked by the embedding). */
  tokens(value: string | readonly number[], tokenizer: Tokenizer, what: string): Int32Array {
    if (typeof value === "string") return tokenizer.encode(value);
    if (!Array.isArray(value)) throw new ShapeError(`${what} must be a string or an array of token ids; got ${describe(value)}`);
    return Int32Array.from(value);
  }

  // ---- encoder --------------------------------------------------------------------------------

  /** @internal Encodes a batch of sources (id arrays, non-empty) and prepares the decoder's start. */
  encode(sources: readonly Int32Array[], where: string): EncodedSources {
    this.checkAlive("encode");
    const eng = this.engine, pool = this.pool;
    const B = sources.length;
    const lengthsArray = Int32Array.from(sources, (s, b) => {
      if (s.length === 0) throw new ShapeError(`${where}: source ${b} is empty`);
      return s.length;
    });
    const Ts = Math.max(...lengthsArray);
    const ids = new Int32Array(Ts * B);
    sources.forEach((s, b) => {
      const checked = this.sourceEmbedding.checkIds(s, `${where}: source ${b}`);
      for (let t = 0; t < checked.length; t++) ids[t * B + b] = checked[t];
    });
    const idsPtr = pool.ints("sourceIds", Ts * B);
    eng.writeInt32(idsPtr, ids);
    const lengths = pool.ints("sourceLengths", B);
    eng.writeInt32(lengths, lengthsArray);
    const x = this.sourceEmbedding.forwardResident(idsPtr, Ts * B);
    const encoder = this.encoder.forwardResident({ steps: Ts, batch: B, x, lengths, h0: 0, c0: 0 });
    const { h0, c0 } = this.bridge.forward(encoder.hN, encoder.cN, B);
    const context = this.everyStep ? this.everyStep.contextForward(encoder.hN, B) : 0;
    return { batch: B, steps: Ts, lengths, lengthsArray, encoder, h0, c0, context };
  }

  // ---- decoder --------------------------------------------------------------------------------

  /**
   * @internal Runs the decoder over `T` steps of input tokens (time-major ids [T·B]) from states
   * (h0, c0) and returns the logits [T·B, V]; keeps everything for backward. The decoder's final
   * states are in this.decoder's buffers (hN, cN of the returned step).
   */
  decodeSteps(src: EncodedSources, inputs: Int32Array, T: number, B: number, lengths: number, h0: number, c0: number): { logits: number; decoder: ResidentOutput } {
    const ids = this.pool.ints("targetIds", T * B);
    this.engine.writeInt32(ids, inputs);
    const emb = this.targetEmbedding.forwardResident(ids, T * B);
    const x = this.everyStep ? this.everyStep.decoderInputForward(emb, src.context, T, B) : emb;
    const decoder = this.decoder.forwardResident({ steps: T, batch: B, x, lengths, h0, c0 });
    const top = this.attention ? this.attention.forwardResident(decoder.output, src.encoder.output, T, src.steps, B, src.lengths) : decoder.output;
    const headInput = this.everyStep ? this.everyStep.headInputForward(top, x, T * B) : top;
    return { logits: this.head.forwardResident(headInput, T * B), decoder };
  }

  // ---- training -------------------------------------------------------------------------------

  /**
   * @internal Teacher-forced loss of a batch of pairs: −Σ_t log p(y_t | y_<t, x) over each target
   * and its end token, reduced over the batch; with `train`, gradients through decoder, attention,
   * context and encoder. With samplingRatio > 0 (scheduled sampling), each training decoder input
   * is the model's own previous prediction with that probability instead of the true token.
   */
  batchLoss(pairs: readonly SequencePair[], train: boolean): BatchLoss {
    this.checkAlive("batchLoss");
    const where = train ? "Seq2Seq.train" : "Seq2Seq.evaluate";
    if (!Array.isArray(pairs) || pairs.length === 0) throw new ShapeError(`${where}: give a non-empty array of { source, target }`);
    const B = pairs.length;
    const sources = pairs.map((p, b) => this.tokens(p?.source, this.sourceTokenizer, `${where}: pair ${b} source`));
    const targets = pairs.map((p, b) => {
      const t = this.tokens(p?.target, this.targetTokenizer, `${where}: pair ${b} target`);
      if (t.length === 0) throw new ShapeError(`${where}: pair ${b} has an empty target`);
      return this.targetEmbedding.checkIds(t, `${where}: pair ${b} target`);
    });
    const src = this.encode(sources, where);
    const T = Math.max(...targets.map((t) => t.length)) + 1;
    const inputs = new Int32Array(T * B).fill(PAD), expected = new Int32Array(T * B).fill(IGNORE), lengthsArray = new Int32Array(B);
    targets.forEach((t, b) => {
      lengthsArray[b] = t.length + 1;
      inputs[b] = BOS;
      for (let i = 0; i < t.length; i++) {
        inputs[(i + 1) * B + b] = t[i];
        expected[i * B + b] = t[i];
      }
      expected[t.length * B + b] = EOS;
    });
    if (train && this.samplingRatio > 0) this.scheduleSampling(src, inputs, lengthsArray, T, B, this.samplingRatio, this.samplingRandom);
    const eng = this.engine, pool = this.pool, V = this.sizes.V;
    const lengths = pool.ints("targetLengths", B);
    eng.writeInt32(lengths, lengthsArray);
    const { logits } = this.decodeSteps(src, inputs, T, B, lengths, src.h0, src.c0);
    const targetPtr = pool.ints("expected", T * B);
    eng.writeInt32(targetPtr, expected);
    const scale = this.batchScale(B);
    const grad = train ? pool.floats("gradLogits", T * B * V) : 0;
    const sum = eng.core.softmaxCrossEntropy(T * B, V, logits, targetPtr, IGNORE, scale, grad, 0);
    if (train) this.backward(src, grad, T, B);
    let count = 0;
    for (const t of targets) count += t.length + 1;
    return { loss: sum * scale, sum, count };
  }

  /**
   * Scheduled sampling: decides, step by step without gradients, which decoder inputs become the
   * model's own greedy predictions. The teacher-forced pass that follows runs on these inputs, which
   * gives exactly the forward pass of feeding predictions back (choosing a token has no gradient).
   */
  private scheduleSampling(src: EncodedSources, inputs: Int32Array, lengths: Int32Array, T: number, B: number, ratio: number, random: Random): void {
    const eng = this.engine, pool = this.pool, V = this.sizes.V;
    const { H, L } = this.sizes;
    const stateH = pool.floats("ssH", L * B * H), stateC = src.c0 ? pool.floats("ssC", L * B * H) : 0;
    eng.copy(stateH, src.h0, L * B * H);
    if (stateC) eng.copy(stateC, src.c0, L * B * H);
    for (let t = 0; t + 1 < T; t++) {
      const { logits, decoder } = this.decodeSteps(src, inputs.subarray(t * B, (t + 1) * B), 1, B, 0, stateH, stateC);
      eng.copy(stateH, decoder.hN, L * B * H);
      if (stateC) eng.copy(stateC, decoder.cN, L * B * H);
      const values = eng.view(logits, B * V);
      for (let b = 0; b < B; b++) {
        if (t + 1 >= lengths[b] || random.uniform() >= ratio) continue;
        let best = 0;
        for (let v = 1; v < V; v++) if (values[b * V + v] > values[b * V + best]) best = v;
        inputs[(t + 1) * B + b] = best;
      }
    }
  }

  /** Backward of the last teacher-forced batch: the forward of encode and decodeSteps, reversed. */
  private backward(src: EncodedSources, gradLogits: number, T: number, B: number): void {
    const everyStep = this.everyStep;
    const dHeadInput = this.head.backwardResident(gradLogits, true);
    const dTop = everyStep ? everyStep.headInputBackward(dHeadInput, T, B) : dHeadInput;
    const { dDec, dEnc } = this.attention ? this.attention.backwardResident(dTop) : { dDec: dTop, dEnc: 0 };
    const back = this.decoder.backwardResident({ gradOutput: dDec, gradHN: 0, gradCN: 0 });
    const dEmb = everyStep ? everyStep.decoderInputBackward(back.gradInput, T, B) : back.gradInput;
    this.targetEmbedding.backwardResident(dEmb);
    const bridged = this.bridge.backward(back.gradH0, back.gradC0, src.h0, B);
    const gradHN = everyStep ? everyStep.contextBackward(bridged.gradHN, B) : bridged.gradHN;
    const encoderBack = this.encoder.backwardResident({ gradOutput: dEnc, gradHN, gradCN: bridged.gradCN });
    this.sourceEmbedding.backwardResident(encoderBack.gradInput);
  }

  override dispose(): void {
    this.pool.dispose();
    super.dispose();
  }
}
