// Wasm memory a plan step owns for its whole life (packed weights, constants, shape descriptors),
// written once when the step is made and freed when the plan is: one allocation per buffer, all
// released by dispose.

import type { Engine } from "../../../engine/engine.js";

export class OwnedMemory {
  private readonly blocks: number[] = [];

  constructor(readonly engine: Engine) {}

  /** A buffer of n floats (contents unspecified). */
  floats(n: number): number {
    const ptr = this.engine.arena.alloc(Math.max(4, n * 4));
    this.blocks.push(ptr);
    return ptr;
  }

  /** A copy of `values` as float32 in wasm memory. */
  floatsOf(values: ArrayLike<number>): number {
    const ptr = this.floats(values.length);
    this.engine.write(ptr, values);
    return ptr;
  }

  /** A copy of `values` as int32 in wasm memory (kernel descriptors). */
  intsOf(values: ArrayLike<number>): number {
    const ptr = this.engine.arena.alloc(Math.max(4, values.length * 4));
    this.blocks.push(ptr);
    this.engine.writeInt32(ptr, values);
    return ptr;
  }

  dispose(): void {
    for (const ptr of this.blocks) this.engine.release(ptr);
    this.blocks.length = 0;
  }
}
