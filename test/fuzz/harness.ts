// One parser fuzz target as a vitest test: FUZZ_SECONDS (default 60) of coverage-guided fuzzing from its
// committed corpus, from a fixed PRNG seed or FUZZ_SEED; crashing inputs are saved to
// test/fixtures/fuzz/<target>/regressions/ to be committed.

import { relative } from "node:path";
import { expect, it } from "vitest";
import { fuzz } from "./engine.js";
import type { TargetName } from "./targets.js";

const seconds = Number(process.env.FUZZ_SECONDS ?? 60);
if (!(seconds >= 0)) throw new Error(`FUZZ_SECONDS must be a number of seconds ≥ 0; got ${JSON.stringify(process.env.FUZZ_SECONDS)}`);

/** Registers the fuzz test of `name`; the mutations follow `fixedSeed`, or FUZZ_SEED when set (as far as a time budget allows). */
export function fuzzTest(name: TargetName, fixedSeed: number): void {
  const seed = Number(process.env.FUZZ_SEED ?? fixedSeed);
  it(`${name}: ${seconds} s of coverage-guided fuzzing finds no crash, hang or slow input`, async () => {
    const started = performance.now();
    // The target is imported only once coverage runs, so the parsers' functions get block counters.
    const stats = await fuzz(async () => (await import("./targets.js")).target(name), { budgetMs: seconds * 1000, seed, coverageUrl: "/src/io/" });
    console.log(`fuzz ${name} (seed ${seed}): ${stats.executions} executions (${Math.round((stats.executions / (performance.now() - started)) * 60_000)}/min), corpus ${stats.corpusSize}, ${stats.coveredBlocks} blocks of src/io covered`);
    const report = stats.crashes.map(({ file, problem }) => `${relative(process.cwd(), file)}:\n  ${problem.replaceAll("\n", "\n  ")}`);
    expect(report, `crashing inputs were saved under test/fixtures/fuzz/${name}/regressions/; commit them (test/fuzz/regressions.test.ts replays them) and fix the parser`).toEqual([]);
  }, seconds * 1000 + 60_000);
}
