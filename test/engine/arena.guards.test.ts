// The arena's guard mode (what the table-driven kernel tests turn on): off by default, guard bytes
// after every block once on, and checkGuards failing — naming the block — when a guard byte changed,
// whether the block is still live or was released since the last check; in the engine, the failure
// the kernel tests would report.

import { describe, expect, it } from "vitest";
import { Arena } from "../../src/engine/arena.js";
import { engine } from "../../src/engine/engine.js";
import { guardsIntact, initWithGuards } from "../helpers/guards.js";

function newArena(): { arena: Arena; memory: WebAssembly.Memory; bytes: Uint8Array } {
  const memory = new WebAssembly.Memory({ initial: 4 });
  return { arena: new Arena(memory, 1 << 20, { start: 0, end: memory.buffer.byteLength }), memory, bytes: new Uint8Array(memory.buffer) };
}

describe("arena guard mode", () => {
  it("is off by default: blocks keep their size and nothing follows them", () => {
    const { arena, bytes } = newArena();
    const a = arena.alloc(64), b = arena.alloc(64);
    expect(b - a).toBe(64);
    bytes.fill(1, a, a + 128);
    expect(() => arena.checkGuards()).not.toThrow();
  });

  it("puts guard bytes after each block's requested end, and passes while they are intact", () => {
    const { arena, bytes } = newArena();
    arena.guard(16);
    const a = arena.alloc(100), b = arena.alloc(64);
    expect(b - a).toBeGreaterThanOrEqual(116);
    bytes.fill(7, a, a + 100); // writing the whole block is fine
    bytes.fill(7, b, b + 64);
    expect(() => arena.checkGuards()).not.toThrow();
  });

  it("fails naming the block when one guard word of a live block is overwritten", () => {
    const { arena, memory } = newArena();
    arena.guard(16);
    arena.alloc(256);
    const b = arena.alloc(40);
    new Float32Array(memory.buffer, b + 40 + 8, 1)[0] = 1.5; // the third guard word
    expect(() => arena.checkGuards()).toThrow(new RegExp(`block at ${b} \\(40 bytes\\): guard byte 8 after its end`));
  });

  it("fails for a block whose guard was overwritten before it was released, once", () => {
    const { arena, bytes } = newArena();
    arena.guard(8);
    const a = arena.alloc(12);
    bytes[a + 12] = 0;
    arena.release(a);
    expect(() => arena.checkGuards()).toThrow(/block at \d+ \(12 bytes\).*found when it was released/);
    expect(() => arena.checkGuards()).not.toThrow();
  });

  it("in the engine: a float written just past a buffer fails the kernel tests' check, naming the call", async () => {
    await initWithGuards();
    const eng = engine();
    const ptr = eng.allocFloats(10);
    try {
      eng.write(ptr, new Float32Array(10).fill(1));
      expect(() => guardsIntact("writing 10 floats")).not.toThrow();
      eng.write(ptr, [1], 10); // one float too many, as an out-of-bounds store in a kernel would do
      expect(() => guardsIntact("writing 11 floats")).toThrow(new RegExp(`^after writing 11 floats: [^]*\\nblock at ${ptr} \\(40 bytes\\): guard byte 0 `));
    } finally {
      eng.release(ptr);
      eng.arena.guard(0);
    }
  });
});
