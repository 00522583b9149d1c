// The engine's thread team (`init({ threads: N })`): N − 1 workers on the shared memory that run parts
// of a kernel together with the calling thread, synchronously, so a layer's forward and backward
// split across threads with no change to the caller's code. A job is a few words in a control block (kernel,
// plans); members wake on it, run their part and count themselves done while this thread runs part
// 0 and then waits for them — no messages per call and no copies: every part reads and writes the
// layer's own buffers.

import { type Engine } from "../engine.js";
import { ResourceError, ShapeError, WorkerError } from "../../errors.js";
import { platform } from "../../platform/current.js";
import { startAttached, stopAttached, type AttachedWorker } from "./attach.js";
import type { TeamWorkerApi } from "./team-worker.js";
import { CONTROL_BYTES, DONE, FAILED, GENERATION, INTEGER_DOT, KERNEL, PARTS, PLANS, STOP, BARRIER, TEAM_KERNELS, poisonBarrier, teamKernel, type TeamKernel } from "./team-control.js";

/** How long this thread waits for members to finish a job before failing it. */
const JOB_TIMEOUT_MS = 60_000;
/** Spins before this thread waits asleep for members (where it may sleep). */
const SPINS = 20_000;

export class ThreadTeam {
  /** Split jobs run so far (tests and benchmarks read it). */
  jobs = 0;
  private readonly control: number;
  /** Per part: where its argument block is written, and the bytes each holds. */
  private readonly planSlots: number[];
  private readonly slotBytes: number;
  private readonly buffers: { ptr: number; bytes: number }[] = [];

  private constructor(private readonly engine: Engine, private readonly members: AttachedWorker<TeamWorkerApi>[]) {
    this.control = engine.arena.alloc(CONTROL_BYTES);
    engine.i32.fill(0, this.control >> 2, (this.control + CONTROL_BYTES) >> 2);
    this.slotBytes = Math.max(engine.core.planBytes(), engine.core.denseJobBytes());
    this.planSlots = Array.from({ length: this.size }, () => engine.arena.alloc(this.slotBytes));
  }

  /** A team of `threads` (this thread and threads − 1 workers running the team's worker script); in the
   *  background, the workers do not keep a Node process alive even while they start. */
  static async start(engine: Engine, threads: number, background = false): Promise<ThreadTeam> {
    if (!engine.shared) throw new ResourceError("init: threads > 1 needs shared wasm memory (in a browser: a cross-origin isolated page)");
    const members: AttachedWorker<TeamWorkerApi>[] = [];
    try {
      for (let i = 1; i < threads; i++) {
        members.push(await startAttached<TeamWorkerApi>(engine, "team", undefined, 0, background));
      }
    } catch (e) {
      await Promise.all(members.map((m) => stopAttached(engine, m)));
      throw new ResourceError(`init: a team thread could not start: ${(e as Error)?.message ?? String(e)}`);
    }
    const team = new ThreadTeam(engine, members);
    await Promise.all(members.map((m, i) => m.api.serveTeam(team.control, i + 1)));
    for (const m of members) m.worker.unref(); // an idle team never keeps a Node process alive
    return team;
  }

  /** Threads in the team, this one included. */
  get size(): number {
    return this.members.length + 1;
  }

  /** The barrier counter the parts of a job meet at (zeroed before every job). */
  get barrier(): number {
    return this.control + BARRIER * 4;
  }

  /** A buffer of at least `bytes` kept between jobs, grown on demand: slot k ≥ 1 is part k's
   *  workspace (part 0 works in the engine's scratch), slot 0 the buffers a job's parts share. */
  buffer(slot: number, bytes: number): number {
    const held = this.buffers[slot];
    if (held && held.bytes >= bytes) return held.ptr;
    if (held) this.engine.arena.release(held.ptr);
    const ptr = this.engine.arena.alloc(bytes);
    this.buffers[slot] = { ptr, bytes };
    return ptr;
  }

  /**
   * Runs `kernel` split in parts.length parts (at most size), each given its argument block (an
   * encoded SequencePlan or DenseJob): part k on member k, part 0 here; returns when all are done.
   * A part that fails (a trap) releases the barrier so the others finish, and the job fails: with
   * this thread's error, or a WorkerError for a member's.
   */
  run(kernel: TeamKernel, parts: Int32Array[]): void {
    const eng = this.engine, base = this.control >> 2;
    const index = TEAM_KERNELS.indexOf(kernel);
    if (parts.length > this.size || index < 0 || parts.some((block) => block.length * 4 > this.slotBytes)) throw new ShapeError(`ThreadTeam: cannot run ${kernel} in ${parts.length} parts`);
    const i32 = eng.i32;
    const addresses = parts.map((block, k) => {
      i32.set(block, this.planSlots[k] >> 2);
      return this.planSlots[k];
    });
    i32[base + KERNEL] = index;
    i32[base + PARTS] = parts.length;
    addresses.forEach((address, k) => (i32[base + PLANS + k] = address));
    i32[base + INTEGER_DOT] = eng.core.integerDot();
    Atomics.store(i32, base + BARRIER, 0);
    Atomics.store(i32, base + DONE, 0);
    Atomics.store(i32, base + FAILED, 0);
    Atomics.add(i32, base + GENERATION, 1);
    Atomics.notify(i32, base + GENERATION);
    this.jobs++;
    let failure: unknown = null;
    try {
      teamKernel(eng.core, kernel)(addresses[0]);
    } catch (e) {
      failure = e;
      poisonBarrier(eng.i32, base + BARRIER);
    }
    this.awaitMembers(kernel);
    if (failure) throw failure;
    if (Atomics.load(eng.i32, base + FAILED) > 0) throw new WorkerError(`a team thread failed while running ${kernel}`);
  }

  /** Waits (spinning, then asleep where this thread may sleep) until every member counted itself done. */
  private awaitMembers(kernel: string): void {
    const word = (this.control >> 2) + DONE, members = this.members.length;
    const deadline = performance.now() + JOB_TIMEOUT_MS;
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(this.engine.i32, word);
      if (done >= members) return;
      if (spins < SPINS) continue;
      if (performance.now() > deadline) throw new WorkerError(`a team thread did not finish ${kernel} within ${JOB_TIMEOUT_MS / 1000} s`);
      if (platform.mayBlock) Atomics.wait(this.engine.i32, word, done, 10);
    }
  }

  /** Ends the members and returns their memory. */
  async stop(): Promise<void> {
    const base = this.control >> 2, i32 = this.engine.i32;
    Atomics.store(i32, base + STOP, 1);
    Atomics.add(i32, base + GENERATION, 1);
    Atomics.notify(i32, base + GENERATION);
    await Promise.all(this.members.map((m) => stopAttached(this.engine, m)));
    for (const held of this.buffers) if (held) this.engine.arena.release(held.ptr);
    for (const slot of this.planSlots) this.engine.arena.release(slot);
    this.engine.arena.release(this.control);
  }
}
