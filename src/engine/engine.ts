// The engine: one instantiated wasm core, its linear memory and the arena that allocates it, typed
// views that survive memory growth, and helpers to move Float32Arrays in and out. Everything else
// reaches wasm through here. `init()` creates the single engine of this JavaScript realm.

import { Arena, type Region } from "./arena.js";
import { compileCore, type CompiledCore, type LoadOptions, type SimdFlavor } from "./load.js";
import { PLAN_FIELDS, type CoreExports, type SequencePlan } from "./abi.js";
import { ResourceError } from "../errors.js";

export interface InitOptions extends LoadOptions {
  /** Upper bound on wasm memory the engine may allocate, in bytes (default 2 GiB). */
  memoryLimitBytes?: number;
  /** @internal A worker: the main thread's compiled module, and its shared memory to join (or null
   *  for a memory of the worker's own) with the region of it this worker allocates from and where it
   *  logs the pages it grows. */
  attach?: { core: CompiledCore; memory: WebAssembly.Memory | null; region?: Region; growthLog?: number };
}

const PAGE = 65536;
const DEFAULT_LIMIT = 2 ** 31;

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
    if (this.core.planBytes() !== PLAN_FIELDS.length * 4) {
      throw new Error(`wasm-rnn: plan layout mismatch (wasm ${this.core.planBytes()} bytes, engine ${PLAN_FIELDS.length * 4})`);
    }
    this.planPtr = this.arena.alloc(PLAN_FIELDS.length * 4);
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

  /** Writes a SequencePlan into the engine's plan block and returns its address. */
  writePlan(plan: SequencePlan): number {
    const i32 = this.i32;
    const base = this.planPtr >> 2;
    for (let i = 0; i < PLAN_FIELDS.length; i++) i32[base + i] = plan[PLAN_FIELDS[i]];
    return this.planPtr;
  }
}

let current: Engine | null = null;
let pending: Promise<Engine> | null = null;

/** Loads and instantiates the wasm core once; later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  if (current) return Promise.resolve(current);
  if (!pending) {
    pending = (async () => {
      const compiled = options.attach?.core ?? (await compileCore(options));
      const limit = options.memoryLimitBytes ?? DEFAULT_LIMIT;
      // A shared memory is reserved at its maximum up front, and is shared by every worker's arena.
      const maximum = compiled.shared ? 65536 : Math.min(65536, Math.ceil((limit + (64 << 20)) / PAGE));
      const joined = options.attach?.memory ?? null;
      const memory = joined ?? new WebAssembly.Memory({ initial: 256, maximum, shared: compiled.shared } as WebAssembly.MemoryDescriptor);
      const instance = await WebAssembly.instantiate(compiled.module, {
        env: {
          memory,
          abort: () => {
            throw new ResourceError("wasm core aborted");
          },
        },
      });
      current = new Engine(instance, memory, compiled, limit, joined && { region: options.attach?.region ?? null, growthLog: options.attach?.growthLog ?? 0 });
      return current;
    })().catch((e) => {
      pending = null;
      throw e;
    });
  }
  return pending;
}

/** The engine, or a ResourceError telling the caller to `await init()` first. */
export function engine(): Engine {
  if (!current) throw new ResourceError("wasm-rnn is not initialised: call `await init()` first");
  return current;
}
