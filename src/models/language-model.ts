// LanguageModel: Embedding → recurrent stack → Dense over the vocabulary, predicting each next token.
// Trains on windows of a token stream with the hidden state carried from window to window (truncated
// BPTT; the carried state is detached, so gradients stop at the window edge); samples text with
// temperature, top-k and top-p, all at once or streamed token by token; scores text (log-probability,
// perplexity).

import { CELLS } from "../engine/cells.js";
import { engine, type Engine } from "../engine/engine.js";
import { CancelledError, ShapeError } from "../errors.js";
import { Dense } from "../layers/dense.js";
import { Embedding } from "../layers/embedding.js";
import { buildLayers } from "../layers/layer.js";
import type { Recurrent } from "../layers/recurrent.js";
import { BufferPool } from "../layers/buffer-pool.js";
import { platform } from "../platform/current.js";
import { Random } from "../random.js";
import { describe, optionsObject, positiveInt } from "../validate.js";
import type { Tokenizer } from "../text/index.js";
import { BOS, EOS, PAD, UNK } from "../text/vocabulary.js";
import type { Reduction } from "../layers/losses.js";
import { Model, type BatchLoss } from "./model.js";
import { quantizedKinds } from "./quantized-kinds.js";
import { buildRecurrent, type RecurrentConfig } from "./recurrent-config.js";
import { checkSampling, drawToken, MAX_GENERATED, type SamplingOptions } from "./sampling.js";

export interface LanguageModelConfig extends Omit<RecurrentConfig, "bidirectional"> {
  /** Embedding size (default 64). */
  embeddingDim?: number;
  /** "mean" (default): loss Σ over steps, mean over the batch; "sum": Σ over everything. */
  reduction?: Reduction;
  seed?: number;
}

export interface SampleOptions extends SamplingOptions {
  /** Tokens to generate (default 200). */
  length?: number;
  /** Text the sample continues (conditioning only; not repeated in the result). */
  prime?: string;
  /** Seed for reproducible samples. */
  seed?: number;
  /** Called with each new piece of text as it is sampled (streaming). */
  onText?: (text: string) => void;
}

/** sample's and generate's options, checked, with their defaults. */
interface SampleSettings extends Required<SamplingOptions> {
  length: number;
  prime: string;
  seed: number | undefined;
}

/** Steps per chunk when scoring long texts (the state is carried, so results do not depend on it). */
const SCORE_CHUNK = 256;
/** Targets that count for nothing. */
const IGNORE = -1;

export type StateSlot = "train" | "eval";

/** @internal Where a scored sequence goes on from: the recurrent state after its last token, and that token. */
export interface ScoreState {
  state: CarriedState;
  last: number;
}

/** @internal A slot's carried state copied out of wasm memory. */
export interface CarriedState {
  batch: number;
  h: Float32Array;
  c: Float32Array | null;
}

export interface GenerateOptions extends Omit<SampleOptions, "onText"> {
  /** Stops the generation: the iterator's next call rejects with a CancelledError. */
  signal?: AbortSignal;
}

export class LanguageModel extends Model {
  readonly modelType = "language-model";
  readonly embedding: Embedding;
  readonly rnn: Recurrent;
  readonly fc: Dense;
  private readonly engine: Engine;
  private readonly pool: BufferPool;
  /** Batch size of the carried state of each slot, or 0 when there is none. Training carries its state
   *  in "train"; scoring and sampling use "eval", so sampling mid-training leaves training undisturbed. */
  private readonly carried: Record<StateSlot, number> = { train: 0, eval: 0 };

  constructor(readonly tokenizer: Tokenizer, private readonly settings: LanguageModelConfig) {
    optionsObject(settings, "LanguageModel: config", false);
    const vocab = tokenizer.size;
    if (vocab < 6) throw new ShapeError(`LanguageModel: the vocabulary has ${vocab - 4} ordinary token(s); a language model needs at least two distinct tokens to predict`);
    const seed = settings.seed;
    const embeddingDim = positiveInt(settings.embeddingDim ?? 64, "LanguageModel: embeddingDim");
    const [embedding, rnn, fc] = buildLayers(
      () => new Embedding({ numEmbeddings: vocab, embeddingDim, paddingIdx: PAD, seed }),
      () => buildRecurrent({ ...settings, bidirectional: false }, embeddingDim, seed === undefined ? undefined : seed + 1),
      ([, r]) => new Dense({ inFeatures: (r as Recurrent).outputSize, outFeatures: vocab, seed: seed === undefined ? undefined : seed + 2, quantized: quantizedKinds(settings.quantized, "quantized").has("dense") }),
    ) as [Embedding, Recurrent, Dense];
    super([["embedding", embedding], ["rnn", rnn], ["fc", fc]], settings.reduction);
    this.embedding = embedding;
    this.rnn = rnn;
    this.fc = fc;
    this.engine = engine();
    this.pool = new BufferPool(this.engine);
  }

