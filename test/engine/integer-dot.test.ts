// The engine's choice of inner product for the int8 kernels (src/engine/integer-dot.ts), on the relaxed
// build: each one is accepted by name or refused as giving wrong sums here (the i16 dot never is); the
// choice it measures is a relaxed dot wherever one is accepted, and is measured once more a second
// later; a named one is not. Whether every inner product gives the naive reference's outputs, and that
// one that does not is refused and never chosen, is the int8 case table's test (test/cases/int8.json,
// test/suites/kernels/int8.ts).

import { describe, expect, it } from "vitest";
import { chooseIntegerDot, type IntegerDot } from "../../src/engine/integer-dot.js";
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
