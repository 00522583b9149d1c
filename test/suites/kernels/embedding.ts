// The embedding family (test/cases/embedding.json): per row, embeddingForward (rows of the table at
// the ids) and embeddingBackward (each id's ∂y added to its row, repeated ids in order, the padding
// id's skipped) against the naive references of the test build, bit for bit (copies, and float32
// sums in the same order). No team path: the lookup always runs on the calling thread.

import { expectSameBits } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { EMBEDDING_CASES, embeddingData, type EmbeddingCase } from "../../cases/embedding.js";
import type { KernelFamily } from "./family.js";

function check(row: EmbeddingCase, kit: KernelKit): void {
  const { V, E, N } = row, core = kit.core, d = embeddingData(row);
  const padding = row.paddingIdx ?? -1;
  const table = kit.floats(d.table), ids = kit.int32s(d.ids);
  const [y, r] = [kit.floats(N * E), kit.floats(N * E)];
  core.embeddingForward(N, E, table, ids, y);
  kit.guardsIntact("embeddingForward");
  core.embeddingForwardNaive(N, E, table, ids, r);
  expectSameBits(kit.read(y, N * E), kit.read(r, N * E), "embeddingForward");

  const gradY = kit.floats(d.gradY);
  const [grad, ref] = [kit.floats(d.gradTable), kit.floats(d.gradTable)];
  core.embeddingBackward(N, E, ids, gradY, grad, padding);
  kit.guardsIntact("embeddingBackward");
  core.embeddingBackwardNaive(N, E, ids, gradY, ref, padding);
  expectSameBits(kit.read(grad, V * E), kit.read(ref, V * E), "embeddingBackward");
}

export const embeddingFamily: KernelFamily<EmbeddingCase> = { name: "embedding", rows: EMBEDDING_CASES, check };
