// What a kernel case check (test/suites/kernels/*) works with: the test build's core, blocks of the
// engine's arena — in guard mode, so each has guard bytes after it — that the row's check fills and
// reads and that are released after the row, the check of every guard naming the call after which one
// changed, and, where the engine has them, its thread team and its choice of int8 inner product.
// Built over the sources' engine or the built package's (whose team workers need dist/): it asks only
// for what both have.

import type { DenseJob } from "../../src/engine/abi.js";
import type { IntegerDot } from "../../src/engine/integer-dot.js";
import type { TestingCore } from "./testing-core.js";

/** The parts of an engine (src/engine/engine.ts, or dist's) a kit uses. */
export interface KitEngine {
  readonly core: object;
  readonly memory: WebAssembly.Memory;
  readonly arena: { alloc(bytes: number): number; release(ptr: number): void; checkGuards(): void };
  readonly simd: "plain" | "relaxed";
}

/** A thread team running a dense layer's kernel split: one job per part, part k on member k. */
export interface KitTeam {
  readonly size: number;
  runDense(kernel: "dense.forward" | "dense.backward", parts: DenseJob[]): void;
}

/** The engine's choice of inner product for the int8 kernels (chooseIntegerDot on that engine). */
export type ChooseIntegerDot = (wanted: IntegerDot | "auto") => IntegerDot;

export class KernelKit {
  readonly core: TestingCore;
  private blocks: number[] = [];

  constructor(private readonly engine: KitEngine, readonly extras: { team?: KitTeam; chooseIntegerDot?: ChooseIntegerDot } = {}) {
    this.core = engine.core as TestingCore;
  }

  /** The SIMD build the engine runs. */
  get simd(): "plain" | "relaxed" {
    return this.engine.simd;
  }

  get f32(): Float32Array {
    return new Float32Array(this.engine.memory.buffer);
  }

  get i32(): Int32Array {
    return new Int32Array(this.engine.memory.buffer);
  }

  /** A guarded block of `bytes` bytes, released after the row. */
  bytes(bytes: number): number {
    const ptr = this.engine.arena.alloc(bytes);
    this.blocks.push(ptr);
    return ptr;
  }

  /** A guarded block of n floats holding `values` (a count: zeros). */
  floats(values: ArrayLike<number> | number): number {
    const n = typeof values === "number" ? values : values.length;
    const ptr = this.bytes(n * 4);
    if (typeof values === "number") this.f32.fill(0, ptr >> 2, (ptr >> 2) + n);
    else this.f32.set(values, ptr >> 2);
    return ptr;
  }

  /** A guarded block of int32 values. */
  int32s(values: ArrayLike<number>): number {
    const ptr = this.bytes(values.length * 4);
    this.i32.set(values, ptr >> 2);
    return ptr;
  }

  /** A guarded block of int8 values. */
  int8s(values: ArrayLike<number>): number {
    const ptr = this.bytes(values.length);
    new Int8Array(this.engine.memory.buffer, ptr, values.length).set(values);
    return ptr;
  }

  write(ptr: number, values: ArrayLike<number>): void {
    this.f32.set(values, ptr >> 2);
  }

  /** A copy of n floats at ptr. */
  read(ptr: number, n: number): Float32Array {
    return this.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }

  /** Throws when a guard byte of the arena changed, saying after which call. */
  guardsIntact(after: string): void {
    try {
      this.engine.arena.checkGuards();
    } catch (e) {
      throw new Error(`after ${after}: ${(e as Error).message}`);
    }
  }

  /** Releases the row's blocks (their guards are checked as they go: the next guardsIntact reports). */
  releaseAll(): void {
    for (const ptr of this.blocks.reverse()) this.engine.arena.release(ptr);
    this.blocks = [];
  }
}
