// The int8 family (test/cases/int8.json): per row, packInt8 then int8Product with every inner product
// the build has (plain: the i16 dot; relaxed: also the relaxed dot into i16 and into i32), overwriting
// and accumulating, with strided rows of x and three floats between rows of y, against the naive
// reference of the test build (int8ProductNaive) bit for bit — integer sums are exact, so every inner
// product must give the reference's outputs, gaps between rows untouched — and the quantized dense
// layer's forward (denseForwardInt8: the product plus a bias). The relaxed dot into i32 is wrong on
// some engines (V8 11.3, Node 20): where it differs from the reference, the engine must refuse it
// when named and never choose it. On the thread team: the quantized layer's forward split by rows,
// with every inner product the engine accepts.

import { expect } from "vitest";
import { bitDifferences, expectSameBits } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { INT8_CASES, int8Data, int8OutputStride, type Int8Case } from "../../cases/int8.js";
import { INTEGER_DOTS, type IntegerDot } from "../../../src/engine/integer-dot.js";
import { denseJobs } from "./dense.js";
import type { KernelFamily } from "./family.js";

/** The inner products of each build. */
const DOTS: Record<"plain" | "relaxed", IntegerDot[]> = { plain: ["i16"], relaxed: ["i16", "relaxed-i16", "relaxed"] };

/** The name of the inner product the core runs now. */
function currentDot(kit: KernelKit): IntegerDot {
  const number = kit.core.integerDot();
  return (Object.keys(INTEGER_DOTS) as IntegerDot[]).find((dot) => INTEGER_DOTS[dot] === number)!;
}

/** A dot that gave other outputs than the reference must be one the engine refuses by name and never
 *  picks by itself; the engine's choice is put back afterwards. */
function expectRefused(kit: KernelKit, wrong: ReadonlySet<IntegerDot>, before: IntegerDot): void {
  const choose = kit.extras.chooseIntegerDot!;
  for (const dot of wrong) {
    expect(dot, "only the relaxed dot into i32 may give other sums than the reference").toBe("relaxed");
    expect(() => choose(dot)).toThrow(/gives wrong sums on this engine/);
  }
  expect(wrong.has(choose("auto")), "the engine's own choice gave the reference's outputs").toBe(false);
  choose(before);
}

/** The quantized operands of a row in wasm memory: W packed with its scales, x, a workspace. */
function packedOperands(row: Int8Case, kit: KernelKit, d: ReturnType<typeof int8Data>) {
  const { N, K } = row, core = kit.core;
  const weights = kit.int8s(d.weights), scales = kit.floats(d.scales), packed = kit.bytes(core.int8PackedBytes(N, K));
  core.packInt8(N, K, weights, K, 1, scales, packed);
  kit.guardsIntact("packInt8");
  return { packed, work: kit.bytes(core.int8WorkspaceBytes(K)) };
}

/** x's rows one after another (row stride K), as a dense layer holds its input. */
function contiguousRows(row: Int8Case, x: Float32Array): Float32Array {
  const out = new Float32Array(row.R * row.K);
  for (let r = 0; r < row.R; r++) out.set(x.subarray(r * row.ldx, r * row.ldx + row.K), r * row.K);
  return out;
}

/** The reference of the quantized dense layer: int8ProductNaive on rows of x, plus the bias in float32. */
function denseReference(row: Int8Case, kit: KernelKit, x: number, packed: number, bias: Float32Array): Float32Array {
  const { R, N, K } = row;
  const r = kit.floats(R * N);
  kit.core.int8ProductNaive(R, N, K, x, K, packed, r, N, 0);
  return kit.read(r, R * N).map((v, i) => v + bias[i % N]);
}

