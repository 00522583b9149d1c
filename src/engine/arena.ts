// Allocation of wasm linear memory, which the engine owns (the AssemblyScript kernels have no
// allocator): first-fit over a free list sorted by address, coalescing on free, growing the memory
// when nothing fits. Every block is 64-byte aligned (cache lines, SIMD loads). Address 0 is never
// handed out, so kernels can use 0 for "absent". With a shared memory each thread has its own arena:
// it owns the region it was given and the pages its own memory.grow calls returned (grow is atomic
// and reports where the new pages start), so arenas never hand out the same bytes.

import { ResourceError } from "../errors.js";

const ALIGN = 64;
const PAGE = 65536;

interface FreeBlock {
  start: number;
  size: number;
}

export class Arena {
  private readonly free: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();
  private used = 0;

  /**
   * `region`: the bytes this arena starts with — for the first arena, from the first byte after the
   * module's static data to the end of memory; none for a worker's arena on a shared memory.
   */
  constructor(private readonly memory: WebAssembly.Memory, private readonly limitBytes: number, region: { start: number; end: number } | null) {
    if (region) {
      const start = Math.max(ALIGN, Math.ceil(region.start / ALIGN) * ALIGN);
      if (region.end > start) this.free.push({ start, size: region.end - start });
    }
  }

  /** Bytes currently allocated. */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes of linear memory (allocated or free). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** A block of at least `bytes` bytes; throws ResourceError beyond the memory limit. */
  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new ResourceError(`cannot allocate ${bytes} bytes`);
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    if (this.used + size > this.limitBytes) {
      throw new ResourceError(
        `allocating ${formatBytes(size)} would exceed the memory limit of ${formatBytes(this.limitBytes)} ` +
          `(${formatBytes(this.used)} in use); raise it with init({ memoryLimitBytes })`,
      );
    }
    let index = this.free.findIndex((b) => b.size >= size);
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
    return start;
  }

  /** Returns a block to the free list; freeing 0 does nothing. */
  release(ptr: number): void {
    if (ptr === 0) return;
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`arena: ${ptr} is not an allocated block`);
    this.sizes.delete(ptr);
    this.used -= size;
    let i = 0;
    while (i < this.free.length && this.free[i].start < ptr) i++;
    this.free.splice(i, 0, { start: ptr, size });
    this.coalesce(i);
    if (i > 0) this.coalesce(i - 1);
  }

  /** Merges free[i] with free[i + 1] when they touch. */
  private coalesce(i: number): void {
    const a = this.free[i], b = this.free[i + 1];
    if (a && b && a.start + a.size === b.start) {
      a.size += b.size;
      this.free.splice(i + 1, 1);
    }
  }

  /** Grows memory by at least `size` bytes, adds the new pages as a free block, returns its index. */
  private grow(size: number): number {
    const total = this.memory.buffer.byteLength;
    // Grow by at least half the current size (and 16 MiB) so repeated growth stays cheap.
    const preferred = Math.max(Math.ceil(size / PAGE), Math.ceil(total / PAGE / 2), 256);
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
    const start = firstPage * PAGE;
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    this.free.splice(i, 0, { start, size: pages * PAGE });
    if (i > 0 && this.free[i - 1].start + this.free[i - 1].size === start) {
      this.coalesce(i - 1);
      i--;
    }
    return i;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
