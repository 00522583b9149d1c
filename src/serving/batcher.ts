// Dynamic batching: concurrent single-sequence calls on one model or layer are merged into one
// padded batch of up to maxBatchSize calls, run once, and split back. A free runner takes the
// oldest waiting calls at the end of the event loop's turn, with whatever else was read in it: a
// lone caller does not wait for company, and when a batch ends its answers go out and the requests
// read meanwhile join the next batch (not only the few already queued). Under load (the last batch
// held several calls) a batch short of maxBatchSize gathers while calls keep coming: it goes once
// none has joined for QUIET_MS, or when its first call has waited maxDelayMs. Each caller gets its
// own result (the unbatched call's, up to the rounding of a larger product). A malformed call is
// refused alone, before it joins a batch; a batch that fails fails only its members, with a
// WorkerError; an AbortSignal takes a waiting call out; at most maxQueue calls wait. Batching must
// pay: per kind of call, BatchPayoff measures lone calls and batches as they run, and while batches
// of a size take more than 0.9 of a lone call's time per call, calls go alone. Batches run in
// this thread (on the thread team when there is one), or on a WorkerPool's workers, which leaves
// this thread free to answer others while they compute.

import { CancelledError, ResourceError, ShapeError, UnsupportedError, WorkerError } from "../errors.js";
import { Recurrent } from "../layers/recurrent.js";
import type { ForwardResult } from "../layers/recurrent-options.js";
import { classification, SequenceClassifier, type Classified } from "../models/classifier.js";
import { LanguageModel } from "../models/language-model.js";
import { Model } from "../models/model.js";
import type { ModelOf, ModelType } from "../models/registry.js";
import type { SequenceInput } from "../models/encoder.js";
import { checkDecodeOptions, type Decoded, type DecodeOptions } from "../models/seq2seq/decoding.js";
import { Seq2Seq } from "../models/seq2seq/seq2seq.js";
import { SequenceTagger } from "../models/tagger.js";
import { Tensor } from "../tensor.js";
import { platform } from "../platform/current.js";
import { describe, optionsObject, type TensorLike } from "../validate.js";
import { BatchPayoff, type BucketTiming } from "./batch-payoff.js";
import type { WorkerPool } from "./pool.js";

export interface BatcherOptions {
  /** Most calls in one batch (default 32). */
  maxBatchSize?: number;
  /** Under load, the longest a batch short of maxBatchSize waits, from its first call, for more calls
   *  to join it (default 2 ms; it goes sooner once 1 ms passes without a new call); a lone caller
   *  never waits. */
  maxDelayMs?: number;
  /** Most calls waiting (default 1024); more are refused with a ResourceError. */
  maxQueue?: number;
  /** Runs the batches on this pool's workers (several at once), not in this thread. */
  pool?: WorkerPool;
  /** Called with the number of calls of each batch as it starts (metrics). */
  onBatch?: (size: number) => void;
  /** Called as each batch ends (its calls resolved or failed) with its number of calls and the
   *  seconds it ran (metrics: a batch's compute time, waiting excluded). */
  onBatchEnd?: (size: number, seconds: number) => void;
}

export interface BatchCallOptions {
  /** Takes the call out while it waits (it then rejects with a CancelledError). */
  signal?: AbortSignal;
}

/** What Batcher takes: a recurrent layer, or a model of any type (models/registry.ts); each of its
 *  calls names the kind it needs (classify: a SequenceClassifier, …). */
export type BatchTarget = Recurrent | ModelOf<ModelType>;

/** A text's score under a language model. */
export interface Scored {
  /** Natural-log probability of the text (as LanguageModel.logProb). */
  logProb: number;
  /** exp(mean negative log-likelihood per token) (as LanguageModel.perplexity). */
  perplexity: number;
}

interface Call {
  /** Arrival order (the oldest waiting call's group goes first). */
  order: number;
  /** When it arrived (performance.now()). */
  arrived: number;
  input: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Under load, how long a gathering batch waits for one more call: when none joins it in this time,
 *  the burst of requests that came back after the last batch is over, and it goes. */
const QUIET_MS = 1;

/** The calls waiting to run together, and how their batch runs. */
interface Group {
  calls: Call[];
  run(inputs: unknown[]): Promise<unknown[]>;
  /** Whether batches pay for this kind of call (shared by its groups). */
  payoff: BatchPayoff;
}

export class Batcher {
  readonly maxBatchSize: number;
  readonly maxDelayMs: number;
  readonly maxQueue: number;
  private readonly pool: WorkerPool | null;
  private readonly onBatch: ((size: number) => void) | undefined;
  private readonly onBatchEnd: ((size: number, seconds: number) => void) | undefined;
  /** The waiting calls, one group per kind of call. */
  private readonly groups = new Map<string, Group>();
  private waiting = 0;
  private arrivals = 0;
  /** Batches running (at most one in this thread; as many as the pool has workers). */
  private running = 0;
  /** Whether a drain is due at the end of this event-loop turn. */
  private drainDue = false;
  /** A drain when the oldest call will have waited maxDelayMs (under load, a batch gathering). */
  private wake: ReturnType<typeof setTimeout> | null = null;
  /** Calls in the batch started last: more than one means calls come concurrently. */
  private lastBatch = 0;
  private closed = false;
  /** Distinct keys for calls that must run alone. */
  private alone = 0;
  /** Per kind of call, whether batches pay. */
  private readonly payoffs = new Map<string, BatchPayoff>();

