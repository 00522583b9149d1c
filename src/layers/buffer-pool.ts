// Named wasm buffers that a layer reuses from call to call: a buffer is reallocated only when a call
// needs more room than it has, so repeated calls of the same size never grow memory.

import type { Engine } from "../engine/engine.js";

/** @internal Named wasm buffers a layer or model reuses from call to call. */
export class BufferPool {
  private readonly buffers = new Map<string, { ptr: number; bytes: number }>();

  constructor(private readonly engine: Engine) {}

  /** Address of the buffer `name`, holding at least n floats (contents unspecified). */
  floats(name: string, n: number): number {
    return this.bytes(name, n * 4);
  }

  /** Address of the buffer `name`, holding at least n int32s. */
  ints(name: string, n: number): number {
    return this.bytes(name, n * 4);
  }

  private bytes(name: string, bytes: number): number {
    const held = this.buffers.get(name);
    if (held && held.bytes >= bytes) return held.ptr;
    if (held) {
      this.engine.release(held.ptr);
      this.buffers.delete(name);
    }
    const ptr = this.engine.arena.alloc(bytes);
    this.buffers.set(name, { ptr, bytes });
    return ptr;
  }

  /** Bytes held by all buffers (what calls can reuse without allocating). */
  get heldBytes(): number {
    let sum = 0;
    for (const { bytes } of this.buffers.values()) sum += bytes;
    return sum;
  }

  dispose(): void {
    for (const { ptr } of this.buffers.values()) this.engine.release(ptr);
    this.buffers.clear();
  }
}
