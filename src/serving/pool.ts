// A pool of workers (Node worker_threads or Web Workers, driven through Comlink) that run models and
// layers on batches: inference split by batch rows, data-parallel training shards whose gradients are
// reduced in a fixed order, and single requests for serving, behind a bounded queue with
// backpressure, cancellation and recovery from dead or failing workers. With a shared wasm memory the
// workers compute on the main thread's one copy of the weights; otherwise each keeps a copy. Imported
// ONNX and Keras models (whose weights never change) each worker builds once for itself.

import * as Comlink from "comlink";
import { engine, type Engine } from "../engine/engine.js";
import { CancelledError, FormatError, NumericError, ResourceError, ShapeError, UnsupportedError, WasmRnnError, WorkerError } from "../errors.js";
import { Recurrent, type ForwardOptions, type ForwardResult } from "../layers/recurrent.js";
import { Model, type BatchLoss } from "../models/model.js";
import { emptyPlan } from "../engine/abi.js";
import { Tensor } from "../tensor.js";
import { describe, optionsObject, positiveInt, type TensorLike } from "../validate.js";
import { invoke, layersOf } from "./host.js";
import { checkUsable, importedResult, importedSpec, isImported, isReleased, type Imported } from "./imported.js";
import type { HostedMethod, HostedSpec, WeightsMessage, WorkerApi } from "./protocol.js";
import type { SpawnedWorker } from "../platform/platform.js";
import { platform } from "../platform/current.js";
import { poisonBarrier } from "../engine/threads/team-control.js";
import { startAttached, stopAttached, type WorkerMemory } from "../engine/threads/attach.js";
import { splitRows } from "../train/data.js";
import { SplitChoice, type SplitDecision } from "./split-choice.js";
import { trainShards, type Shard, type ShardRunner } from "../train/data-parallel.js";

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

export interface RunOptions {
  signal?: AbortSignal;
}

type Target = Model | Recurrent | Imported;

interface Slot {
  index: number;
  worker: SpawnedWorker;
  memory: WorkerMemory | null;
  api: Comlink.Remote<WorkerApi>;
  busy: boolean;
  /** Per hosted target: the weight versions this worker has. */
  synced: Map<number, number[]>;
}

interface Pending {
  execute: (slot: Slot) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

let noticeShown = false;
const ERROR_CLASSES: Record<string, new (message: string) => WasmRnnError> = { ShapeError, FormatError, NumericError, ResourceError, UnsupportedError };

export class WorkerPool implements ShardRunner {
  readonly size: number;
  private readonly maxQueue: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly ids = new WeakMap<object, number>();
  /** What the workers host, by id: how to rebuild it, and the target (held weakly: the pool keeps
   *  no model alive). */
  private readonly specs = new Map<number, { spec: HostedSpec; target: WeakRef<Target> }>();
  /** Drops the workers' copies of a target the garbage collector took. */
  private readonly collected = new FinalizationRegistry<number>((id) => this.forget(id));
  private nextId = 1;
  /** A forward that could split: split or whole on one worker, as measured to be faster for its
   *  shape on this pool (split-choice.ts); timed while the pool is otherwise idle, until chosen. */
  private async forwardMeasured(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions, T: number, B: number): Promise<ForwardResult> {
    const shape = `${layer.constructor.name} I${layer.inputSize} H${layer.hiddenSize} P${layer.outputSize} L${layer.numLayers} D${layer.directions} B${B}`;
    const way = this.splitChoice.next(shape);
    const idle = this.queue.length === 0 && this.slots.every((s) => !s.busy);
    const started = performance.now();
    const result = way === "split" ? await this.forwardSplit(layer, x, options, run) : asResult(await this.run<ForwardResult>(layer, "forward", [x, options], run));
    if (idle) this.splitChoice.record(shape, way, (performance.now() - started) / T);
    return result;
  }

  /** What the pool measured of split forwards, per shape: milliseconds per step split and whole,
   *  and whether it splits that shape (null while measuring). */
  get splitDecisions(): SplitDecision[] {
    return this.splitChoice.decisions();
  }

