// The engine: one instantiated wasm core, its linear memory and the arena that allocates it, typed
// views that survive memory growth, helpers to move Float32Arrays in and out, and the thread team
// kernels may split over. Everything else reaches wasm through here. There is one engine per
// JavaScript realm: init.ts starts it on the main thread (and sizes its team), attachEngine in a
// worker; `engineInfo()` says what it runs with.

import { Arena, type Region } from "./arena.js";
import type { CompiledCore, SimdFlavor } from "./load.js";
import { DENSE_JOB_FIELDS, PLAN_FIELDS, type CoreExports, type DenseJob, type SequencePlan } from "./abi.js";
import { ResourceError } from "../errors.js";
import { platform } from "../platform/current.js";
import type { ThreadTeam } from "./threads/team.js";
import { chooseIntegerDot, type IntegerDot } from "./integer-dot.js";

/** @internal What a worker joins: the main thread's compiled module, and its shared memory (or null
 *  for a memory of the worker's own) with the region of it this worker allocates from and where it
 *  logs the pages it grows. */
export interface Attachment {
  core: CompiledCore;
  memory: WebAssembly.Memory | null;
  region?: Region;
  growthLog?: number;
  memoryLimitBytes?: number;
}

/** Run after a thread team starts and before the call that started it resolves (what the layers
 *  register to warm the team's kernels and measure which splits pay: layers/team-warm-up.ts). */
const teamStartHooks: ((engine: Engine) => void)[] = [];

/** @internal Registers a hook run whenever a thread team has started. */
export function onTeamStart(hook: (engine: Engine) => void): void {
  teamStartHooks.push(hook);
}

const PAGE = 65536;
const DEFAULT_LIMIT = 2 ** 31;

/** @internal Starts a thread team of `threads` on an engine (ThreadTeam.start; passed in by init, so
 *  that worker scripts, which never start a team, do not carry the code that spawns workers). */
export type TeamStarter = (engine: Engine, threads: number, background: boolean) => Promise<ThreadTeam>;

/** @internal */
export class Engine {
  readonly core: CoreExports;
  readonly arena: Arena;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private scratchPtr = 0;
  private scratchBytes = 0;
  readonly planPtr: number;

  /** `joined`: for a worker's engine on the main thread's shared memory, the region it was given and
   *  its growth log; otherwise this engine owns the memory after the static data. */
  constructor(instance: WebAssembly.Instance, readonly memory: WebAssembly.Memory, readonly compiled: CompiledCore, limitBytes: number, joined: { region: Region | null; growthLog: number } | null) {
    this.core = instance.exports as unknown as CoreExports;
    // Static data (Math's tables) sits below heapBase; everything the engine allocates goes above it.
    this.arena = joined
      ? new Arena(memory, limitBytes, joined.region, joined.growthLog)
      : new Arena(memory, limitBytes, { start: this.core.heapBase(), end: memory.buffer.byteLength });
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    if (this.core.planBytes() !== PLAN_FIELDS.length * 4 || this.core.denseJobBytes() !== DENSE_JOB_FIELDS.length * 4) {
      throw new Error(`wasm-rnn: plan layout mismatch (wasm ${this.core.planBytes()}/${this.core.denseJobBytes()} bytes, engine ${PLAN_FIELDS.length * 4}/${DENSE_JOB_FIELDS.length * 4})`);
    }
    this.planPtr = this.arena.alloc(PLAN_FIELDS.length * 4);
    if (!platform.mayBlock) this.core.setBlockingWaits(0);
  }

  /** The team kernels split over (null: one thread). */
  team: ThreadTeam | null = null;
  /** Which splits this engine measured to pay on its team: a batch by rows, one sequence by hidden
   *  units (true until measured; set when a team starts). */
  splitsPay = { rows: true, units: true };
  /** The inner product the int8 kernels use (integer-dot.ts), once chosen. */
  integerDot: IntegerDot | null = null;
  /** When (performance.now()) a measured choice is measured once more, or null: named, or re-measured. */
  integerDotRecheck: number | null = null;

