// Embedding with ids given as a Tensor (as torch.nn.Embedding takes a LongTensor): the same rows,
// shape S + [embeddingDim] and gradient as the array form, and bad ids refused with the value and its
// index named, the layer unchanged afterwards.

import { beforeAll, describe, expect, it } from "vitest";
import { init, Embedding, tensor, ShapeError } from "../../src/index.js";
import { expectError } from "../helpers/errors.js";

beforeAll(async () => {
  await init();
});

const N = 10, D = 4;
const IDS = [3, 1, 4, 1, 5, 9];

function grad(shape: number[]) {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => Math.cos(i) - 0.25 * i), shape);
}

describe("Embedding.forward with a Tensor of ids", () => {
  it("gives the rows of the array form, shaped as the ids + [embeddingDim]", () => {
    const embedding = new Embedding({ numEmbeddings: N, embeddingDim: D, seed: 7 });
    const fromArray = embedding.forward(IDS, [2, 3]);
    expect(fromArray.shape).toEqual([2, 3, D]);
    const fromTensor = embedding.forward(tensor(IDS, [2, 3]));
    expect(fromTensor.shape).toEqual([2, 3, D]);
    expect(Array.from(fromTensor.data)).toEqual(Array.from(fromArray.data));
    // Row k of the output is row IDS[k] of the table.
    const weight = embedding.stateDict().weight.data;
    IDS.forEach((id, k) => expect(Array.from(fromTensor.data.subarray(k * D, (k + 1) * D))).toEqual(Array.from(weight.subarray(id * D, (id + 1) * D))));
    // 1-D ids: [n, D] as the array form's default; a scalar id: [D]; three dimensions: S + [D].
    const flat = embedding.forward(tensor(IDS, [6]));
    expect(flat.shape).toEqual([6, D]);
    expect(Array.from(flat.data)).toEqual(Array.from(embedding.forward(IDS).data));
    expect(embedding.forward(IDS).shape).toEqual([6, D]);
    const scalar = embedding.forward(tensor([9], []));
    expect(scalar.shape).toEqual([D]);
    expect(Array.from(scalar.data)).toEqual(Array.from(weight.subarray(9 * D, 10 * D)));
    expect(embedding.forward(tensor(IDS, [3, 1, 2])).shape).toEqual([3, 1, 2, D]);
    expect(embedding.forward(tensor([], [2, 0])).shape).toEqual([2, 0, D]);
    embedding.dispose();
  });

  it("accumulates the same gradient as the array form", () => {
    const embedding = new Embedding({ numEmbeddings: N, embeddingDim: D, paddingIdx: 1, seed: 7 });
    const g = grad([2, 3, D]);
    embedding.forward(IDS, [2, 3]);
    embedding.backward(g);
    const fromArray = Array.from(embedding.grads().weight.data);
    embedding.zeroGrad();
    embedding.forward(tensor(IDS, [2, 3]));
    embedding.backward(g);
    const fromTensor = Array.from(embedding.grads().weight.data);
    expect(fromTensor).toEqual(fromArray);
    expect(fromTensor.some((v) => v !== 0)).toBe(true);
    // The padding row (id 1, fed twice) gets no gradient.
    expect(fromTensor.slice(D, 2 * D)).toEqual([0, 0, 0, 0]);
    // backward expects the Tensor's shape + [D].
    expectError(() => embedding.backward(grad([6, D])), ShapeError, /gradOutput must have shape \[2, 3, 4\]; got \[6, 4\]/);
    embedding.dispose();
  });

  it("refuses bad ids in a Tensor, naming the value and its index, and leaves the layer as it was", () => {
    const embedding = new Embedding({ numEmbeddings: N, embeddingDim: D, seed: 3 });
    const good = embedding.forward(tensor([2, 7], [2, 1]));
    const weight = Array.from(embedding.stateDict().weight.data);
    const bad = (value: number) => tensor([0, 1, 2, 3, value, 5], [2, 3]);
    expectError(() => embedding.forward(bad(1.5)), ShapeError, /Embedding\.forward: ids\[4\] must be an integer from 0 to 9; got 1\.5/);
    expectError(() => embedding.forward(bad(-1)), ShapeError, /ids\[4\] must be an integer from 0 to 9; got -1/);
    expectError(() => embedding.forward(bad(10)), ShapeError, /ids\[4\] must be an integer from 0 to 9; got 10/);
    expectError(() => embedding.forward(bad(NaN)), ShapeError, /ids\[4\] must be an integer from 0 to 9; got NaN/);
    expectError(() => embedding.forward(bad(Infinity)), ShapeError, /ids\[4\] must be an integer from 0 to 9; got Infinity/);
    // The array form says the same.
    expectError(() => embedding.forward([0, 1, 2, 3, 1.5, 5], [2, 3]), ShapeError, /Embedding\.forward: ids\[4\] must be an integer from 0 to 9; got 1\.5/);
    // A malformed Tensor, or a shape beside a Tensor (it carries its own).
    expectError(() => embedding.forward({ data: new Float32Array(5), shape: [2, 3] }), ShapeError, /ids: shape \[2, 3\] needs 6 values but data has 5/);
    expectError(() => embedding.forward({ data: Float64Array.from(IDS), shape: [6] } as never), ShapeError, /ids must be a Tensor/);
    expectError(() => (embedding.forward as (ids: unknown, shape: unknown) => unknown)(tensor(IDS, [6]), [2, 3]), ShapeError, /a Tensor of ids carries its shape/);
    // Unchanged: same table, and backward still refers to the last good forward ([2, 1] ids).
    expect(Array.from(embedding.stateDict().weight.data)).toEqual(weight);
    embedding.backward(grad([2, 1, D]));
    const g = embedding.grads().weight.data;
    expect(Array.from(g.subarray(2 * D, 3 * D))).toEqual(Array.from(grad([2, 1, D]).data.subarray(0, D)));
    expect(Array.from(g.subarray(7 * D, 8 * D))).toEqual(Array.from(grad([2, 1, D]).data.subarray(D, 2 * D)));
    expect(Array.from(embedding.forward(tensor([2, 7], [2, 1])).data)).toEqual(Array.from(good.data));
    embedding.dispose();
  });
});