  constructor(private readonly target: BatchTarget, options: BatcherOptions = {}) {
    optionsObject(options, "Batcher: options", false);
    if (!(target instanceof Recurrent || target instanceof Model)) throw new ShapeError(`Batcher: the target must be a recurrent layer or one of the library's models; got ${describe(target)}`);
    this.maxBatchSize = options.maxBatchSize ?? 32;
    this.maxDelayMs = options.maxDelayMs ?? 2;
    this.maxQueue = options.maxQueue ?? 1024;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) throw new ShapeError(`Batcher: maxBatchSize must be a positive integer; got ${describe(options.maxBatchSize)}`);
    if (typeof this.maxDelayMs !== "number" || !(this.maxDelayMs >= 0) || !Number.isFinite(this.maxDelayMs)) throw new ShapeError(`Batcher: maxDelayMs must be a finite number ≥ 0; got ${describe(options.maxDelayMs)}`);
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 1) throw new ShapeError(`Batcher: maxQueue must be a positive integer; got ${describe(options.maxQueue)}`);
    this.pool = options.pool ?? null;
    for (const name of ["onBatch", "onBatchEnd"] as const) {
      if (options[name] !== undefined && typeof options[name] !== "function") throw new ShapeError(`Batcher: ${name} must be a function`);
    }
    this.onBatch = options.onBatch;
    this.onBatchEnd = options.onBatchEnd;
  }

  /** Calls waiting to run. */
  get pending(): number {
    return this.waiting;
  }

  /** @internal Per kind of call ("score", "classify", …), the milliseconds per call measured alone and by batch size. */
  measured(): Record<string, BucketTiming[]> {
    return Object.fromEntries([...this.payoffs].map(([key, payoff]) => [key, payoff.measured()]));
  }

  /** A classifier's label and class probabilities for one sequence (token ids or feature vectors). */
  classify(input: SequenceInput, call: BatchCallOptions = {}): Promise<Classified> {
    return this.submit("classify", input, call, () => {
      const model = this.expect(SequenceClassifier, "classify");
      model.encoder.checkSequence(input, "Batcher.classify: input");
      return async (inputs) => {
        const logits = (this.pool ? await this.pool.run<Tensor>(model, "forward", [inputs]) : model.forward(inputs as SequenceInput[])) as Tensor;
        const C = logits.shape[1];
        return inputs.map((_, b) => classification(logits.data.subarray(b * C, (b + 1) * C)));
      };
    });
  }

  /** A tagger's most likely tag at every step of one sequence. */
  tag(input: SequenceInput, call: BatchCallOptions = {}): Promise<number[]> {
    return this.submit("tag", input, call, () => {
      const model = this.expect(SequenceTagger, "tag");
      model.encoder.checkSequence(input, "Batcher.tag: input");
      return async (inputs) => (this.pool ? this.pool.run<number[][]>(model, "predict", [inputs]) : model.predict(inputs as SequenceInput[]));
    });
  }

  /** A Seq2Seq's output for one source, as decode gives it. Calls with the same options share a
   *  batch; "sample" calls run alone (a shared batch would draw their tokens in another order). */
  decode(source: string | readonly number[], options: DecodeOptions & BatchCallOptions = {}): Promise<Decoded> {
    const { signal, ...decoding } = options ?? {};
    return this.submit(`decode ${JSON.stringify(decoding)}`, source, { signal }, (key) => {
      const model = this.expect(Seq2Seq, "decode");
      const where = "Batcher.decode";
      const ids = model.tokens(source, model.sourceTokenizer, `${where}: source`);
      const checked = checkDecodeOptions(model, optionsObject(decoding, `${where}: options`), ids.length, where);
      if (checked.strategy === "sample") key.alone = true;
      return async (sources) => (this.pool ? this.pool.run<Decoded[]>(model, "decode", [sources, decoding]) : model.decode(sources as string[], decoding));
    });
  }

  /** A language model's log-probability and perplexity of one text, scored in a batch with others
   *  (in this thread; with a pool, each text on a worker). */
  score(text: string, call: BatchCallOptions = {}): Promise<Scored> {
    return this.submit("score", text, call, () => {
      const lm = this.expect(LanguageModel, "score");
      if (typeof text !== "string" || text.length === 0) throw new ShapeError(`Batcher.score: text must be a non-empty string; got ${describe(text)}`);
      lm.tokenizer.encode(text); // refuses what the tokenizer cannot take, alone
      return async (texts) => {
        const scored = this.pool
          ? await Promise.all((texts as string[]).map(async (t) => ({ sum: -(await this.pool!.run<number>(lm, "logProb", [t])), count: lm.tokenizer.encode(t, { bos: true }).length - 1 })))
          : lm.scoreMany(texts as string[], "Batcher.score");
        return scored.map(({ sum, count }) => ({ logProb: -sum, perplexity: Math.exp(sum / count) }));
      };
    });
  }

  /** A recurrent layer's forward of one sequence [steps, inputSize] from zero states: its outputs
   *  [steps, D·P] and final states [L·D, P]. */
  forward(x: TensorLike, call: BatchCallOptions = {}): Promise<ForwardResult> {
    return this.submit("forward", x, call, () => {
      const layer = this.expect(Recurrent, "forward");
      const where = "Batcher.forward";
      if (x?.shape?.length !== 2) throw new ShapeError(`${where}: x must be one sequence [steps, ${layer.inputSize}]; got ${x?.shape ? `shape [${x.shape.join(", ")}]` : describe(x)}`);
      layer.checkForwardInputs(x, {});
      return async (inputs) => {
        const { batch, lengths } = padded(inputs as TensorLike[], layer.inputSize, layer.batchFirst);
        const out = this.pool ? await this.pool.forward(layer, batch, { lengths }) : layer.forward(batch, { lengths });
        return (inputs as TensorLike[]).map((seq, b) => unbatched(out, b, seq.shape[0], inputs.length, layer.batchFirst));
      };
    });
  }

  /** Refuses every waiting call (ResourceError) and any new one; running batches finish. */
  close(): void {
    this.closed = true;
    if (this.wake !== null) clearTimeout(this.wake);
    for (const group of this.groups.values()) {
      for (const call of group.calls.splice(0)) this.settle(call).reject(new ResourceError("Batcher: closed before the call ran"));
    }
    this.groups.clear();
  }

  /** The target, when it is a `kind` (`name` in the message); an UnsupportedError otherwise. */
  private expect<T extends BatchTarget>(kind: { prototype: T; name: string }, method: string): T {
    if (!Object.prototype.isPrototypeOf.call(kind.prototype, this.target)) throw new UnsupportedError(`Batcher.${method}: the target is a ${this.target.constructor.name}; ${method} needs a ${kind.name}`);
    return this.target as T;
  }

  /** Checks a call (`prepare` throws for a bad one and returns how its group's batch runs), then
   *  queues it in the group of `key`. */
  private submit<T>(key: string, input: unknown, call: BatchCallOptions, prepare: (key: { alone: boolean }) => (inputs: unknown[]) => Promise<unknown[]>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal } = optionsObject(call ?? {}, "Batcher: call options");
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ShapeError("Batcher: signal must be an AbortSignal");
      if (this.closed) throw new ResourceError("Batcher: closed");
      if (signal?.aborted) throw new CancelledError("Batcher: the call was cancelled before it was queued");
      if (this.waiting >= this.maxQueue) throw new ResourceError(`Batcher: the queue is full (${this.maxQueue} calls waiting); retry later or raise maxQueue`);
      const how = { alone: false };
      const run = prepare(how);
      const groupKey = how.alone ? `${key} #${this.alone++}` : key;
      let group = this.groups.get(groupKey);
      if (!group) {
        let payoff = this.payoffs.get(key);
        if (!payoff) this.payoffs.set(key, (payoff = new BatchPayoff()));
        group = { calls: [], run, payoff };
        this.groups.set(groupKey, group);
      }
      const entry: Call = { order: this.arrivals++, arrived: performance.now(), input, resolve: resolve as (value: unknown) => void, reject, signal };
      if (signal) {
        entry.onAbort = () => {
          const at = group!.calls.indexOf(entry);
          if (at < 0) return;
          group!.calls.splice(at, 1);
          if (group!.calls.length === 0 && this.groups.get(groupKey) === group) this.groups.delete(groupKey);
          this.settle(entry).reject(new CancelledError("Batcher: the call was cancelled while waiting"));
        };
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      group.calls.push(entry);
      this.waiting++;
      this.scheduleDrain();
    });
  }

  /** A call leaves the queue: its abort listener goes, and it can be resolved or rejected. */
  private settle(call: Call): Call {
    this.waiting--;
    if (call.onAbort) call.signal!.removeEventListener("abort", call.onAbort);
    return call;
  }

  /** Batches that may run at once: one in this thread, one per worker of a pool. */
  private get capacity(): number {
    return this.pool ? this.pool.size : 1;
  }

  /** Drains at the end of this event-loop turn (once, however often asked): the calls read in the
   *  turn join the waiting ones, and a batch that just ended has its answers sent first. */
  private scheduleDrain(): void {
    if (this.drainDue || this.closed) return;
    this.drainDue = true;
    void platform.yieldToEventLoop().then(() => {
      this.drainDue = false;
      this.drain();
    });
  }

  /** Starts batches while a runner is free: the group of the oldest waiting call first, up to
   *  maxBatchSize of its calls in their order, shared evenly by the free runners (a pool's idle
   *  workers each take a part: 8 calls on 2 workers run as two batches of 4, at once). Under load
   *  (the last batch held several calls) a group short of maxBatchSize gathers while calls keep joining it — until QUIET_MS pass without one, or
   *  its first call has waited maxDelayMs; a lone caller goes at once. */
  private drain(): void {
    let released: Group | null = null; // a group that goes in this pass goes whole, shared by the free runners
    while (this.running < this.capacity && this.groups.size > 0) {
      let key = "", oldest: Group | null = null;
      for (const [k, group] of this.groups) if (!oldest || group.calls[0].order < oldest.calls[0].order) [key, oldest] = [k, group];
      const group = oldest!;
      const now = performance.now();
      const untilDelay = group.calls[0].arrived + this.maxDelayMs - now;
      const untilQuiet = group.calls[group.calls.length - 1].arrived + QUIET_MS - now;
      const gather = group.calls.length < this.maxBatchSize && group.payoff.measuredPays(group.calls.length + 1);
      if (group !== released && this.lastBatch > 1 && gather && untilDelay > 0 && untilQuiet > 0) {
        if (this.wake === null) {
          this.wake = setTimeout(() => {
            this.wake = null;
            this.scheduleDrain();
          }, Math.min(untilDelay, untilQuiet));
        }
        return;
      }
      const free = this.capacity - this.running;
      const share = Math.min(this.maxBatchSize, Math.ceil(group.calls.length / free));
      const calls = group.calls.splice(0, share > 1 && !group.payoff.pays(share) ? 1 : share);
      released = group;
      if (group.calls.length === 0) this.groups.delete(key);
      this.lastBatch = calls.length;
      this.running++;
      void this.execute(group, calls.map((c) => this.settle(c))).finally(() => {
        this.running--;
        this.scheduleDrain();
      });
    }
  }

  private async execute(group: Group, calls: Call[]): Promise<void> {
    this.onBatch?.(calls.length);
    const started = performance.now();
    try {
      const results = await group.run(calls.map((c) => c.input));
      group.payoff.note(calls.length, (performance.now() - started) / calls.length);
      calls.forEach((c, i) => c.resolve(results[i]));
    } catch (e) {
      const error = new WorkerError(`Batcher: the batch of ${calls.length} call(s) failed: ${(e as Error)?.message ?? String(e)}`);
      for (const c of calls) c.reject(error);
    }
    this.onBatchEnd?.(calls.length, (performance.now() - started) / 1000);
  }
}

