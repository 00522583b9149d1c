// The dense family (test/cases/dense.json): per row, sgemm with every transpose of A and B, sgemmPacked
// with B packed from either layout, the batch-1 GEMVs (gemvPanels over row panels, gemvRows over W
// as it is) and a dense layer's forward (with and without bias) and backward (with and without ∂b and
// ∂x), each overwriting and accumulating, against the naive references of the test build (sgemmNaive
// in float32, denseForwardNaive and denseBackwardNaive in float64). On the thread team: the layer's
// forward and backward split by rows (denseForwardJob, denseBackwardJob), against one thread and the
// reference.

import { expectClose } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { DENSE_CASES, denseData, type DenseCase } from "../../cases/dense.js";
import type { DenseJob } from "../../../src/engine/abi.js";
import type { KernelFamily } from "./family.js";

/** How far a float32 product of `terms` terms in (−0.5, 0.5) may be from the reference (sums in
 *  another order, or fused in the relaxed build). */
export function productBound(terms: number): { rtol: number; atol: number } {
  return { rtol: 0, atol: 2e-6 * terms + 1e-6 };
}

/** What the team's split must reproduce: one thread's results up to float32 rounding. */
const SAME_AS_ONE_THREAD = { rtol: 1e-6, atol: 0 };

const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;
const ACCUMULATE = [0, 1] as const;

function check(row: DenseCase, kit: KernelKit): void {
  const { M, N, K } = row, core = kit.core, d = denseData(row);
  const work = kit.bytes(core.gemmWorkspaceBytes());
  const A = kit.floats(d.A), B = kit.floats(d.B);
  const compare = (label: string, fast: number, naive: number, n: number, terms: number) => {
    kit.guardsIntact(label);
    expectClose(kit.read(fast, n), kit.read(naive, n), label, productBound(terms));
  };

  // The same values read through other strides: A [M×K] or Aᵀ stored [K×M], B [K×N] or stored [N×K].
  for (const [transA, transB] of TRANSPOSES) {
    for (const accumulate of ACCUMULATE) {
      const [rsA, csA] = transA ? [1, M] : [K, 1];
      const [rsB, csB] = transB ? [1, K] : [N, 1];
      const C = kit.floats(d.C), R = kit.floats(d.C);
      core.sgemm(M, N, K, A, rsA, csA, B, rsB, csB, C, N, accumulate, work);
      core.sgemmNaive(M, N, K, A, rsA, csA, B, rsB, csB, R, N, accumulate);
      compare(`sgemm transA=${transA} transB=${transB}${accumulate ? " accumulating" : ""}`, C, R, M * N, K);
    }
  }

  for (const transB of [false, true]) {
    for (const accumulate of ACCUMULATE) {
      const [rsB, csB] = transB ? [1, K] : [N, 1];
      const packed = kit.floats(core.packedSize(K, N)), C = kit.floats(d.C), R = kit.floats(d.C);
      core.packB(K, N, B, rsB, csB, packed);
      core.sgemmPacked(M, N, K, A, K, 1, packed, C, N, accumulate, work);
      core.sgemmNaive(M, N, K, A, K, 1, B, rsB, csB, R, N, accumulate);
      compare(`packB transB=${transB} + sgemmPacked${accumulate ? " accumulating" : ""}`, C, R, M * N, K);
    }
  }

  // y [N] (+)= W x with W = B's values as [N×K]; NaN past x, which must not leak into y.
  const x = kit.floats([...d.x, ...new Array(16).fill(NaN)]);
  const panels = kit.floats(core.rowPanelsSize(N, K));
  core.packRows(N, K, B, K, 1, panels);
  kit.guardsIntact("packRows");
  for (const accumulate of ACCUMULATE) {
    const suffix = accumulate ? " accumulating" : "";
    const [y, yRows, r] = [kit.floats(d.y), kit.floats(d.y), kit.floats(d.y)];
    core.gemvPanels(N, K, panels, x, y, accumulate);
    core.gemvRows(N, K, B, x, yRows, accumulate);
    core.sgemmNaive(1, N, K, x, K, 1, B, 1, K, r, N, accumulate);
    compare(`gemvPanels${suffix}`, y, r, N, K);
    compare(`gemvRows${suffix}`, yRows, r, N, K);
  }

  // A dense layer: y = x Wᵀ + b with x = A [M×K], W = B's values as [N×K].
  for (const withBias of [true, false]) {
    const b = withBias ? kit.floats(d.bias) : 0, y = kit.floats(M * N), r = kit.floats(M * N);
    core.denseForward(M, K, N, A, B, b, y, work);
    core.denseForwardNaive(M, K, N, A, B, b, r);
    compare(`denseForward${withBias ? "" : " without bias"}`, y, r, M * N, K);
  }
  const gradY = kit.floats(d.gradY);
  for (const full of [true, false]) {
    const label = full ? "denseBackward" : "denseBackward without ∂b and ∂x";
    const [gradW, refW] = [kit.floats(d.gradW), kit.floats(d.gradW)];
    const [gradB, refB] = full ? [kit.floats(d.gradB), kit.floats(d.gradB)] : [0, 0];
    const [gradX, refX] = full ? [kit.floats(M * K), kit.floats(M * K)] : [0, 0];
    core.denseBackward(M, K, N, A, B, gradY, gradW, gradB, gradX, work);
    core.denseBackwardNaive(M, K, N, A, B, gradY, refW, refB, refX);
    compare(`${label}: ∂W`, gradW, refW, N * K, M);
    if (full) {
      compare(`${label}: ∂b`, gradB, refB, N, M);
      compare(`${label}: ∂x`, gradX, refX, M * K, N);
    }
  }
}