  config(): Record<string, unknown> {
    return { ...this.settings, tokenizer: this.tokenizer.toJSON() };
  }

  get vocabSize(): number {
    return this.tokenizer.size;
  }

  /** Forgets a carried hidden state (the next window in that slot starts from zeros). */
  resetState(slot: StateSlot = "train"): void {
    this.carried[slot] = 0;
  }

  /** @internal A slot's carried state [L, B, P] (and [L, B, H] for LSTM) as JavaScript copies: the
   *  training state for checkpoints, a generation's state between its tokens. */
  carriedState(slot: StateSlot = "train"): CarriedState {
    const batch = this.carried[slot];
    const { h, c, LP, LH } = this.stateBuffers(slot, batch);
    return { batch, h: this.engine.read(h, LP), c: c ? this.engine.read(c, LH) : null };
  }

  /** @internal Restores a state saved by carriedState(). */
  restoreState(state: CarriedState, slot: StateSlot = "train"): void {
    this.carried[slot] = state.batch;
    if (!state.batch) return;
    const { h, c } = this.stateBuffers(slot, state.batch);
    this.engine.write(h, state.h);
    if (c && state.c) this.engine.write(c, state.c);
  }

  private stateBuffers(slot: StateSlot, batch: number) {
    const L = this.rnn.numLayers, P = this.rnn.outputSize, H = this.rnn.hiddenSize;
    const LP = L * Math.max(1, batch) * P, LH = L * Math.max(1, batch) * H;
    const hasC = CELLS[this.rnn.cell].cellState;
    return { h: this.pool.floats(`${slot}H`, LP), c: hasC ? this.pool.floats(`${slot}C`, LH) : 0, LP, LH };
  }

  /** Runs the recurrent stack from the slot's carried state (zeros when `carry` is false or the batch
   *  size changed) and keeps its final state there for the next call. */
  private runCarried(ids: number, T: number, B: number, slot: StateSlot, carry: boolean) {
    const state = this.stateBuffers(slot, B);
    const useCarry = carry && this.carried[slot] === B;
    const input = this.embedding.recurrentInput(ids, T, B);
    const out = this.rnn.forwardResident({ steps: T, batch: B, ...input, lengths: 0, h0: useCarry ? state.h : 0, c0: useCarry ? state.c : 0 });
    const f32 = this.engine.f32;
    f32.copyWithin(state.h >> 2, out.hN >> 2, (out.hN >> 2) + state.LP);
    if (state.c) f32.copyWithin(state.c >> 2, out.cN >> 2, (out.cN >> 2) + state.LH);
    this.carried[slot] = B;
    return out;
  }

  /**
   * @internal Loss of one window: inputs and targets are time-major [T·B] token ids (targets may be
   * −1 to skip a position). With `carry`, the window starts from the state the previous window
   * ended in (detached); either way its final state is kept for the next window. With `train`,
   * gradients are accumulated.
   */
  windowLoss(inputs: Int32Array, targets: Int32Array, T: number, B: number, train: boolean, carry: boolean, slot: StateSlot = "train"): BatchLoss {
    this.checkAlive("windowLoss");
    const eng = this.engine, core = eng.core, V = this.vocabSize;
    const ids = this.pool.ints("inputs", T * B);
    eng.writeInt32(ids, inputs);
    const target = this.pool.ints("targets", T * B);
    eng.writeInt32(target, targets);
    const out = this.runCarried(ids, T, B, slot, carry);
    const logits = this.fc.forwardResident(out.output, T * B);
    let count = 0;
    for (let i = 0; i < targets.length; i++) if (targets[i] !== IGNORE) count++;
    const scale = this.batchScale(B);
    const grad = train ? this.pool.floats("gradLogits", T * B * V) : 0;
    const sum = core.softmaxCrossEntropy(T * B, V, logits, target, IGNORE, scale, grad, 0);
    if (train) {
      const gradOutput = this.fc.backwardResident(grad, true);
      const back = this.rnn.backwardResident({ gradOutput, gradHN: 0, gradCN: 0 });
      if (back.gradInput) this.embedding.backwardResident(back.gradInput);
    }
    return { loss: sum * scale, sum, count };
  }