/** Sequences [T_b, I] padded with zeros into one batch (time-major, or batch-first for such a layer), with their lengths. */
function padded(inputs: readonly TensorLike[], I: number, batchFirst: boolean): { batch: Tensor; lengths: number[] } {
  const B = inputs.length, lengths = inputs.map((x) => x.shape[0]), T = Math.max(...lengths);
  const data = new Float32Array(T * B * I);
  inputs.forEach((x, b) => {
    for (let t = 0; t < lengths[b]; t++) data.set(x.data.subarray(t * I, (t + 1) * I), (batchFirst ? b * T + t : t * B + b) * I);
  });
  return { batch: new Tensor(data, batchFirst ? [B, T, I] : [T, B, I]), lengths };
}

/** Sequence b's part of a batched forward: its first `steps` outputs and its final states. */
function unbatched(out: ForwardResult, b: number, steps: number, B: number, batchFirst: boolean): ForwardResult {
  const [d0, d1, F] = out.output.shape, T = batchFirst ? d1 : d0;
  const output = new Float32Array(steps * F);
  for (let t = 0; t < steps; t++) output.set(out.output.data.subarray((batchFirst ? b * T + t : t * B + b) * F, (batchFirst ? b * T + t : t * B + b) * F + F), t * F);
  const state = (s: Tensor) => {
    const [LD, , P] = s.shape, rows = new Float32Array(LD * P);
    for (let l = 0; l < LD; l++) rows.set(s.data.subarray((l * B + b) * P, (l * B + b + 1) * P), l * P);
    return new Tensor(rows, [LD, P]);
  };
  return { output: new Tensor(output, [steps, F]), hN: state(out.hN), ...(out.cN ? { cN: state(out.cN) } : {}) };
}