function check(row: Int8Case, kit: KernelKit): void {
  const { R, N, K, ldx } = row, ldy = int8OutputStride(row), core = kit.core, d = int8Data(row);
  const before = currentDot(kit);
  const wrong = new Set<IntegerDot>();
  try {
    const { packed, work } = packedOperands(row, kit, d);
    const x = kit.floats(d.x);
    for (const accumulate of [0, 1]) {
      const initial = accumulate ? d.accumulated : d.overwritten;
      const ref = kit.floats(initial);
      core.int8ProductNaive(R, N, K, x, ldx, packed, ref, ldy, accumulate);
      kit.guardsIntact("int8ProductNaive");
      const expected = kit.read(ref, R * ldy);
      expect(expected.every(Number.isFinite) || row.x === "huge row", "the reference's outputs are finite").toBe(true);
      for (const dot of DOTS[kit.simd]) {
        const label = `int8Product with the ${dot} dot${accumulate ? ", accumulating" : ""}`;
        core.setIntegerDot(INTEGER_DOTS[dot]);
        const y = kit.floats(initial);
        core.int8Product(R, N, K, x, ldx, packed, y, ldy, accumulate, work);
        kit.guardsIntact(label);
        const got = kit.read(y, R * ldy);
        if (dot === "relaxed" && bitDifferences(got, expected).length > 0) wrong.add(dot);
        else expectSameBits(got, expected, label);
      }
    }

    const rows = kit.floats(contiguousRows(row, d.x)), bias = kit.floats(d.bias);
    const expected = denseReference(row, kit, rows, packed, d.bias);
    for (const dot of DOTS[kit.simd].filter((dot) => !wrong.has(dot))) {
      core.setIntegerDot(INTEGER_DOTS[dot]);
      const y = kit.floats(R * N);
      core.denseForwardInt8(R, K, N, rows, packed, bias, y, work);
      kit.guardsIntact(`denseForwardInt8 with the ${dot} dot`);
      expectSameBits(kit.read(y, R * N), expected, `denseForwardInt8 with the ${dot} dot`);
    }
  } finally {
    core.setIntegerDot(INTEGER_DOTS[before]);
  }
  if (wrong.size > 0) expectRefused(kit, wrong, before);
}

/** The dots of the build the engine accepts when named (it refuses one that gives wrong sums here);
 *  the core's choice is put back afterwards. */
function acceptedDots(kit: KernelKit): IntegerDot[] {
  const choose = kit.extras.chooseIntegerDot!, before = currentDot(kit);
  const accepted = DOTS[kit.simd].filter((dot) => {
    try {
      return choose(dot) === dot;
    } catch {
      return false;
    }
  });
  choose(before);
  return accepted;
}

function checkTeam(row: Int8Case, kit: KernelKit): void {
  const { R, N, K } = row, core = kit.core, team = kit.extras.team!, d = int8Data(row);
  const parts = Math.min(team.size, R);
  const before = currentDot(kit);
  try {
    const { packed, work } = packedOperands(row, kit, d);
    const x = kit.floats(contiguousRows(row, d.x)), b = kit.floats(d.bias);
    const expected = denseReference(row, kit, x, packed, d.bias);
    for (const dot of acceptedDots(kit)) {
      const label = `dense.forward (int8, the ${dot} dot) in ${parts} parts`;
      core.setIntegerDot(INTEGER_DOTS[dot]); // the team's members follow this thread's choice
      const one = kit.floats(R * N), y = kit.floats(R * N);
      core.denseForwardInt8(R, K, N, x, packed, b, one, work);
      team.runDense("dense.forward", denseJobs(kit, parts, { rows: R, inFeatures: K, outFeatures: N, x, w: packed, b, y, int8: 1 }));
      kit.guardsIntact(label);
      expectSameBits(kit.read(y, R * N), kit.read(one, R * N), `${label} against one thread`);
      expectSameBits(kit.read(y, R * N), expected, `${label} against the reference`);
    }
  } finally {
    core.setIntegerDot(INTEGER_DOTS[before]);
  }
}

export const int8Family: KernelFamily<Int8Case> = {
  name: "int8",
  rows: INT8_CASES,
  check,
  team: { runs: (row) => row.threads === true, check: checkTeam },
};
