// The loss kernels (crossEntropy and binaryCrossEntropy, fused loss and gradient) against the float64
// reference (test/reference/losses.ts), one case table per loss: the loss and ∂loss/∂logits, with the
// arena's guard bytes checked after every call.

import { beforeAll, describe, it } from "vitest";
import { binaryCrossEntropy, crossEntropy, Random, tensor } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { guardsIntact, initWithGuards } from "../helpers/guards.js";
import { binaryCrossEntropyBackward, binaryCrossEntropyForward, crossEntropyBackward, crossEntropyForward, type Reduction } from "../reference/losses.js";

interface CrossEntropyCase {
  name: string;
  N: number;
  V: number;
  /** Logits are uniform in (−scale, scale). */
  scale: number;
  /** A class per row, or the ignoreIndex. */
  targets: number[];
  reduction?: Reduction;
  ignoreIndex?: number;
}

const CROSS_ENTROPY: CrossEntropyCase[] = [
  { name: "mean (the default)", N: 5, V: 7, scale: 3, targets: [0, 6, 3, 3, 1] },
  { name: "sum, ignoreIndex 2", N: 6, V: 5, scale: 3, targets: [2, 0, 4, 2, 1, 3], reduction: "sum", ignoreIndex: 2 },
  { name: "mean over the rows not ignored (-100, the default ignoreIndex)", N: 4, V: 9, scale: 2, targets: [-100, 8, -100, 5] },
  { name: "mean, every row ignored: loss and gradient 0", N: 3, V: 4, scale: 1, targets: [-1, -1, -1], ignoreIndex: -1 },
  { name: "large logits (a softmax that overflows without its shift)", N: 4, V: 6, scale: 200, targets: [1, 5, 0, 2] },
  { name: "vocabulary not a multiple of 4, one class", N: 3, V: 1, scale: 2, targets: [0, 0, 0] },
  { name: "vocabulary larger than a SIMD block, sum", N: 7, V: 67, scale: 4, targets: [66, 0, 13, 4, 65, 32, 1], reduction: "sum" },
];

interface BinaryCrossEntropyCase {
  name: string;
  shape: number[];
  scale: number;
  /** Targets 0 or 1 (else uniform in [0, 1]). */
  hard: boolean;
  reduction?: Reduction;
}

const BINARY_CROSS_ENTROPY: BinaryCrossEntropyCase[] = [
  { name: "mean (the default), hard targets", shape: [4, 3], scale: 3, hard: true },
  { name: "sum, soft targets", shape: [2, 5, 3], scale: 3, hard: false, reduction: "sum" },
  { name: "large logits of both signs", shape: [9], scale: 60, hard: true },
];

beforeAll(() => initWithGuards());

describe("cross-entropy matches the float64 reference", () => {
  for (const c of CROSS_ENTROPY) {
    it(c.name, () => {
      const logits = new Random(5).uniformArray(c.N * c.V, -c.scale, c.scale);
      const spec = { reduction: c.reduction ?? "mean", ignoreIndex: c.ignoreIndex ?? -100 };
      const result = crossEntropy(tensor(logits, [c.N, c.V]), c.targets, { reduction: c.reduction, ignoreIndex: c.ignoreIndex });
      guardsIntact(c.name);
      expectClose([result.loss], [crossEntropyForward(logits, c.targets, c.V, spec)], `${c.name} loss`);
      expectClose(result.gradLogits.data, crossEntropyBackward(logits, c.targets, c.V, spec), `${c.name} grad logits`);
    });
  }
});

describe("binary cross-entropy matches the float64 reference", () => {
  for (const c of BINARY_CROSS_ENTROPY) {
    it(c.name, () => {
      const random = new Random(6);
      const n = c.shape.reduce((a, b) => a * b, 1);
      const logits = random.uniformArray(n, -c.scale, c.scale);
      const targets = Float32Array.from({ length: n }, () => (c.hard ? Math.round(random.uniform()) : random.uniform()));
      const reduction = c.reduction ?? "mean";
      const result = binaryCrossEntropy(tensor(logits, c.shape), tensor(targets, c.shape), { reduction: c.reduction });
      guardsIntact(c.name);
      expectClose([result.loss], [binaryCrossEntropyForward(logits, targets, reduction)], `${c.name} loss`);
      expectClose(result.gradLogits.data, binaryCrossEntropyBackward(logits, targets, reduction), `${c.name} grad logits`);
    });
  }
});
