// What the WorkerPool's workers host, and keeping their copies in step: each target gets an id and a
// spec to rebuild it from (a layer's options, a model's config, an imported model's source), sent to
// a worker with its first call there; the library's models send their weights again whenever their
// versions moved (pointers into the shared memory, or copies without it), imported models never
// (their weights do not change). Hosteds are held weakly: a collected, disposed or released one has
// its copies dropped from every worker.

import { ResourceError } from "../errors.js";
import { Recurrent } from "../layers/recurrent.js";
import { describe } from "../validate.js";
import { layersOf } from "./host.js";
import { importedSpec, isImported, isReleased } from "./imported.js";
import type { PoolWorkers, Slot } from "./pool-workers.js";
import type { Hosted, HostedMethod, HostedSpec, WeightsMessage } from "./protocol.js";


export class PoolHosting {
  private readonly ids = new WeakMap<object, number>();
  /** What the workers host, by id: how to rebuild it, and the target (held weakly: the pool keeps
   *  no model alive). */
  private readonly specs = new Map<number, { spec: HostedSpec; target: WeakRef<Hosted> }>();
  /** Drops the workers' copies of a target the garbage collector took. */
  private readonly collected = new FinalizationRegistry<number>((id) => this.forget(id));
  private nextId = 1;

  constructor(
    private readonly workers: PoolWorkers,
    private readonly sharedMemory: boolean,
  ) {}

  /** The id `target` is hosted under (a new one the first time, or after it was forgotten). */
  register(target: Hosted): number {
    this.sweep();
    let id = this.ids.get(target);
    if (id !== undefined && this.specs.has(id)) return id;
    id = this.nextId++;
    const spec: HostedSpec = isImported(target)
      ? importedSpec(target)
      : target instanceof Recurrent
        ? { kind: "layer", cell: target.cell, options: { ...target.options } }
        : { kind: "model", modelType: target.modelType, config: target.config() };
    this.ids.set(target, id);
    this.specs.set(id, { spec, target: new WeakRef(target) });
    this.collected.register(target, id);
    return id;
  }

  /** One call on one worker: hosts the target there if needed, sends changed weights, and turns a
   *  worker's death or failure into a clear error; `target` (registered as `id`) stays referenced
   *  until it ends. */
  callOn(slot: Slot, target: Hosted, id: number, method: HostedMethod, args: unknown[]): Promise<unknown> {
    return this.workers.call(slot, method, (async () => slot.api.call(id, method, args, await this.weightsFor(slot, target, id)))());
  }

  /** The ids each worker hosts (tests of what the pool frees). */
  hostedIds(): Promise<number[][]> {
    return Promise.all(this.workers.slots.map((slot) => slot.api.hostedIds()));
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
    for (const slot of this.workers.slots) {
      if (slot.synced.delete(id)) slot.api.drop(id).catch(() => undefined); // a worker that died holds nothing
    }
  }

  /** The weights to send with a call: null when the worker is up to date, else where they are
   *  (shared memory) or a copy (fallback). Hosts the target on first use: an imported model the
   *  worker builds from its spec, once, since its weights never change. */
  private async weightsFor(slot: Slot, target: Hosted, id: number): Promise<WeightsMessage | null> {
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
}
