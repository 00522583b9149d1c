// Starting and stopping a worker that computes on the main thread's engine: it gets the compiled
// core, and with a shared memory a block of the main arena to allocate from plus a growth log; when
// it stops, that block and the pages it grew go back to the main arena. Used by the serving pool and
// by the engine's thread team. The worker's side is its script's `init`, which calls attachEngine
// with the Attachment it is given.

import * as Comlink from "comlink";
import type { Attachment, Engine } from "../engine.js";
import { GROWTH_LOG_BYTES, grownRegions } from "../arena.js";
import { spawnWorker } from "../../platform/current.js";
import type { SpawnedWorker, WorkerKind } from "../../platform/platform.js";

/** Bytes of the shared memory a new worker starts with (it grows pages of its own beyond that). */
export const WORKER_REGION_BYTES = 16 << 20;

/** What a worker on the shared memory allocates from: a block of the main arena and its growth log. */
export interface WorkerMemory {
  region: number;
  regionBytes: number;
  growthLog: number;
}

/** What every worker script exposes first: joining the main thread's engine. */
export interface Joinable {
  init(setup: Attachment): Promise<void>;
}

export interface AttachedWorker<Api extends Joinable> {
  worker: SpawnedWorker;
  memory: WorkerMemory | null;
  api: Comlink.Remote<Api>;
}

/** Starts a worker (the package's script of `kind`, or the one at `url`) and initialises its engine on
 *  `engine`'s core (and memory, if shared), its region at least `regionBytes`; `unref`: it does not
 *  keep a Node process alive, even while it starts. A worker that cannot start is stopped and its
 *  memory returned. */
export async function startAttached<Api extends Joinable>(engine: Engine, kind: WorkerKind, url: URL | string | undefined, regionBytes: number, unref = false): Promise<AttachedWorker<Api>> {
  const memory = engine.shared ? setAside(engine, regionBytes) : null;
  let worker: SpawnedWorker | undefined;
  try {
    worker = spawnWorker(kind, url);
    if (unref) worker.unref();
    const api = Comlink.wrap<Api>(worker.endpoint);
    const setup: Attachment = memory
      ? { core: engine.compiled, memory: engine.memory, region: { start: memory.region, end: memory.region + memory.regionBytes }, growthLog: memory.growthLog }
      : { core: engine.compiled, memory: null };
    await Promise.race([(api as unknown as Joinable).init(setup), worker.lost]);
    return { worker, memory, api };
  } catch (e) {
    await stopAttached(engine, { worker, memory });
    throw e;
  }
}

/** Ends a worker and takes its memory back; returns the bytes it had in all (its next region size). */
export async function stopAttached(engine: Engine, attached: { worker?: SpawnedWorker; memory: WorkerMemory | null }): Promise<number> {
  await attached.worker?.terminate();
  const memory = attached.memory;
  if (!memory) return 0;
  attached.memory = null;
  let footprint = memory.regionBytes;
  for (const { start, end } of grownRegions(engine.memory, memory.growthLog)) {
    engine.arena.adopt(start, end - start);
    footprint += end - start;
  }
  engine.arena.release(memory.growthLog);
  engine.arena.release(memory.region);
  return footprint;
}

/** Sets aside a block of the shared memory for a new worker, and its growth log. */
function setAside(engine: Engine, bytes: number): WorkerMemory {
  const regionBytes = Math.max(WORKER_REGION_BYTES, bytes);
  const region = engine.arena.alloc(regionBytes);
  const growthLog = engine.arena.alloc(GROWTH_LOG_BYTES);
  engine.i32.fill(0, growthLog >> 2, (growthLog + GROWTH_LOG_BYTES) >> 2);
  return { region, regionBytes, growthLog };
}