  /** Chooses the int8 kernels' inner product before the first int8 kernel runs, and measures the
   *  choice once more at the first int8 kernel RECHECK_MS later (integer-dot.ts). */
  readyIntegerDot(): IntegerDot {
    if (this.integerDot === null) return chooseIntegerDot(this);
    if (this.integerDotRecheck !== null && performance.now() >= this.integerDotRecheck) return chooseIntegerDot(this, "auto", true);
    return this.integerDot;
  }
  private teamChange: Promise<void> = Promise.resolve();

  /** Threads kernels run on (1 without a team). */
  get threads(): number {
    return this.team?.size ?? 1;
  }

  /**
   * Resizes the thread team to `threads` (1 ends it); changes run one after another. In the
   * background (the default size at start-up), its workers never keep a Node process alive, even
   * while they start, and kernels run on this thread until the team is ready.
   */
  useThreads(threads: number, startTeam: TeamStarter, background = false): Promise<void> {
    const change = this.teamChange.then(async () => {
      if (threads === this.threads) return;
      const old = this.team;
      this.team = null;
      await old?.stop();
      if (threads > 1) {
        this.team = await startTeam(this, threads, background);
        for (const hook of teamStartHooks) hook(this);
      }
    });
    this.teamChange = change.catch(() => undefined);
    return change;
  }

  /** The SIMD build in use. */
  get simd(): SimdFlavor {
    return this.compiled.flavor;
  }

  /** Whether the memory is shared (worker pools then run on the same weights). */
  get shared(): boolean {
    return this.compiled.shared;
  }

  /** Float32 view of all of memory (recreated after growth). */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.i32View = new Int32Array(this.memory.buffer);
    return this.i32View;
  }

  allocFloats(n: number): number {
    return this.arena.alloc(n * 4);
  }

  release(ptr: number): void {
    this.arena.release(ptr);
  }

  /** Copies `src` to wasm memory at byte address `ptr`. */
  write(ptr: number, src: ArrayLike<number>, offset = 0): void {
    this.f32.set(src, (ptr >> 2) + offset);
  }

  writeInt32(ptr: number, src: ArrayLike<number>): void {
    this.i32.set(src, ptr >> 2);
  }

  fill(ptr: number, n: number, value = 0): void {
    this.f32.fill(value, ptr >> 2, (ptr >> 2) + n);
  }

  /** A JavaScript-owned copy of n floats at `ptr`. */
  read(ptr: number, n: number): Float32Array {
    return this.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }

  /** A view of n floats at `ptr`, valid only until the next allocation. */
  view(ptr: number, n: number): Float32Array {
    return this.f32.subarray(ptr >> 2, (ptr >> 2) + n);
  }

  /** Copies `floats` floats from byte address `src` to byte address `dst`. */
  copy(dst: number, src: number, floats: number): void {
    this.f32.copyWithin(dst >> 2, src >> 2, (src >> 2) + floats);
  }

  /** dst[r, 0..columns] = src[r, 0..columns] for r < rows: byte addresses, row strides in floats (a column slice of wider rows). */
  copyColumns(rows: number, columns: number, src: number, srcRowFloats: number, dst: number, dstRowFloats: number): void {
    const f32 = this.f32;
    for (let r = 0, s = src >> 2, d = dst >> 2; r < rows; r++, s += srcRowFloats, d += dstRowFloats) f32.copyWithin(d, s, s + columns);
  }

  /** dst[r, 0..columns] += src[r, 0..columns] for r < rows, addressed as in copyColumns (each sum rounded to f32, as in wasm). */
  addColumns(rows: number, columns: number, src: number, srcRowFloats: number, dst: number, dstRowFloats: number): void {
    const f32 = this.f32;
    for (let r = 0, s = src >> 2, d = dst >> 2; r < rows; r++, s += srcRowFloats, d += dstRowFloats) {
      for (let j = 0; j < columns; j++) f32[d + j] += f32[s + j];
    }
  }

  /** Bytes held by the shared kernel workspace (sized by the largest call so far, reused by every layer). */
  get scratchSize(): number {
    return this.scratchBytes;
  }

  /** Shared scratch for kernel workspaces (single-threaded: one call at a time), grown on demand. */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      this.arena.release(this.scratchPtr);
      this.scratchPtr = 0;
      this.scratchBytes = 0;
      this.scratchPtr = this.arena.alloc(bytes);
      this.scratchBytes = bytes;
    }
    return this.scratchPtr;
  }

  /** Writes a SequencePlan into the engine's plan block and returns its address (every kernel call:
   *  field by field, no allocation). */
  writePlan(plan: SequencePlan): number {
    const i32 = this.i32;
    const base = this.planPtr >> 2;
    for (let i = 0; i < PLAN_FIELDS.length; i++) i32[base + i] = plan[PLAN_FIELDS[i]];
    return this.planPtr;
  }
}

