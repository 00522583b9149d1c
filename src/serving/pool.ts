// A pool of workers (Node worker_threads or Web Workers, driven through Comlink) that run models and
// layers: single requests for serving, batches split by rows, recurrent forwards split over the
// workers' threads, and data-parallel training shards, behind a bounded queue with backpressure,
// cancellation and recovery from dead or failing workers. With a shared wasm memory the workers
// compute on the main thread's one copy of the weights; otherwise each keeps a copy. This file is the
// public face; the jobs live beside it: pool-workers.ts (the workers' lifecycle and the queue),
// pool-hosting.ts (what they host, and weight sync), pool-split-forward.ts (the split forward) and
// pool-training.ts (data-parallel training).

import { engine, type Engine } from "../engine/engine.js";
import type { SplitDecision } from "../engine/threads/split-choice.js";
import { CancelledError, ResourceError, ShapeError } from "../errors.js";
import { Recurrent, type ForwardOptions, type ForwardResult } from "../layers/recurrent.js";
import { Model, type BatchLoss } from "../models/model.js";
import { platform } from "../platform/current.js";
import { splitRows } from "../train/data.js";
import { trainShards, type Shard, type ShardRunner } from "../train/data-parallel.js";
import { describe, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import { invoke, layersOf } from "./host.js";
import { checkUsable, importedResult, isImported } from "./imported.js";
import { PoolHosting } from "./pool-hosting.js";
import { SplitForward } from "./pool-split-forward.js";
import { trainOnWorkers } from "./pool-training.js";
import { PoolWorkers } from "./pool-workers.js";
import type { Hosted, HostedMethod } from "./protocol.js";

export interface RunOptions {
  /** Takes the call out while it waits, or stops its worker while it runs (a CancelledError). */
  signal?: AbortSignal;
}

/** The methods `run` and `map` accept (the others are the pool's own, with pointers for arguments). */
const PUBLIC_METHODS: readonly HostedMethod[] = ["forward", "predict", "run", "sample", "logProb", "decode", "batchLoss"];

/** Validates a call of `run`, `map` or `forward` before anything is queued or sent. */
function checkRequest(target: unknown, method: unknown, args: unknown, options: unknown): void {
  if (!(target instanceof Recurrent || target instanceof Model || isImported(target))) {
    throw new ShapeError(`WorkerPool: the target must be a recurrent layer, a model, an InferenceSession or a LayersModel; got ${describe(target)}`);
  }
  if (isImported(target)) checkUsable(target, "WorkerPool");
  for (const layer of layersOf(target)) layer.checkAlive("WorkerPool");
  if (!PUBLIC_METHODS.includes(method as HostedMethod)) throw new ShapeError(`WorkerPool.run: method must be one of ${PUBLIC_METHODS.join(", ")}; got ${describe(method)}`);
  if (!Array.isArray(args)) throw new ShapeError(`WorkerPool.run: args must be an array; got ${describe(args)}`);
  const { signal } = optionsObject(options as RunOptions, "WorkerPool.run: options");
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ShapeError("WorkerPool.run: signal must be an AbortSignal");
}

export interface PoolOptions {
  /** Workers (default: the number of cores). 1 means no workers: calls run in this thread. */
  size?: number;
  /** Most calls waiting for a free worker (default 1000); more are refused with a ResourceError. */
  maxQueue?: number;
  /** Where the worker script is (default: worker.js beside this module). */
  workerUrl?: URL | string;
}

let noticeShown = false;

export class WorkerPool implements ShardRunner {
  readonly size: number;
  private readonly engine: Engine;
  private readonly workers: PoolWorkers;
  private readonly hosting: PoolHosting;
  private readonly splitForward: SplitForward;

  private constructor(size: number, maxQueue: number, workerUrl: URL | string | undefined) {
    this.size = size;
    this.engine = engine();
    this.workers = new PoolWorkers(this.engine, maxQueue, workerUrl);
    this.hosting = new PoolHosting(this.workers, this.engine.shared);
    this.splitForward = new SplitForward(this.engine, this.workers, size, (layer, args, run) => this.run<ForwardResult>(layer, "forward", args, run));
  }

  /** A pool of `size` workers (default: cores), each ready to compute. */
  static async create(options: PoolOptions = {}): Promise<WorkerPool> {
    optionsObject(options, "WorkerPool.create: options");
    const workerUrl = options.workerUrl;
    if (workerUrl !== undefined && typeof workerUrl !== "string" && !(workerUrl instanceof URL)) throw new ShapeError(`WorkerPool: workerUrl must be a URL or a string; got ${describe(workerUrl)}`);
    const size = options.size === undefined ? platform.coreCount() : positiveInt(options.size, "WorkerPool: size");
    const maxQueue = options.maxQueue === undefined ? 1000 : positiveInt(options.maxQueue, "WorkerPool: maxQueue");
    const pool = new WorkerPool(size, maxQueue, workerUrl);
    if (size > 1) {
      if (!pool.sharedMemory && !noticeShown) {
        noticeShown = true;
        console.warn("wasm-rnn: shared memory is not available (is the page cross-origin isolated?); each worker keeps its own copy of the weights");
      }
      await pool.workers.startAll(size);
    }
    return pool;
  }

  /** Whether workers compute on the one shared copy of the weights (false: per-worker copies). */
  get sharedMemory(): boolean {
    return this.engine.shared;
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.workers.queued;
  }

  /** What the pool measured of split forwards, per shape: milliseconds per step split and whole,
   *  and whether it splits that shape (null while measuring). */
  get splitDecisions(): SplitDecision[] {
    return this.splitForward.decisions;
  }

  /** Runs `method` on `target` in the next free worker (in this thread for a pool of size 1). */
  run<T>(target: Hosted, method: HostedMethod, args: unknown[], options: RunOptions = {}): Promise<T> {
    try {
      checkRequest(target, method, args, options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.size === 1) return this.runHere(target, method, args, options) as Promise<T>;
    const id = this.hosting.register(target);
    const result = this.workers.enqueue((slot) => this.hosting.callOn(slot, target, id, method, args), options);
    return (isImported(target) ? result.then((value) => importedResult(target, value)) : result) as Promise<T>;
  }

  private async runHere(target: Hosted, method: HostedMethod, args: unknown[], options: RunOptions): Promise<unknown> {
    if (this.workers.closed) throw new ResourceError("WorkerPool: the pool is closed");
    if (options.signal?.aborted) throw new CancelledError("WorkerPool: the call was cancelled");
    return invoke(target, method, args);
  }

  /** Runs `method` on slices of `items` in parallel and concatenates the results in order. */
  async map<I, R>(target: Hosted, method: HostedMethod, items: readonly I[], rest: unknown[] = [], options: RunOptions = {}): Promise<R[]> {
    checkRequest(target, method, rest, options);
    if (!Array.isArray(items) || items.length === 0) throw new ShapeError(`WorkerPool.map: give a non-empty array of items; got ${describe(items)}`);
    const parts = await Promise.all(splitRows(items.length, this.size).map(([a, b]) => this.run<R[]>(target, method, [items.slice(a, b), ...rest], options)));
    return parts.flat();
  }

  /**
   * Recurrent forward over the workers (same result as layer.forward): split over their threads
   * where the pool measured that to pay for the shape (splitDecisions), else whole on one, or in
   * batch slices on several without shared memory (pool-split-forward.ts).
   */
  async forward(layer: Recurrent, x: TensorLike, options: ForwardOptions = {}, run: RunOptions = {}): Promise<ForwardResult> {
    if (!(layer instanceof Recurrent)) throw new ShapeError(`WorkerPool.forward: give a recurrent layer; got ${describe(layer)}`);
    checkRequest(layer, "forward", [x, options], run);
    const checked = layer.checkForwardInputs(x, options);
    const { out, ...rest } = options; // the result is copied into `out` here: it cannot cross to a worker
    const result = await this.splitForward.forward(layer, x, rest, run, checked);
    if (!out) return result;
    out.data.set(result.output.data);
    return { ...result, output: out };
  }

  /**
   * One data-parallel training step (the Trainer's `pool` option calls it): shard i runs on worker i;
   * the gradients are added in shard order (pool-training.ts). Returns the combined loss.
   */
  async [trainShards](model: Model, shards: readonly Shard[]): Promise<BatchLoss> {
    if (this.size === 1 || shards.length === 1) {
      const r = (await this.runHere(model, shards[0].method, shards[0].args, {})) as BatchLoss;
      return { loss: r.loss * shards[0].weight, sum: r.sum, count: r.count };
    }
    return trainOnWorkers(this.engine, this.workers, this.hosting, model, shards);
  }

  /** @internal The ids each worker hosts (tests of what the pool frees). */
  hostedIds(): Promise<number[][]> {
    return this.hosting.hostedIds();
  }

  /** @internal Stops one worker abruptly (tests of recovery use it). */
  killWorker(index: number): Promise<void> {
    return this.workers.kill(index);
  }

  /** Ends every worker; waiting and later calls are refused. */
  close(): Promise<void> {
    return this.workers.close();
  }
}
