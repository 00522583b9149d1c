// Allocation of wasm linear memory, which the engine owns (the AssemblyScript kernels have no
// allocator): best-fit over a free list sorted by address (small blocks fill small holes and leave
// large ones whole for large blocks, such as a worker's region), coalescing on free, growing the memory
// when nothing fits. Every block is 64-byte aligned (cache lines, SIMD loads). Address 0 is never
// handed out, so kernels can use 0 for "absent". With a shared memory each thread has its own arena:
// it owns the region it was given and the pages its own memory.grow calls returned (grow is atomic
// and reports where the new pages start), so arenas never hand out the same bytes. A worker's arena
// records the pages it grows in a growth log in the shared memory, so that when the worker ends,
// the main thread takes its region and those pages back (`adopt`) and memory does not creep.
// Tests can turn on a guard mode (`guard`): every block then ends in guard bytes of a fixed pattern
// that `checkGuards` verifies, catching kernels that write past their buffers.

import { ResourceError } from "../errors.js";

const ALIGN = 64;
const PAGE = 65536;
/** The byte guard mode writes after every block (0xA5: a tiny float, harmless if a kernel reads it). */
const GUARD_BYTE = 0xa5;

interface FreeBlock {
  start: number;
  size: number;
}

/** Entries a growth log holds: each growth at least doubles by half an arena's bytes, so a few dozen
 *  growths reach the 4 GiB ceiling of wasm32 memory. */
const GROWTH_LOG_ENTRIES = 62;
/** Bytes of a growth log: an int32 count, then (first page, page count) pairs. */
export const GROWTH_LOG_BYTES = 8 + GROWTH_LOG_ENTRIES * 8;

export interface Region {
  start: number;
  end: number;
}

export class Arena {
  private readonly free: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();
  private used = 0;
  /** Bytes this arena was given or grew (what a growth is sized against). */
  private owned = 0;
  /** Guard mode: bytes of GUARD_BYTE after the requested end of each block (0: off). */
  private guardBytes = 0;
  /** Guard mode: per guarded block, the bytes it was asked for (its guard starts there) and its guard's length. */
  private readonly guarded = new Map<number, { bytes: number; guard: number }>();
  /** Guard mode: blocks whose guard had changed when they were released, until checkGuards reports them. */
  private readonly damagedOnRelease: string[] = [];

  /**
   * `region`: the bytes this arena starts with — for the first arena, from the first byte after the
   * module's static data to the end of memory; for a worker's arena on a shared memory, a block the
   * main thread allocated for it. `growthLog`: where a worker's arena records the pages it grows.
   */
  constructor(private readonly memory: WebAssembly.Memory, private readonly limitBytes: number, region: Region | null, private readonly growthLog = 0) {
    if (region) {
      const start = Math.max(ALIGN, Math.ceil(region.start / ALIGN) * ALIGN);
      if (region.end > start) {
        this.free.push({ start, size: region.end - start });
        this.owned = region.end - start;
      }
    }
  }

  /** Bytes currently allocated. */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes that may still be allocated under the memory limit. */
  get availableBytes(): number {
    return this.limitBytes - this.used;
  }

