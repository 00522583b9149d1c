// The WorkerPool's workers and its queue: starting workers (attached to the engine's memory), a
// bounded queue of calls with cancellation, dispatch to free workers, reserving one worker or several
// at once, turning a worker's failure into a clear error, and replacing a worker that died, failed or
// was cancelled mid-call (close() waits for replacements, so no worker outlives the pool).

import type * as Comlink from "comlink";
import type { Engine } from "../engine/engine.js";
import { CancelledError, FormatError, NumericError, ResourceError, ShapeError, UnsupportedError, WasmRnnError, WorkerError } from "../errors.js";
import { startAttached, stopAttached, type WorkerMemory } from "../engine/threads/attach.js";
import type { SpawnedWorker } from "../platform/platform.js";
import type { WorkerApi } from "./protocol.js";

/** What a queued call may carry (the pool's RunOptions). */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A worker and what the pool knows of it. */
export interface Slot {
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

const ERROR_CLASSES: Record<string, new (message: string) => WasmRnnError> = { ShapeError, FormatError, NumericError, ResourceError, UnsupportedError };

/** Whether a failure leaves its worker in an unknown state (then it is replaced): anything but our
 *  own validation errors, and a worker's failure always. */
const broken = (e: unknown) => !(e instanceof WasmRnnError) || e instanceof WorkerError;

export class PoolWorkers {
  readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private stopped = false;
  /** Per slot: the bytes its last worker ended with, the region its next worker starts with. */
  private readonly footprints: number[] = [];
  /** Worker replacements under way (a failed worker being stopped and a fresh one started). */
  private readonly replacements = new Set<Promise<void>>();

  constructor(
    private readonly engine: Engine,
    private readonly maxQueue: number,
    private readonly workerUrl: URL | string | undefined,
  ) {}

  /** Starts `count` workers, each ready to compute; on a failure, those started are stopped. */
  async startAll(count: number): Promise<void> {
    try {
      for (let i = 0; i < count; i++) this.slots.push(await this.start(i));
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  get closed(): boolean {
    return this.stopped;
  }

  /** Whether nothing waits and no worker is busy (a timing taken now is the call's alone). */
  get idle(): boolean {
    return this.queue.length === 0 && this.slots.every((s) => !s.busy);
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

  /** Queues `execute` for the next free worker. */
  enqueue(execute: (slot: Slot) => Promise<unknown>, options: CallOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new ResourceError("WorkerPool: the pool is closed"));
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
      if (broken(e) || e instanceof CancelledError) await this.replace(slot); // a cancelled call stopped mid-run
    } finally {
      if (pending.signal && pending.onAbort) pending.signal.removeEventListener("abort", pending.onAbort);
      slot.busy = false;
      this.dispatch();
    }
  }

  /** Runs `work` on a particular worker once it is free (training shards need their own worker). */
  exclusive<R>(slot: Slot, work: (slot: Slot) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const attempt = () => {
        if (this.stopped) return reject(new ResourceError("WorkerPool: the pool is closed"));
        if (slot.busy) return void setTimeout(attempt, 0);
        slot.busy = true;
        work(slot).then(resolve, async (e) => {
          reject(e);
          if (broken(e)) await this.replace(slot);
        }).finally(() => {
          slot.busy = false;
          this.dispatch();
        });
      };
      attempt();
    });
  }

  /**
   * Runs work(slot, i) on every one of `slots` at once, once all of them are free, and settles when
   * every one has (a failed part never leaves a peer running on released slots or memory);
   * `onFailure` runs at the first failure, e.g. to release peers waiting for the failed part.
   */
  exclusiveAll(slots: Slot[], work: (slot: Slot, index: number) => Promise<void>, onFailure: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const attempt = () => {
        if (this.stopped) return reject(new ResourceError("WorkerPool: the pool is closed"));
        if (slots.some((s) => s.busy)) return void setTimeout(attempt, 0);
        for (const s of slots) s.busy = true;
        let failed = false;
        Promise.allSettled(slots.map(async (slot, i) => {
          try {
            await work(slot, i);
          } catch (e) {
            if (!failed) onFailure();
            failed = true;
            if (broken(e)) await this.replace(slot);
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

  /** `work` on `slot`, failing as soon as the worker is lost; its errors as `translate` gives them. */
  async call<R>(slot: Slot, method: string, work: Promise<R>): Promise<R> {
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

  /** Stops a worker and starts a fresh one in its place (its hosted models are re-sent on demand). */
  private replace(slot: Slot): Promise<void> {
    const done: Promise<void> = this.restart(slot).finally(() => this.replacements.delete(done));
    this.replacements.add(done);
    return done;
  }

  private async restart(slot: Slot): Promise<void> {
    await this.stop(slot);
    if (this.stopped) return;
    const fresh = await this.start(slot.index);
    if (this.stopped) return this.stop(fresh); // closed while it started
    Object.assign(slot, { worker: fresh.worker, memory: fresh.memory, api: fresh.api, synced: new Map() });
  }

  /** Stops one worker abruptly (tests of recovery use it). */
  async kill(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  /** Ends every worker; waiting and later calls are refused. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const pending of this.queue.splice(0)) pending.reject(new ResourceError("WorkerPool: the pool was closed"));
    await Promise.all(this.slots.map((s) => this.stop(s)));
    // A replacement that was starting a worker stops it itself once it sees the pool closed.
    await Promise.allSettled([...this.replacements]);
  }
}