  /** Natural-log probability of `text` given the start token (Σ over its tokens of log p(token | before)). */
  logProb(text: string): number {
    const { sum } = this.score(text, "LanguageModel.logProb");
    return -sum;
  }

  /** exp(mean negative log-likelihood per token) of `text`. */
  perplexity(text: string): number {
    const { sum, count } = this.score(text, "LanguageModel.perplexity");
    return Math.exp(sum / count);
  }

  /**
   * @internal Σ −log p and the number of predicted tokens of each text, scored together: one padded
   * batch (padding after a text's end changes nothing before it: the model is causal), in chunks of
   * SCORE_CHUNK steps with the state carried, as score() does one text. Per-text sums are taken from
   * the logits in float64.
   */
  scoreMany(texts: readonly string[], where: string): { sum: number; count: number }[] {
    this.checkAlive("score");
    const tokens = texts.map((text, b) => {
      if (typeof text !== "string" || text.length === 0) throw new ShapeError(`${where}: text ${b} must be a non-empty string; got ${describe(text)}`);
      return this.tokenizer.encode(text, { bos: true });
    });
    const B = tokens.length, V = this.vocabSize, eng = this.engine;
    const counts = tokens.map((t) => t.length - 1), steps = Math.max(...counts);
    const sums = new Float64Array(B);
    for (let start = 0; start < steps; start += SCORE_CHUNK) {
      const T = Math.min(steps, start + SCORE_CHUNK) - start;
      const inputs = new Int32Array(T * B).fill(PAD), targets = new Int32Array(T * B).fill(IGNORE);
      tokens.forEach((seq, b) => {
        for (let t = 0; t < T && start + t < counts[b]; t++) {
          inputs[t * B + b] = seq[start + t];
          targets[t * B + b] = seq[start + t + 1];
        }
      });
      const ids = this.pool.ints("scoreIds", T * B);
      eng.writeInt32(ids, inputs);
      const out = this.runCarried(ids, T, B, "eval", start > 0);
      const logits = eng.view(this.fc.forwardResident(out.output, T * B), T * B * V);
      for (let r = 0; r < T * B; r++) {
        const y = targets[r];
        if (y === IGNORE) continue;
        let max = -Infinity, total = 0;
        for (let v = 0; v < V; v++) max = Math.max(max, logits[r * V + v]);
        for (let v = 0; v < V; v++) total += Math.exp(logits[r * V + v] - max);
        sums[r % B] += Math.log(total) + max - logits[r * V + y];
      }
    }
    return counts.map((count, b) => ({ sum: sums[b], count }));
  }

  /**
   * @internal Σ −log p and the number of `text`'s tokens given what came before (`from`, or the start
   * token for a new sequence), and where the sequence goes on from after them: scoring a text chunk
   * by chunk gives the sums of scoring it whole (when the chunks' tokens are the whole's).
   */
  scoreFrom(text: string, from: ScoreState | null, where: string): { sum: number; count: number; next: ScoreState } {
    this.checkAlive("score");
    if (typeof text !== "string" || text.length === 0) throw new ShapeError(`${where}: text must be a non-empty string; got ${describe(text)}`);
    const encoded = this.tokenizer.encode(text, { bos: from === null });
    const tokens = from ? Int32Array.from([from.last, ...encoded]) : encoded;
    if (from) this.restoreState(from.state, "eval");
    let sum = 0;
    for (let start = 0; start + 1 < tokens.length; start += SCORE_CHUNK) {
      const end = Math.min(tokens.length - 1, start + SCORE_CHUNK);
      sum += this.windowLoss(tokens.subarray(start, end), tokens.subarray(start + 1, end + 1), end - start, 1, false, start > 0 || from !== null, "eval").sum;
    }
    return { sum, count: tokens.length - 1, next: { state: this.carriedState("eval"), last: tokens[tokens.length - 1] } };
  }

  private score(text: string, where: string): { sum: number; count: number } {
    this.checkAlive("score");
    if (typeof text !== "string" || text.length === 0) throw new ShapeError(`${where}: text must be a non-empty string; got ${describe(text)}`);
    const tokens = this.tokenizer.encode(text, { bos: true });
    let sum = 0;
    for (let start = 0; start + 1 < tokens.length; start += SCORE_CHUNK) {
      const end = Math.min(tokens.length - 1, start + SCORE_CHUNK);
      sum += this.windowLoss(tokens.subarray(start, end), tokens.subarray(start + 1, end + 1), end - start, 1, false, start > 0, "eval").sum;
    }
    return { sum, count: tokens.length - 1 };
  }