  /** Bytes of linear memory (allocated or free). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** A block of at least `bytes` bytes; throws ResourceError beyond the memory limit. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new ResourceError(`cannot allocate ${bytes} bytes`);
    const size = Math.max(ALIGN, Math.ceil((bytes + this.guardBytes) / ALIGN) * ALIGN);
    if (this.used + size > this.limitBytes) {
      throw new ResourceError(
        `allocating ${formatBytes(size)} would exceed the memory limit of ${formatBytes(this.limitBytes)} ` +
          `(${formatBytes(this.used)} in use); raise it with init({ memoryLimitBytes })`,
      );
    }
    let index = -1;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].size >= size && (index < 0 || this.free[i].size < this.free[index].size)) index = i;
    }
    if (index < 0) index = this.grow(size);
    const block = this.free[index];
    const start = block.start;
    if (block.size === size) this.free.splice(index, 1);
    else {
      block.start += size;
      block.size -= size;
    }
    this.sizes.set(start, size);
    this.used += size;
    if (this.guardBytes) {
      this.guarded.set(start, { bytes, guard: this.guardBytes });
      new Uint8Array(this.memory.buffer, start + bytes, this.guardBytes).fill(GUARD_BYTE);
    }
    return start;
  }

  /** Returns a block to the free list; freeing 0 does nothing. */
  release(ptr: number): void {
    if (ptr === 0) return;
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`arena: ${ptr} is not an allocated block`);
    this.sizes.delete(ptr);
    this.used -= size;
    if (this.guarded.size !== 0 && this.guarded.has(ptr)) {
      const damage = this.guardDamage(ptr);
      if (damage) this.damagedOnRelease.push(`${damage} (found when it was released)`);
      this.guarded.delete(ptr);
    }
    this.insertFree(ptr, size);
  }

  /**
   * @internal Guard mode, for tests: from now on every block is followed by `bytes` bytes of a fixed
   * pattern, which checkGuards verifies. Off by default (allocation then costs nothing extra); turn it
   * on before the layers under test are built, since blocks allocated earlier have no guard.
   */
  guard(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`arena.guard: bytes must be an integer ≥ 0; got ${bytes}`);
    this.guardBytes = bytes;
  }

  /** @internal Throws an Error naming every guarded block whose guard bytes changed: live blocks now,
   *  and blocks found damaged when they were released since the last check. */
  checkGuards(): void {
    const damaged = this.damagedOnRelease.splice(0);
    for (const ptr of this.guarded.keys()) {
      const damage = this.guardDamage(ptr);
      if (damage) damaged.push(damage);
    }
    if (damaged.length) throw new Error(`arena: something wrote past the end of ${damaged.length} block(s):\n${damaged.join("\n")}`);
  }

  /** What changed in the guard of block `ptr`, or null when it is intact. */
  private guardDamage(ptr: number): string | null {
    const { bytes, guard: length } = this.guarded.get(ptr)!;
    const guard = new Uint8Array(this.memory.buffer, ptr + bytes, length);
    const first = guard.findIndex((b) => b !== GUARD_BYTE);
    if (first < 0) return null;
    return `block at ${ptr} (${bytes} bytes): guard byte ${first} after its end is 0x${guard[first].toString(16)}, not 0x${GUARD_BYTE.toString(16)}`;
  }

  /** Takes bytes no other arena uses any more (an ended worker's pages) as free space of this one. */
  adopt(start: number, size: number): void {
    this.owned += size;
    this.insertFree(start, size);
  }

  /** Adds a free block in address order, merged with its neighbours; returns the merged block's index. */
  private insertFree(start: number, size: number): number {
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    this.free.splice(i, 0, { start, size });
    this.coalesce(i);
    if (i > 0 && this.coalesce(i - 1)) i--;
    return i;
  }

  /** Merges free[i] with free[i + 1] when they touch; says whether it did. */
  private coalesce(i: number): boolean {
    const a = this.free[i], b = this.free[i + 1];
    if (!a || !b || a.start + a.size !== b.start) return false;
    a.size += b.size;
    this.free.splice(i + 1, 1);
    return true;
  }

  /** Grows memory by at least `size` bytes, adds the new pages as a free block, returns its index. */
  private grow(size: number): number {
    const total = this.memory.buffer.byteLength;
    // Grow by at least half of what this arena holds (and 16 MiB) so repeated growth stays cheap.
    const preferred = Math.max(Math.ceil(size / PAGE), Math.ceil(this.owned / PAGE / 2), 256);
    let firstPage: number;
    let pages = preferred;
    try {
      firstPage = this.memory.grow(pages);
    } catch {
      pages = Math.ceil(size / PAGE);
      try {
        firstPage = this.memory.grow(pages);
      } catch {
        throw new ResourceError(`wasm memory cannot grow by ${formatBytes(size)} (at ${formatBytes(total)})`);
      }
    }
    if (this.growthLog) this.logGrowth(firstPage, pages);
    this.owned += pages * PAGE;
    return this.insertFree(firstPage * PAGE, pages * PAGE);
  }

  private logGrowth(firstPage: number, pages: number): void {
    const log = new Int32Array(this.memory.buffer, this.growthLog, GROWTH_LOG_BYTES / 4);
    const count = log[0];
    if (count >= GROWTH_LOG_ENTRIES) throw new ResourceError("a worker's memory grew more times than its growth log holds");
    log[1 + 2 * count] = firstPage;
    log[2 + 2 * count] = pages;
    log[0] = count + 1;
  }
}

/** The regions a worker's arena grew, read from its growth log (after the worker has ended). */
export function grownRegions(memory: WebAssembly.Memory, growthLog: number): Region[] {
  const log = new Int32Array(memory.buffer, growthLog, GROWTH_LOG_BYTES / 4);
  return Array.from({ length: Math.min(log[0], GROWTH_LOG_ENTRIES) }, (_, k) => ({ start: log[1 + 2 * k] * PAGE, end: (log[1 + 2 * k] + log[2 + 2 * k]) * PAGE }));
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
