// The losses family (test/cases/losses.json): per cross-entropy row, the public crossEntropy (the
// kernel in place on the logits, scaled for the reduction) and the softmaxCrossEntropy kernel itself
// with a separate gradient and each row's loss, against the float64 reference (test/reference/losses.ts);
// per binary cross-entropy row, the public binaryCrossEntropy against the same reference; per softmax
// row, softmax and logSoftmax (apart and in place) against the test build's naive softmaxNaive. Guard
// bytes checked after every call. No team path: the losses always run on the calling thread.

import { expect } from "vitest";
import { binaryCrossEntropy, crossEntropy, tensor } from "../../../src/index.js";
import { expectClose, expectSameBits } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { LOSS_CASES, lossData, type BinaryCrossEntropyCase, type CrossEntropyCase, type LossCase, type SoftmaxCase } from "../../cases/losses.js";
import { binaryCrossEntropyBackward, binaryCrossEntropyForward, crossEntropyBackward, crossEntropyForward } from "../../reference/losses.js";
import type { KernelFamily } from "./family.js";

function checkCrossEntropy(row: CrossEntropyCase, kit: KernelKit): void {
  const { N, V } = row, core = kit.core, { logits, classes } = lossData(row);
  const spec = { reduction: row.reduction ?? "mean", ignoreIndex: row.ignoreIndex ?? -100 };
  const result = crossEntropy(tensor(logits, [N, V]), classes, { reduction: row.reduction, ignoreIndex: row.ignoreIndex });
  kit.guardsIntact("crossEntropy");
  expectClose([result.loss], [crossEntropyForward(logits, classes, V, spec)], "crossEntropy: loss");
  expectClose(result.gradLogits.data, crossEntropyBackward(logits, classes, V, spec), "crossEntropy: grad logits");

  // The kernel: Σ loss, ∂(Σ loss)/∂logits into its own block, and each row's loss (0 where ignored).
  const sum = { reduction: "sum" as const, ignoreIndex: spec.ignoreIndex };
  const x = kit.floats(logits), targets = kit.int32s(classes), grad = kit.floats(N * V), rowLoss = kit.floats(N);
  const total = core.softmaxCrossEntropy(N, V, x, targets, sum.ignoreIndex, 1, grad, rowLoss);
  kit.guardsIntact("softmaxCrossEntropy");
  expectClose([total], [crossEntropyForward(logits, classes, V, sum)], "softmaxCrossEntropy: total");
  expectClose(kit.read(grad, N * V), crossEntropyBackward(logits, classes, V, sum), "softmaxCrossEntropy: grad logits");
  const perRow = classes.map((t, n) => crossEntropyForward(logits.subarray(n * V, (n + 1) * V), [t], V, sum));
  expectClose(kit.read(rowLoss, N), perRow, "softmaxCrossEntropy: row losses");
  expect(kit.read(x, N * V), "the logits, left as they were").toEqual(logits);
  // In place (the gradient over the logits, as crossEntropy calls it): the same gradient.
  core.softmaxCrossEntropy(N, V, x, targets, sum.ignoreIndex, 1, x, 0);
  kit.guardsIntact("softmaxCrossEntropy in place");
  expectSameBits(kit.read(x, N * V), kit.read(grad, N * V), "softmaxCrossEntropy in place");
}

function checkBinaryCrossEntropy(row: BinaryCrossEntropyCase, kit: KernelKit): void {
  const { logits, targets } = lossData(row), reduction = row.reduction ?? "mean";
  const result = binaryCrossEntropy(tensor(logits, row.shape), tensor(targets, row.shape), { reduction: row.reduction });
  kit.guardsIntact("binaryCrossEntropy");
  expectClose([result.loss], [binaryCrossEntropyForward(logits, targets, reduction)], "binaryCrossEntropy: loss");
  expectClose(result.gradLogits.data, binaryCrossEntropyBackward(logits, targets, reduction), "binaryCrossEntropy: grad logits");
}

function checkSoftmax(row: SoftmaxCase, kit: KernelKit): void {
  const { N, V, temperature } = row, core = kit.core, { logits } = lossData(row);
  const x = kit.floats(logits);
  for (const log of [0, 1]) {
    const name = log ? "logSoftmax" : "softmax";
    const [out, inPlace, ref] = [kit.floats(N * V), kit.floats(logits), kit.floats(N * V)];
    const kernel = log ? core.logSoftmax : core.softmax;
    kernel(N, V, x, temperature, out);
    kit.guardsIntact(name);
    kernel(N, V, inPlace, temperature, inPlace);
    kit.guardsIntact(`${name} in place`);
    core.softmaxNaive(N, V, x, temperature, log, ref);
    expectClose(kit.read(out, N * V), kit.read(ref, N * V), name);
    expectSameBits(kit.read(inPlace, N * V), kit.read(out, N * V), `${name} in place`);
  }
}

function check(row: LossCase, kit: KernelKit): void {
  if (row.loss === "crossEntropy") checkCrossEntropy(row, kit);
  else if (row.loss === "binaryCrossEntropy") checkBinaryCrossEntropy(row, kit);
  else checkSoftmax(row, kit);
}

export const lossesFamily: KernelFamily<LossCase> = { name: "losses", rows: LOSS_CASES, check };
