// A recurrent forward over the WorkerPool's workers (same result as layer.forward). With shared
// memory the workers run parts of the layer's own kernels on its buffers — a batch by rows, one
// sequence by hidden units (Recurrent.splitParts decides, and keeps small calls on one worker),
// meeting at a barrier in the shared memory — where the pool measured that to be faster for the
// shape than one worker (SplitChoice, the tuner the thread team also uses). Without shared memory,
// slices of the batch go to the workers' copies and the results are concatenated.

import { emptyPlan } from "../engine/abi.js";
import type { Engine } from "../engine/engine.js";
import { SplitChoice, type SplitDecision } from "../engine/threads/split-choice.js";
import { poisonBarrier } from "../engine/threads/team-control.js";
import { CancelledError } from "../errors.js";
import type { ForwardOptions, ForwardResult, Recurrent } from "../layers/recurrent.js";
import { splitRows } from "../train/data.js";
import type { TensorLike } from "../validate.js";
import { asResult, concatBatch, sliceBatch, sliceOptions } from "./batch-slices.js";
import type { CallOptions as RunOptions, PoolWorkers } from "./pool-workers.js";

/** A whole forward of `layer` on one worker (the pool's `run`). */
type RunWhole = (layer: Recurrent, args: [TensorLike, ForwardOptions], run: RunOptions) => Promise<ForwardResult>;

export class SplitForward {
  /** Split forwards of one layer run one at a time (they share the layer's buffers). */
  private readonly locks = new WeakMap<object, Promise<unknown>>();
  /** Which shapes' forwards pay split on this pool, measured on the calls. */
  private readonly choice = new SplitChoice();

  constructor(
    private readonly engine: Engine,
    private readonly workers: PoolWorkers,
    private readonly size: number,
    private readonly runWhole: RunWhole,
  ) {}

  /** What was measured of split forwards, per shape. */
  get decisions(): SplitDecision[] {
    return this.choice.decisions();
  }

  /** The forward of a checked call (`steps`, `batch`, whether x is one unbatched sequence). */
  async forward(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions, checked: { steps: number; batch: number; unbatched: boolean }): Promise<ForwardResult> {
    const { steps: T, batch: B, unbatched } = checked;
    const shared = this.engine.shared;
    const shape = { ...emptyPlan(), steps: T, batch: B, inputSize: layer.inputSize, outputSize: layer.outputSize };
    if (this.size > 1 && shared && layer.splitParts(shape, this.size) > 1) return this.measured(layer, x, options, run, T, B);
    if (unbatched || B < 2 || this.size === 1 || shared) return this.runWhole(layer, [x, options], run).then(asResult);
    const axis = layer.batchFirst ? 0 : 1;
    const parts = await Promise.all(splitRows(B, this.size).map(([a, b]) => this.runWhole(layer, [sliceBatch(x, a, b, axis), sliceOptions(options, a, b)], run)));
    return {
      output: concatBatch(parts.map((p) => p.output), axis),
      hN: concatBatch(parts.map((p) => p.hN), 1),
      ...(parts[0].cN ? { cN: concatBatch(parts.map((p) => p.cN!), 1) } : {}),
    };
  }

  /** A forward that could split: split or whole on one worker, as measured to be faster for its
   *  shape on this pool; timed while the pool is otherwise idle, until chosen. */
  private async measured(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions, T: number, B: number): Promise<ForwardResult> {
    const shape = `${layer.constructor.name} I${layer.inputSize} H${layer.hiddenSize} P${layer.outputSize} L${layer.numLayers} D${layer.directions} B${B}`;
    const way = this.choice.next(shape);
    const idle = this.workers.idle;
    const started = performance.now();
    const result = way === "split" ? await this.split(layer, x, options, run) : asResult(await this.runWhole(layer, [x, options], run));
    if (idle) this.choice.record(shape, way, (performance.now() - started) / T);
    return result;
  }

  /** Split forwards of one layer run one at a time (they share the layer's buffers); from the call
   *  until it settles, the layer is held (calls that would write its buffers or weights are refused). */
  private async split(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions): Promise<ForwardResult> {
    const release = layer.hold("WorkerPool.forward");
    try {
      const previous = this.locks.get(layer) ?? Promise.resolve();
      const mine = previous.then(() => this.splitNow(layer, x, options, run));
      this.locks.set(layer, mine.catch(() => undefined));
      return await mine;
    } finally {
      release();
    }
  }

  /** Each kernel of the forward split into parts run at once on workers 0…, meeting at a barrier in
   *  the shared memory; the workers are reserved together so none waits for a peer not yet started. */
  private async splitNow(layer: Recurrent, x: TensorLike, options: ForwardOptions, run: RunOptions): Promise<ForwardResult> {
    if (run.signal?.aborted) throw new CancelledError("WorkerPool: the call was cancelled before it started");
    const eng = this.engine, barrier = eng.arena.alloc(64);
    try {
      const staged = layer.stageForward(x, options);
      const out = await layer.forwardResidentWith(staged.input, async (plan, key) => {
        const workspace = (part: number, bytes: number) => layer.scratchBuffer(`splitWork${part}`, bytes); // kept with the layer's buffers
        const parts = layer.partPlans(plan, key, layer.splitParts(plan, this.size), barrier, workspace);
        eng.i32[barrier >> 2] = 0;
        await this.workers.exclusiveAll(this.workers.slots.slice(0, parts.length), async (slot, k) => {
          await this.workers.call(slot, "forward", slot.api.runKernel(layer.forwardKernel, parts[k]));
        }, () => poisonBarrier(eng.i32, barrier >> 2));
      });
      return staged.result(out);
    } finally {
      eng.release(barrier);
    }
  }
}