/** @internal A SequencePlan as the i32 words of its ABI. */
export function encodePlan(plan: SequencePlan): Int32Array {
  return Int32Array.from(PLAN_FIELDS, (field) => plan[field]);
}

/** @internal A DenseJob as the i32 words of its ABI. */
export function encodeDenseJob(job: DenseJob): Int32Array {
  return Int32Array.from(DENSE_JOB_FIELDS, (field) => job[field]);
}

let current: Engine | null = null;
let pending: Promise<Engine> | null = null;

const PAGE_LIMIT = 65536;

/** @internal Whether this realm's engine has been started (it may still be loading). */
export function engineStarted(): boolean {
  return pending !== null;
}

/** @internal Instantiates the engine of this realm (once) on the core `load` gives, in a new memory
 *  or a joined one, allowed `limit` bytes (default 2 GiB). */
export function startEngine(load: () => Promise<CompiledCore>, limit = DEFAULT_LIMIT, attachment: Attachment | null = null): Promise<Engine> {
  if (!pending) {
    pending = (async () => {
      const compiled = await load();
      // A shared memory is reserved at its maximum up front, and is shared by every worker's arena.
      const maximum = compiled.shared ? PAGE_LIMIT : Math.min(PAGE_LIMIT, Math.ceil((limit + (64 << 20)) / PAGE));
      const joined = attachment?.memory ?? null;
      const memory = joined ?? new WebAssembly.Memory({ initial: 256, maximum, shared: compiled.shared } as WebAssembly.MemoryDescriptor);
      const instance = await WebAssembly.instantiate(compiled.module, {
        env: {
          memory,
          abort: () => {
            throw new ResourceError("wasm core aborted");
          },
        },
      });
      current = new Engine(instance, memory, compiled, limit, joined && { region: attachment?.region ?? null, growthLog: attachment?.growthLog ?? 0 });
      return current;
    })().catch((e) => {
      pending = null;
      throw e;
    });
  }
  return pending;
}

/** @internal A worker's engine on the core (and memory, region, growth log) it was given. */
export async function attachEngine(attachment: Attachment): Promise<Engine> {
  return startEngine(async () => attachment.core, attachment.memoryLimitBytes, attachment);
}

/** What the engine runs with. */
export interface EngineInfo {
  /** Threads kernels split over (1: this thread only). */
  threads: number;
  /** Whether the wasm memory is shared with workers. */
  sharedMemory: boolean;
  /** WebAssembly SIMD (always: the core needs it). */
  simd: boolean;
  /** Whether the relaxed-SIMD build (fused multiply-add) is in use. */
  relaxedSimd: boolean;
  /** Kernel calls the current thread team has split across its threads since it started (0 on one
   *  thread): whether a workload is large enough to split. */
  splitKernels: number;
  /** The inner product of the int8 kernels (quantized inference): the relaxed-SIMD i8·i7 dot into
   *  i32 or into i16, or the plain-SIMD i16 dot — the fastest that is exact here, chosen when the
   *  first int8 kernel runs (null before) or named by init({ integerDot }). */
  integerDot: IntegerDot | null;
}

/** What `init()` gave: threads (those running now: a default team still starting counts as one),
 *  shared memory, SIMD flavour. */
export function engineInfo(): EngineInfo {
  const eng = engine();
  return { threads: eng.threads, sharedMemory: eng.shared, simd: true, relaxedSimd: eng.simd === "relaxed", splitKernels: eng.team?.jobs ?? 0, integerDot: eng.integerDot };
}

/** @internal The engine, or a ResourceError telling the caller to `await init()` first. */
export function engine(): Engine {
  if (!current) throw new ResourceError("wasm-rnn is not initialised: call `await init()` first");
  return current;
}
