// Stateful sessions for inputs that arrive in pieces (audio frames, keystrokes): each session id
// keeps, between calls, the state its sequence reached — a recurrent layer's final h (and c), or a
// classifier's or tagger's encoder state — so feeding a sequence chunk by chunk gives the outputs of
// feeding it whole: a layer's outputs for each chunk, a tagger's tags for each chunk's steps, a
// classifier's classification of the sequence so far. Idle sessions expire and at most maxSessions
// live at once (session-store.ts). A chunk that is refused leaves its session as it was.

import { ResourceError, ShapeError, UnsupportedError } from "../errors.js";
import { Recurrent } from "../layers/recurrent.js";
import type { Classified, SequenceClassifier } from "../models/classifier.js";
import type { SequenceInput } from "../models/encoder.js";
import { Model } from "../models/model.js";
import { isModelType, modelClassName, type ModelOf, type ModelType } from "../models/registry.js";
import type { SequenceTagger } from "../models/tagger.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, describe, optionsObject, type TensorLike } from "../validate.js";
import { SessionStore, type StatefulSessionsOptions } from "./session-store.js";

export type { StatefulSessionsOptions } from "./session-store.js";

/** What StatefulSessions keeps sessions over. */
export type SessionTarget = Recurrent | SequenceClassifier | SequenceTagger;

/** A chunk for `T`: [steps, inputSize] for a layer; token ids or feature vectors for a model. */
export type SessionChunk<T extends SessionTarget> = T extends Recurrent ? TensorLike : SequenceInput;

/** What feed gives for `T`: a layer's outputs [steps, outputSize]; a tagger's tag at each of the
 *  chunk's steps; a classifier's classification of the sequence so far. */
export type SessionOutput<T extends SessionTarget> = T extends SequenceClassifier ? Classified : T extends SequenceTagger ? number[] : Tensor;

/** One chunk from a session's state (undefined: a new session) to its output and next state. */
type Step = (chunk: unknown, from: unknown, where: string) => { output: unknown; next: unknown };

export class StatefulSessions<T extends SessionTarget = Recurrent> {
  private readonly store: SessionStore<unknown>;
  private readonly step: Step;
  private closed = false;

  /** Sessions over `target`: a one-directional LSTM, GRU or RNN (one layer or a stack), or a
   *  SequenceClassifier or SequenceTagger whose encoder is one-directional. */
  constructor(target: T, options: StatefulSessionsOptions = {}) {
    optionsObject(options, "StatefulSessions: options", false);
    this.step = stepOf(target);
    this.store = new SessionStore(options, "StatefulSessions");
  }

  get ttlMs(): number {
    return this.store.ttlMs;
  }

  get maxSessions(): number {
    return this.store.maxSessions;
  }

  /** Live sessions (expired ones are gone). */
  get size(): number {
    return this.store.size;
  }

  /** Whether session `id` is live. */
  has(id: string): boolean {
    return this.store.has(id);
  }

  /**
   * Runs `chunk` from session `id`'s state (the start, for a new id) and keeps the state it reaches
   * for the next chunk. Returns the chunk's outputs (see SessionOutput).
   */
  feed(id: string, chunk: SessionChunk<T>): SessionOutput<T> {
    const where = "StatefulSessions.feed";
    if (this.closed) throw new ResourceError(`${where}: the sessions were closed`);
    if (typeof id !== "string" || id.length === 0) throw new ShapeError(`${where}: id must be a non-empty string; got ${describe(id)}`);
    this.store.checkRoom(id, where);
    const { output, next } = this.step(chunk, this.store.get(id), where);
    this.store.set(id, next);
    return output as SessionOutput<T>;
  }

  /** Ends session `id` (its state is dropped); false when there was none. */
  end(id: string): boolean {
    return this.store.end(id);
  }

  /** Ends every session and stops the expiry timer; feed refuses afterwards. */
  close(): void {
    this.closed = true;
    this.store.clear();
  }
}

/** The same `target`, once checked to run one-directional: a bidirectional recurrent layer needs
 *  each sequence whole (its backward direction starts at the end). */
function oneDirectional<T>(target: T, rnn: Recurrent, what: string): T {
  if (rnn.bidirectional) throw new UnsupportedError(`StatefulSessions: a bidirectional ${what} needs each sequence whole (its backward direction starts at the end)`);
  return target;
}

/** How a chunk runs on a model of each type that takes sequences in pieces (models/registry.ts). */
const MODEL_STEPS: { [T in ModelType]?: (target: ModelOf<T>) => Step } = {
  "sequence-classifier": (target) => (oneDirectional(target, target.encoder.rnn, "encoder"), (chunk, from, where) => {
    const { classified, next } = target.classifyFrom(chunk as SequenceInput, (from ?? null) as Parameters<SequenceClassifier["classifyFrom"]>[1], where);
    return { output: classified, next };
  }),
  "sequence-tagger": (target) => (oneDirectional(target, target.encoder.rnn, "encoder"), (chunk, from, where) => {
    const { tags, next } = target.tagFrom(chunk as SequenceInput, (from ?? null) as Parameters<SequenceTagger["tagFrom"]>[1], where);
    return { output: tags, next };
  }),
};

/** How a chunk runs on `target`; an error for a target that cannot take sequences in pieces. */
function stepOf(target: SessionTarget): Step {
  const owner = "StatefulSessions";
  const modelStep = target instanceof Model && isModelType(target.modelType) ? (MODEL_STEPS[target.modelType] as ((target: Model) => Step) | undefined) : undefined;
  if (modelStep) return modelStep(target as Model);
  if (!(target instanceof Recurrent)) {
    const models = (Object.keys(MODEL_STEPS) as ModelType[]).map((type) => `a ${modelClassName(type)}`);
    throw new ShapeError(`${owner}: the target must be a recurrent layer, ${models.slice(0, -1).join(", ")} or ${models.at(-1)}; got ${describe(target)}`);
  }
  oneDirectional(target, target, "layer");
  return (chunk, from, where) => {
    const x = checkTensor(chunk as TensorLike, `${where}: chunk`);
    if (x.shape.length !== 2) throw new ShapeError(`${where}: chunk must be [steps, ${target.inputSize}] (one sequence); got shape [${x.shape.join(", ")}]`);
    const state = from as { h: Tensor; c: Tensor | undefined } | undefined;
    const result = target.forward(x, { h0: state?.h, c0: state?.c });
    return { output: result.output, next: { h: result.hN, c: result.cN } };
  };
}