/** One DenseJob per part of a dense layer's call (`fields`: its sizes and operands), each part with a
 *  workspace of its own. */
export function denseJobs(kit: KernelKit, parts: number, fields: Partial<DenseJob> & Pick<DenseJob, "rows" | "inFeatures" | "outFeatures">): DenseJob[] {
  return Array.from({ length: parts }, (_, part) => ({
    x: 0, w: 0, b: 0, y: 0, gradY: 0, gradW: 0, gradB: 0, gradX: 0, int8: 0, ...fields,
    work: kit.bytes(kit.core.gemmWorkspaceBytes()), part, parts,
  }));
}

function checkTeam(row: DenseCase, kit: KernelKit): void {
  const { M, N, K } = row, core = kit.core, team = kit.extras.team!, d = denseData(row);
  const parts = Math.min(team.size, M), sizes = { rows: M, inFeatures: K, outFeatures: N };
  const work = kit.bytes(core.gemmWorkspaceBytes());
  const A = kit.floats(d.A), B = kit.floats(d.B), b = kit.floats(d.bias);

  const [y, one, r] = [kit.floats(M * N), kit.floats(M * N), kit.floats(M * N)];
  team.runDense("dense.forward", denseJobs(kit, parts, { ...sizes, x: A, w: B, b, y }));
  kit.guardsIntact(`dense.forward in ${parts} parts`);
  core.denseForward(M, K, N, A, B, b, one, work);
  core.denseForwardNaive(M, K, N, A, B, b, r);
  expectClose(kit.read(y, M * N), kit.read(one, M * N), `dense.forward in ${parts} parts against one thread`, SAME_AS_ONE_THREAD);
  expectClose(kit.read(y, M * N), kit.read(r, M * N), `dense.forward in ${parts} parts against the reference`, productBound(K));

  const gradY = kit.floats(d.gradY);
  const split = { gradW: kit.floats(d.gradW), gradB: kit.floats(d.gradB), gradX: kit.floats(M * K) };
  const single = { gradW: kit.floats(d.gradW), gradB: kit.floats(d.gradB), gradX: kit.floats(M * K) };
  const naive = { gradW: kit.floats(d.gradW), gradB: kit.floats(d.gradB), gradX: kit.floats(M * K) };
  team.runDense("dense.backward", denseJobs(kit, parts, { ...sizes, x: A, w: B, gradY, ...split }));
  kit.guardsIntact(`dense.backward in ${parts} parts`);
  core.denseBackward(M, K, N, A, B, gradY, single.gradW, single.gradB, single.gradX, work);
  core.denseBackwardNaive(M, K, N, A, B, gradY, naive.gradW, naive.gradB, naive.gradX);
  const extents = { gradW: [N * K, M], gradB: [N, M], gradX: [M * K, N] } as const;
  for (const name of ["gradW", "gradB", "gradX"] as const) {
    const [n, terms] = extents[name];
    expectClose(kit.read(split[name], n), kit.read(single[name], n), `dense.backward in ${parts} parts: ${name} against one thread`, SAME_AS_ONE_THREAD);
    expectClose(kit.read(split[name], n), kit.read(naive[name], n), `dense.backward in ${parts} parts: ${name} against the reference`, productBound(terms));
  }
}

export const denseFamily: KernelFamily<DenseCase> = {
  name: "dense",
  rows: DENSE_CASES,
  check,
  team: { runs: (row) => row.threads === true, check: checkTeam },
};
