// The engine's choice of inner product for the int8 kernels (src/engine/integer-dot.ts), on the relaxed
// build: each one is accepted by name or refused as giving wrong sums here (the i16 dot never is); the
// choice it measures is a relaxed dot wherever one is accepted, and is measured once more a second
// later; a named one is not. Whether every inner product gives the naive reference's outputs, and that
// one that does not is refused and never chosen, is the int8 case table's test (test/cases/int8.json,
// test/suites/kernels/int8.ts).

import { describe, expect, it } from "vitest";
import { chooseIntegerDot, INTEGER_DOTS, type IntegerDot } from "../../src/engine/integer-dot.js";
import { initEngine } from "../../src/engine/init.js";

const DOTS: IntegerDot[] = ["i16", "relaxed-i16", "relaxed"];

describe("the int8 kernels' inner product (relaxed build)", () => {
  it("is accepted by name, or refused as giving wrong sums on this engine; the measured choice is an accepted one", async () => {
    const engine = await initEngine({ threads: 1, simd: "relaxed" });
    const accepted = DOTS.filter((dot) => {
      try {
        return chooseIntegerDot(engine, dot) === dot;
      } catch (e) {
        expect((e as Error).message).toMatch(new RegExp(`integerDot "${dot}" gives wrong sums on this engine`));
        return false;
      }
    });
    expect(accepted).toContain("i16");
    expect(accepted).toContain(chooseIntegerDot(engine, "auto"));
  });

  // Node 20's V8 11.3 runs the relaxed dot into i32 wrong in its baseline code only (a fresh kernel's
  // first calls): a probe after the optimised code arrives passes it, so it is refused outright there.
  it.runIf(Number(process.versions.node.split(".")[0]) < 22)("Node 20: the relaxed dot into i32 is refused by name and never chosen, even once its optimised code runs", async () => {
    const engine = await initEngine({ threads: 1, simd: "relaxed" });
    // run the relaxed dot into i32 until its optimised code has surely arrived (where a probe passes it)
    const { core, arena } = engine;
    const [N, K] = [16, 16];
    const packed = arena.alloc(core.int8PackedBytes(N, K)), x = arena.alloc(K * 4), y = arena.alloc(N * 4), work = arena.alloc(core.int8WorkspaceBytes(K));
    core.setIntegerDot(INTEGER_DOTS.relaxed);
    for (const start = performance.now(); performance.now() - start < 300; ) for (let i = 0; i < 1000; i++) core.int8Product(1, N, K, x, K, packed, y, N, 0, work);
    for (const block of [work, y, x, packed]) arena.release(block);
    expect(() => chooseIntegerDot(engine, "relaxed")).toThrow(/integerDot "relaxed" gives wrong sums on this engine/);
    expect(chooseIntegerDot(engine, "auto")).not.toBe("relaxed");
  });

  it("a measured choice is a relaxed dot, measured once more a second later; a named one is not", async () => {
    const engine = await initEngine({ threads: 1, simd: "relaxed" });
    const relaxedRight = DOTS.filter((dot) => {
      if (dot === "i16") return false;
      try {
        return chooseIntegerDot(engine, dot) === dot;
      } catch {
        return false;
      }
    });
    const chosen = chooseIntegerDot(engine, "auto");
    if (relaxedRight.length > 0) expect(chosen).not.toBe("i16"); // i16 only where no relaxed dot is right
    if (relaxedRight.length > 1) {
      expect(engine.integerDotRecheck! - performance.now()).toBeGreaterThan(500);
      engine.integerDotRecheck = 0; // due: the next int8 kernel measures again, and only once
      expect(relaxedRight).toContain(engine.readyIntegerDot());
      expect(engine.integerDotRecheck).toBeNull();
    }
    chooseIntegerDot(engine, "i16");
    expect(engine.integerDotRecheck).toBeNull();
    chooseIntegerDot(engine, "auto");
  });
});
