// The driver of the kernel case tables (test/cases/<family>.json): every row of every family checked
// on one thread against its naive reference, once per SIMD build with a private memory
// (kernel-cases.plain/relaxed.test.ts, since the builds round differently and the engine is one per
// test file); and the rows of the families the thread team runs, split over a team on the shared
// memory (kernel-cases.threads.test.ts). The engine runs the
// test build (build/testing/: the shipped kernels plus the naive references) with the arena in guard
// mode, so every block a row allocates is followed by guard bytes, checked after every call and when
// the row's blocks are released.

import { beforeAll, describe, expect, it } from "vitest";
import { engine } from "../../src/engine/engine.js";
import { chooseIntegerDot } from "../../src/engine/integer-dot.js";
import { initWithGuards } from "../helpers/guards.js";
import { KernelKit } from "../helpers/kernel-kit.js";
import { TESTING_BUILD } from "../helpers/testing-core.js";
import type { KernelCase } from "../cases/kernel-table.js";
import type { KernelFamily } from "./kernels/family.js";

/** Runs check(row, kit) as one test per row, then releases the row's blocks and checks their guards
 *  (always: so that a failed row's damage is reported with it, not with the next row). */
function rowTests<Row extends KernelCase>(rows: readonly Row[], kit: () => KernelKit, check: (row: Row, kit: KernelKit) => void): void {
  for (const row of rows) {
    it(row.name, () => {
      let failure: unknown = null;
      try {
        check(row, kit());
      } catch (e) {
        failure = e;
      }
      kit().releaseAll();
      try {
        kit().guardsIntact(`${row.name}: its blocks released`);
      } catch (e) {
        failure ??= e;
      }
      if (failure !== null) throw failure;
    });
  }
}

/** Every row of every family on one thread of the `simd` build, against the naive references. */
export function kernelCasesSuite(simd: "plain" | "relaxed", families: readonly KernelFamily[]): void {
  let kit: KernelKit;
  beforeAll(async () => {
    // A private memory: the flavours release.wasm and relaxed.wasm (the team's suite runs a shared one).
    const info = await initWithGuards({ simd, threads: 1, sharedMemory: false, wasmBaseUrl: TESTING_BUILD });
    expect(info).toMatchObject({ relaxedSimd: simd === "relaxed", sharedMemory: false });
    const eng = engine();
    kit = new KernelKit(eng, { chooseIntegerDot: (wanted) => chooseIntegerDot(eng, wanted) });
    expect(typeof kit.core.sgemmNaive, "the engine runs the test build").toBe("function");
  });
  for (const family of families) {
    describe(`${family.name} kernels (${simd} SIMD) match their naive references and write only their own buffers`, () => {
      rowTests(family.rows, () => kit, family.check);
    });
  }
}

/** The rows of the families the team runs, split over the team of the kit `start` gives. */
export function kernelTeamSuite(start: () => Promise<KernelKit>, families: readonly KernelFamily[]): void {
  let kit: KernelKit;
  beforeAll(async () => {
    kit = await start();
    expect(kit.extras.team?.size, "a team of two or more").toBeGreaterThan(1);
  });
  for (const family of families) {
    const team = family.team!;
    describe(`${family.name} kernels split over the thread team give one thread's results and the reference's`, () => {
      rowTests(family.rows.filter(team.runs), () => kit, team.check);
    });
  }
}