  /** Split forwards of one layer run one at a time (they share the layer's buffers). */
  private readonly splitLocks = new WeakMap<object, Promise<unknown>>();
  /** Which shapes' forwards pay split on this pool, measured on the calls. */
  private readonly splitChoice = new SplitChoice();
  private closed = false;
  private readonly engine: Engine;
  /** Per slot: the bytes its last worker ended with, the region its next worker starts with. */
  private readonly footprints: number[] = [];
  /** Worker replacements under way (a failed worker being stopped and a fresh one started). */
  private readonly replacements = new Set<Promise<void>>();

  private constructor(size: number, maxQueue: number, private readonly workerUrl: URL | string | undefined) {
    this.size = size;
    this.maxQueue = maxQueue;
    this.engine = engine();
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
      try {
        for (let i = 0; i < size; i++) pool.slots.push(await pool.start(i));
      } catch (e) {
        await pool.close();
        throw e;
      }
    }
    return pool;
  }

  /** Whether workers compute on the one shared copy of the weights (false: per-worker copies). */
  get sharedMemory(): boolean {
    return this.engine.shared;
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Starts worker `index`; a worker that cannot load or initialise is stopped and reported. */
  private async start(index: number): Promise<Slot> {
    try {
      const { worker, memory, api } = await startAttached<WorkerApi>(this.engine, "pool", this.workerUrl, this.footprints[index] ?? 0);
      return { index, worker, memory, api, busy: false, synced: new Map() };
    } catch (e) {
      throw new ResourceError(`WorkerPool: worker ${index} could not start from ${this.workerUrl === undefined ? "the package's worker script" : String(this.workerUrl)}: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** Ends a worker and takes its memory back (the slot's next worker starts with as much). */
  private async stop(slot: Slot): Promise<void> {
    const footprint = await stopAttached(this.engine, slot);
    if (footprint) this.footprints[slot.index] = footprint;
  }

  // ---- running calls --------------------------------------------------------------------------

  /** Runs `method` on `target` in the next free worker (in this thread for a pool of size 1). */
  run<T>(target: Target, method: HostedMethod, args: unknown[], options: RunOptions = {}): Promise<T> {
    try {
      checkRequest(target, method, args, options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.size === 1) return this.runHere(target, method, args, options) as Promise<T>;
    const id = this.register(target);
    const result = this.enqueue((slot) => this.callOn(slot, target, id, method, args), options);
    return (isImported(target) ? result.then((value) => importedResult(target, value)) : result) as Promise<T>;
  }

  private async runHere(target: Target, method: HostedMethod, args: unknown[], options: RunOptions): Promise<unknown> {
    if (this.closed) throw new ResourceError("WorkerPool: the pool is closed");
    if (options.signal?.aborted) throw new CancelledError("WorkerPool: the call was cancelled");
    return invoke(target, method, args);
  }

  private enqueue(execute: (slot: Slot) => Promise<unknown>, options: RunOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new ResourceError("WorkerPool: the pool is closed"));
      if (options.signal?.aborted) return reject(new CancelledError("WorkerPool: the call was cancelled before it started"));
      if (this.queue.length >= this.maxQueue) {
        return reject(new ResourceError(`WorkerPool: the queue is full (${this.maxQueue} calls waiting); retry later or raise maxQueue`));
      }
      const pending: Pending = { execute, resolve, reject, signal: options.signal };
      if (options.signal) {
        pending.onAbort = () => {
          const at = this.queue.indexOf(pending);
          if (at >= 0) {
            this.queue.splice(at, 1);
            reject(new CancelledError("WorkerPool: the call was cancelled while waiting"));
          }
        };
        options.signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Starts waiting calls on free workers. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const pending = this.queue.shift()!;
      void this.execute(slot, pending);
    }
  }

  private async execute(slot: Slot, pending: Pending): Promise<void> {
    slot.busy = true;
    const cancelled = pending.signal
      ? new Promise<never>((_, reject) => {
          const cancel = () => reject(new CancelledError("WorkerPool: the call was cancelled while running (its worker was stopped)"));
          if (pending.signal!.aborted) cancel();
          pending.signal!.addEventListener("abort", cancel, { once: true });
        })
      : null;
    try {
      const work = pending.execute(slot);
      const value = await (cancelled ? Promise.race([work, cancelled]) : work);
      pending.resolve(value);
    } catch (e) {
      pending.reject(e);
      // A worker that was cancelled, died, or failed unexpectedly is replaced; a validation error
      // (a WasmRnnError from our own checks) leaves it in a known state.
      if (!(e instanceof WasmRnnError) || e instanceof CancelledError || e instanceof WorkerError) await this.replace(slot);
    } finally {
      if (pending.signal && pending.onAbort) pending.signal.removeEventListener("abort", pending.onAbort);
      slot.busy = false;
      this.dispatch();
    }
  }

  /** One call on one worker: hosts the target there if needed, sends changed weights, and turns a
   *  worker's death or failure into a clear error; `target` (registered as `id`) stays referenced
   *  until it ends. */
  private async callOn(slot: Slot, target: Target, id: number, method: HostedMethod, args: unknown[]): Promise<unknown> {
    const work = (async () => slot.api.call(id, method, args, await this.weightsFor(slot, target, id)))();
    try {
      return await Promise.race([work, slot.worker.lost]);
    } catch (e) {
      throw this.translate(e, slot, method);
    }
  }

  /** Errors from a worker keep their class when they are ours; anything else becomes a WorkerError. */
  private translate(e: unknown, slot: Slot, method: string): Error {
    if (e instanceof WasmRnnError) return e;
    const error = e as { name?: string; message?: string };
    const Known = error?.name ? ERROR_CLASSES[error.name] : undefined;
    if (Known) return new Known(error.message ?? "");
    return new WorkerError(`WorkerPool: worker ${slot.index} failed during ${method}(): ${error?.message ?? String(e)}`);
  }

  /** Stops a worker and starts a fresh one in its place (its hosted models are re-sent on demand);
   *  close() waits for replacements under way, so no worker outlives the pool. */
  private replace(slot: Slot): Promise<void> {
    const done: Promise<void> = this.restart(slot).finally(() => this.replacements.delete(done));
    this.replacements.add(done);
    return done;
  }

  private async restart(slot: Slot): Promise<void> {
    await this.stop(slot);
    if (this.closed) return;
    const fresh = await this.start(slot.index);
    if (this.closed) return this.stop(fresh); // closed while it started
    Object.assign(slot, { worker: fresh.worker, memory: fresh.memory, api: fresh.api, synced: new Map() });
  }

  // ---- models in workers ----------------------------------------------------------------------

  private register(target: Target): number {
    this.sweep();
    let id = this.ids.get(target);
    if (id !== undefined && this.specs.has(id)) return id;
    id = this.nextId++;
    const spec: HostedSpec = isImported(target)
      ? importedSpec(target)
      : target instanceof Recurrent
        ? { kind: "layer", layer: target.constructor.name as "LSTM" | "GRU" | "RNN", options: { ...target.options } }
        : { kind: "model", modelType: target.modelType, config: target.config() };
    this.ids.set(target, id);
    this.specs.set(id, { spec, target: new WeakRef(target) });
    this.collected.register(target, id);
    return id;
  }

  /** Forgets the targets disposed or released since the last call: their copies in the workers go. */
  private sweep(): void {
    for (const [id, { target }] of this.specs) {
      const t = target.deref();
      if (!t || (isImported(t) ? isReleased(t) : t instanceof Recurrent ? t.isDisposed : t.layers.some((l) => l.isDisposed))) this.forget(id);
    }
  }

  /** Frees the copies of `id` in the workers that host it. */
  private forget(id: number): void {
    if (!this.specs.delete(id)) return;
    for (const slot of this.slots) {
      if (slot.synced.delete(id)) slot.api.drop(id).catch(() => undefined); // a worker that died holds nothing
    }
  }

  /** @internal The ids each worker hosts (tests of what the pool frees). */
  async hostedIds(): Promise<number[][]> {
    return Promise.all(this.slots.map((slot) => slot.api.hostedIds()));
  }

  /** The weights to send with a call: null when the worker is up to date, else where they are
   *  (shared memory) or a copy (fallback). Hosts the target on first use: an imported model the
   *  worker builds from its spec, once, since its weights never change. */
  private async weightsFor(slot: Slot, target: Target, id: number): Promise<WeightsMessage | null> {
    const entry = this.specs.get(id);
    if (!entry) throw new ResourceError(`WorkerPool: the ${describe(target)} was disposed while its call waited`);
    const spec = entry.spec;
    const known = slot.synced.get(id);
    if (isImported(target)) {
      if (!known) await slot.api.host(id, spec, null);
      slot.synced.set(id, []);
      return null;
    }
    const layers = layersOf(target);
    const versions = layers.map((l) => l.params.version);
    if (known && known.every((v, i) => v === versions[i])) return null;
    const message: WeightsMessage = this.sharedMemory
      ? { shared: true, values: layers.map((l) => l.params.valuesPtr), versions }
      : { shared: false, versions, tensors: Object.fromEntries(Object.entries(target.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], data: t.data }])) };
    if (!known) await slot.api.host(id, spec, message);
    slot.synced.set(id, versions);
    return known ? message : null;
  }

  // ---- batch helpers --------------------------------------------------------------------------

  /** Splits `count` rows into at most `size` contiguous [start, end) ranges. */
  private ranges(count: number): [number, number][] {
    return splitRows(count, this.size);
  }

  /** Runs `method` on slices of `items` in parallel and concatenates the results in order. */
  async map<I, R>(target: Target, method: HostedMethod, items: readonly I[], rest: unknown[] = [], options: RunOptions = {}): Promise<R[]> {
    checkRequest(target, method, rest, options);
    if (!Array.isArray(items) || items.length === 0) throw new ShapeError(`WorkerPool.map: give a non-empty array of items; got ${describe(items)}`);
    const parts = await Promise.all(this.ranges(items.length).map(([a, b]) => this.run<R[]>(target, method, [items.slice(a, b), ...rest], options)));
    return parts.flat();
  }

  /**
   * Recurrent forward split across the workers (same result as layer.forward). With shared memory
   * the workers run parts of the layer's kernels on its own buffers: a batch by rows, one sequence
   * by hidden units (Recurrent.splitParts decides, and keeps small calls on one worker), where the
   * pool measured that to be faster for the shape than one worker (splitDecisions). Without it,
   * slices of the batch go to the workers' copies and the results are concatenated.
   */
  async forward(layer: Recurrent, x: TensorLike, options: ForwardOptions = {}, run: RunOptions = {}): Promise<ForwardResult> {
    if (!(layer instanceof Recurrent)) throw new ShapeError(`WorkerPool.forward: give a recurrent layer; got ${describe(layer)}`);
    checkRequest(layer, "forward", [x, options], run);
    const checked = layer.checkForwardInputs(x, options);
    const { out, ...rest } = options; // the result is copied into `out` here: it cannot cross to a worker
    const result = await this.forwardOnWorkers(layer, x, rest, run, checked);
    if (!out) return result;
    out.data.set(result.output.data);
    return { ...result, output: out };
  }

  private async forwardOnWorkers(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions, checked: { steps: number; batch: number; unbatched: boolean }): Promise<ForwardResult> {
    const { steps: T, batch: B, unbatched } = checked;
    const shape = { ...emptyPlan(), steps: T, batch: B, inputSize: layer.inputSize, outputSize: layer.outputSize };
    if (this.size > 1 && this.sharedMemory && layer.splitParts(shape, this.size) > 1) return this.forwardMeasured(layer, x, options, run, T, B);
    if (unbatched || B < 2 || this.size === 1 || this.sharedMemory) return this.run<ForwardResult>(layer, "forward", [x, options], run).then(asResult);
    const axis = layer.batchFirst ? 0 : 1;
    const parts = await Promise.all(this.ranges(B).map(([a, b]) => this.run<ForwardResult>(layer, "forward", [sliceBatch(x, a, b, axis), sliceOptions(options, a, b)], run)));
    return {
      output: concatBatch(parts.map((p) => p.output), axis),
      hN: concatBatch(parts.map((p) => p.hN), 1),
      ...(parts[0].cN ? { cN: concatBatch(parts.map((p) => p.cN!), 1) } : {}),
    };
  }

  /** Split forwards of one layer run one at a time (they share the layer's buffers); from the call
   *  until it settles, the layer is held (calls that would write its buffers or weights are refused). */
  private async forwardSplit(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions): Promise<ForwardResult> {
    const release = layer.hold("WorkerPool.forward");
    try {
      const previous = this.splitLocks.get(layer) ?? Promise.resolve();
      const mine = previous.then(() => this.forwardSplitNow(layer, x, options, run));
      this.splitLocks.set(layer, mine.catch(() => undefined));
      return await mine;
    } finally {
      release();
    }
  }

  /** Each kernel of the forward split into parts run at once on workers 0…, meeting at a barrier in
   *  the shared memory; the workers are reserved together so none waits for a peer not yet started. */
  private async forwardSplitNow(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions): Promise<ForwardResult> {
    if (run.signal?.aborted) throw new CancelledError("WorkerPool: the call was cancelled before it started");
    const eng = this.engine, barrier = eng.arena.alloc(64);
    try {
      const staged = layer.stageForward(x, options);
      const out = await layer.forwardResidentWith(staged.input, async (plan, key) => {
        const parts = layer.partPlans(plan, key, layer.splitParts(plan, this.size), barrier, (part, bytes) => this.workspace(layer, part, bytes));
        eng.i32[barrier >> 2] = 0;
        await this.exclusiveAll(this.slots.slice(0, parts.length), async (slot, k) => {
          try {
            await Promise.race([slot.api.runKernel(layer.forwardKernel, parts[k]), slot.worker.lost]);
          } catch (e) {
            throw this.translate(e, slot, "forward");
          }
        }, () => poisonBarrier(eng.i32, barrier >> 2));
      });
      return staged.result(out);
    } finally {
      eng.release(barrier);
    }
  }

  /** Workspace of `bytes` for part `part` of a split forward of `layer` (kept with the layer's buffers). */
  private workspace(layer: Recurrent, part: number, bytes: number): number {
    return layer.scratchBuffer(`splitWork${part}`, bytes);
  }

  /**
   * Runs work(slot, i) on every one of `slots` at once, once all of them are free, and settles when
   * every one has (a failed part never leaves a peer running on released slots or memory);
   * `onFailure` runs at the first failure, e.g. to release peers waiting for the failed part.
   */
  private exclusiveAll(slots: Slot[], work: (slot: Slot, index: number) => Promise<void>, onFailure: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const attempt = () => {
        if (this.closed) return reject(new ResourceError("WorkerPool: the pool is closed"));
        if (slots.some((s) => s.busy)) return void setTimeout(attempt, 0);
        for (const s of slots) s.busy = true;
        let failed = false;
        Promise.allSettled(slots.map(async (slot, i) => {
          try {
            await work(slot, i);
          } catch (e) {
            if (!failed) onFailure();
            failed = true;
            if (!(e instanceof WasmRnnError) || e instanceof WorkerError) await this.replace(slot);
            throw e;
          }
        })).then((results) => {
          const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
          if (failure) reject(failure.reason);
          else resolve();
        }).finally(() => {
          for (const s of slots) s.busy = false;
          this.dispatch();
        });
      };
      attempt();
    });
  }

  /**
   * One data-parallel training step (the Trainer's `pool` option calls it): shard i runs on worker i
   * (so carried states stay with their streams); the shards' gradients are added into the model's in
   * shard order, each scaled by its weight, so the result does not depend on timing. Returns the
   * combined loss.
   */
  async [trainShards](model: Model, shards: readonly Shard[]): Promise<BatchLoss> {
    if (this.size === 1 || shards.length === 1) {
      const r = (await this.runHere(model, shards[0].method, shards[0].args, {})) as BatchLoss;
      return { loss: r.loss * shards[0].weight, sum: r.sum, count: r.count };
    }
    if (shards.length > this.size) throw new ShapeError(`WorkerPool: ${shards.length} shards for ${this.size} workers`);
    const id = this.register(model);
    const results = await Promise.all(shards.map((shard, i) => this.exclusive(this.slots[i], async (slot) => {
      const loss = (await this.callOn(slot, model, id, shard.method, shard.args)) as BatchLoss;
      return { loss, gradients: await slot.api.gradients(id) };
    })));
    const core = this.engine.core, layers = model.layers;
    let loss = 0, sum = 0, count = 0;
    results.forEach(({ loss: r, gradients }, i) => {
      loss += r.loss * shards[i].weight;
      sum += r.sum;
      count += r.count;
      layers.forEach((layer, k) => {
        const n = layer.params.totalFloats;
        let source: number;
        if (gradients.shared) source = gradients.pointers[k];
        else {
          source = this.engine.scratch(n * 4);
          this.engine.write(source, gradients.arrays[k]);
        }
        core.scaleAdd(n, layer.params.gradsPtr, source, shards[i].weight, i > 0 ? 1 : 0);
      });
    });
    return { loss, sum, count };
  }

  /** Runs `work` on a particular worker once it is free (training shards need their own worker). */
  private exclusive<R>(slot: Slot, work: (slot: Slot) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const attempt = () => {
        if (this.closed) return reject(new ResourceError("WorkerPool: the pool is closed"));
        if (slot.busy) return void setTimeout(attempt, 0);
        slot.busy = true;
        work(slot).then(resolve, async (e) => {
          reject(e);
          if (!(e instanceof WasmRnnError) || e instanceof WorkerError) await this.replace(slot);
        }).finally(() => {
          slot.busy = false;
          this.dispatch();
        });
      };
      attempt();
    });
  }

  /** @internal Stops one worker abruptly (tests of recovery use it). */
  async killWorker(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  /** Ends every worker; waiting and later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new ResourceError("WorkerPool: the pool was closed"));
    await Promise.all(this.slots.map((s) => this.stop(s)));
    // A replacement that was starting a worker stops it itself once it sees the pool closed.
    await Promise.allSettled([...this.replacements]);
  }
}

/** Structured cloning drops the Tensor class: give results their class back. */
function asResult(r: ForwardResult): ForwardResult {
  return { output: new Tensor(r.output.data, r.output.shape), hN: new Tensor(r.hN.data, r.hN.shape), ...(r.cN ? { cN: new Tensor(r.cN.data, r.cN.shape) } : {}) };
}

/** Rows [a, b) of dimension `axis` (0 or 1) of a rank-3 tensor. */
function sliceBatch(t: TensorLike, a: number, b: number, axis: number): Tensor {
  const [d0, d1, d2] = t.shape;
  if (axis === 0) return new Tensor(t.data.slice(a * d1 * d2, b * d1 * d2), [b - a, d1, d2]);
  const out = new Float32Array(d0 * (b - a) * d2);
  for (let i = 0; i < d0; i++) out.set(t.data.subarray((i * d1 + a) * d2, (i * d1 + b) * d2), i * (b - a) * d2);
  return new Tensor(out, [d0, b - a, d2]);
}

function sliceOptions(o: ForwardOptions, a: number, b: number): ForwardOptions {
  return {
    ...(o.h0 ? { h0: sliceBatch(o.h0, a, b, 1) } : {}),
    ...(o.c0 ? { c0: sliceBatch(o.c0, a, b, 1) } : {}),
    ...(o.lengths ? { lengths: Array.from(o.lengths).slice(a, b) } : {}),
  };
}

/** Concatenates rank-3 tensors along `axis` (0 or 1). */
function concatBatch(parts: TensorLike[], axis: number): Tensor {
  const [d0, , d2] = parts[0].shape;
  const total = parts.reduce((n, p) => n + p.shape[axis], 0);
  if (axis === 0) {
    const out = new Float32Array(total * parts[0].shape[1] * d2);
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return new Tensor(out, [total, parts[0].shape[1], d2]);
  }
  const out = new Float32Array(d0 * total * d2);
  for (let i = 0; i < d0; i++) {
    let column = 0;
    for (const p of parts) {
      const rows = p.shape[1];
      out.set(p.data.subarray(i * rows * d2, (i + 1) * rows * d2), (i * total + column) * d2);
      column += rows;
    }
  }
  return new Tensor(out, [d0, total, d2]);
}