  /** Generates text (continuing `prime` when given), stopping early at the end-of-sequence token. */
  sample(options: SampleOptions = {}): string {
    this.checkAlive("sample");
    const where = "LanguageModel.sample";
    const settings = this.sampleSettings(options, where);
    if (options.onText !== undefined && typeof options.onText !== "function") throw new ShapeError(`${where}: onText must be a function`);
    const produced: number[] = [];
    let emitted = "";
    for (const token of this.tokens(settings, where)) {
      produced.push(token);
      if (options.onText) {
        const text = this.tokenizer.decode(produced);
        options.onText(text.slice(emitted.length));
        emitted = text;
      }
    }
    return this.tokenizer.decode(produced);
  }

  /**
   * The text sample() would generate with the same options, as an async iterator of the pieces each
   * new token adds. It lets the event loop run between tokens (a server keeps answering, a page
   * keeps drawing), keeps its own recurrent state, so generations, scoring and sampling may
   * interleave on one model, and stops when the consumer breaks off or `signal` aborts (the next
   * call then rejects with a CancelledError). Bad options throw here, before any token.
   */
  generate(options: GenerateOptions = {}): AsyncGenerator<string, void, undefined> {
    this.checkAlive("generate");
    const where = "LanguageModel.generate";
    const settings = this.sampleSettings(options, where);
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ShapeError(`${where}: signal must be an AbortSignal`);
    return this.stream(this.tokens(settings, where), signal, where);
  }

  private async *stream(tokens: Generator<number, void, void>, signal: AbortSignal | undefined, where: string): AsyncGenerator<string, void, undefined> {
    const produced: number[] = [];
    let emitted = "", state: CarriedState | null = null;
    try {
      for (;;) {
        if (signal?.aborted) throw new CancelledError(`${where}: cancelled after ${produced.length} token(s)`);
        if (state) this.restoreState(state, "eval"); // whatever ran in between used the slot too
        const next = tokens.next();
        if (next.done) return;
        state = this.carriedState("eval");
        produced.push(next.value);
        const text = this.tokenizer.decode(produced);
        yield text.slice(emitted.length);
        emitted = text;
        await platform.yieldToEventLoop();
      }
    } finally {
      tokens.return();
    }
  }

  /** sample's and generate's options, checked, with their defaults. */
  private sampleSettings(options: SampleOptions, where: string): SampleSettings {
    optionsObject(options, `${where}: options`);
    const sampling = checkSampling(options, where);
    const length = options.length ?? 200;
    if (!Number.isInteger(length) || length < 0 || length > MAX_GENERATED) throw new ShapeError(`${where}: length must be an integer from 0 to ${MAX_GENERATED}; got ${describe(length)}`);
    if (options.prime !== undefined && typeof options.prime !== "string") throw new ShapeError(`${where}: prime must be a string`);
    return { ...sampling, length, prime: options.prime ?? "", seed: options.seed };
  }

  /** The sampled tokens, one per step, from the "eval" slot's state (a fresh one at the first step). */
  private *tokens(settings: SampleSettings, where: string): Generator<number, void, void> {
    const { temperature, topK, topP, length } = settings;
    const random = new Random(settings.seed);
    const eng = this.engine, core = eng.core, V = this.vocabSize;
    const excluded = new Set([PAD, BOS, UNK]);
    let context = this.tokenizer.encode(settings.prime, { bos: true });
    const probs = this.pool.floats("probs", V);
    for (let i = 0; i < length; i++) {
      this.checkAlive(where);
      const T = context.length;
      const ids = this.pool.ints("sampleIds", T);
      eng.writeInt32(ids, context);
      const out = this.runCarried(ids, T, 1, "eval", i > 0);
      const logits = this.fc.forwardResident(out.output, T);
      core.softmax(1, V, logits + (T - 1) * V * 4, temperature, probs);
      const next = drawToken(eng.read(probs, V), topK, topP, random, excluded);
      if (next === EOS) return;
      yield next;
      context = Int32Array.of(next);
    }
  }

  override dispose(): void {
    this.pool.dispose();
    super.dispose();
  }
}
