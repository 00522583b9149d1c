// SplitChoice, the thread team's and the pool's measured choice between a split run and a whole one, on given timings:
// it alternates while measuring, leaves each way's first call untimed, decides after three timings
// each way by the medians (split only where it takes at most 0.9 of the whole time), then keeps its
// choice, per shape.

import { describe, expect, it } from "vitest";
import { SplitChoice } from "../../src/engine/threads/split-choice.js";

/** Feeds `choice` the timings of `shape`: split[i] and whole[i], in the order it asks for them. */
function measure(choice: SplitChoice, shape: string, split: number[], whole: number[]): string[] {
  const asked: string[] = [];
  const calls = split.length + whole.length;
  for (let i = 0; i < calls; i++) {
    const way = choice.next(shape);
    asked.push(way);
    choice.record(shape, way, way === "split" ? split.shift()! : whole.shift()!);
  }
  return asked;
}

describe("SplitChoice", () => {
  it("alternates split and whole while measuring, then keeps the faster way by the medians", () => {
    const choice = new SplitChoice();
    expect(measure(choice, "fast split", [99, 5, 50, 6], [1, 10, 11, 9])).toEqual(["split", "whole", "split", "whole", "split", "whole", "split", "whole"]);
    expect(choice.decisions()).toEqual([{ shape: "fast split", splitMsPerStep: 6, wholeMsPerStep: 10, split: true }]);
    expect([choice.next("fast split"), choice.next("fast split")]).toEqual(["split", "split"]);
    measure(choice, "slow split", [1, 30, 31, 29], [99, 10, 11, 9]);
    expect(choice.next("slow split")).toBe("whole");
    measure(choice, "barely faster", [0, 9.5, 9.5, 9.5], [0, 10, 10, 10]); // 0.95 of the whole time: not enough
    expect(choice.next("barely faster")).toBe("whole");
    expect(choice.decisions().map((d) => d.split)).toEqual([true, false, false]);
  });

  it("is undecided until each way has three timings after its first, and ignores timings after its choice", () => {
    const choice = new SplitChoice();
    choice.record("s", "split", 1000); // first calls: not timed
    choice.record("s", "whole", 0);
    choice.record("s", "split", 1);
    choice.record("s", "split", 1);
    choice.record("s", "split", 1);
    choice.record("s", "whole", 5);
    expect(choice.decisions()[0].split).toBeNull();
    expect(choice.next("s")).toBe("whole");
    choice.record("s", "whole", 5);
    choice.record("s", "whole", 5);
    expect(choice.decisions()[0]).toEqual({ shape: "s", splitMsPerStep: 1, wholeMsPerStep: 5, split: true });
    choice.record("s", "split", 100);
    expect(choice.decisions()[0].splitMsPerStep).toBe(1);
  });
});
