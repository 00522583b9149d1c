// Properties of the layers that hold whatever the numbers: layouts agree with each other, prepared
// weights follow parameter changes and batch-size switches, lengths equal to T change nothing, a
// seed fixes the initial weights, and `out` receives the output (every layout) instead of a new array.

import { beforeAll, describe, expect, it } from "vitest";
import { init, LSTM, GRU, RNN, ShapeError, tensor, Random, WorkerPool, type Tensor } from "../../src/index.js";

beforeAll(async () => {
  await init();
});

function randomTensor(seed: number, shape: number[]): Tensor {
  const r = new Random(seed);
  return tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniformIn(-1, 1)), shape);
}

/** [T, B, F] → [B, T, F] */
function batchMajor(t: Tensor): Tensor {
  const [T, B, F] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let s = 0; s < T; s++) for (let b = 0; b < B; b++) out.set(t.data.subarray((s * B + b) * F, (s * B + b + 1) * F), (b * T + s) * F);
  return tensor(out, [B, T, F]);
}

describe("layer behaviour", () => {
  it("batchFirst gives the same numbers as time-major", () => {
    const a = new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true, seed: 1 });
    const b = new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true, batchFirst: true, seed: 1 });
    const x = randomTensor(2, [6, 4, 3]);
    const ya = a.forward(x, { lengths: [6, 3, 1, 5] });
    const yb = b.forward(batchMajor(x), { lengths: [6, 3, 1, 5] });
    expect(yb.output.data).toEqual(batchMajor(ya.output).data);
    expect(yb.hN.data).toEqual(ya.hN.data);
    const ga = a.backward(ya.output);
    const gb = b.backward(yb.output);
    expect(gb.gradInput.data).toEqual(batchMajor(ga.gradInput).data);
  });

  it("out: the output written into the caller's tensor and returned as it, in every layout; a wrong one refused", async () => {
    const layers = [
      new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true, seed: 1 }),
      new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 2 }),
      new RNN({ inputSize: 3, hiddenSize: 6, numLayers: 2, seed: 3 }),
    ];
    const pool = await WorkerPool.create({ size: 1 });
    for (const layer of layers) {
      const F = layer.directions * layer.outputSize;
      const batched = { x: randomTensor(4, layer.batchFirst ? [4, 6, 3] : [6, 4, 3]), lengths: [6, 3, 1, 5] }; // B 4, T 6
      for (const { x, lengths } of [batched, { x: randomTensor(5, [7, 3]), lengths: undefined }]) {
        const expected = layer.forward(x, { lengths });
        const out = tensor(new Float32Array(expected.output.data.length).fill(Number.NaN), [...expected.output.shape]);
        const got = layer.forward(x, { lengths, out });
        expect(got.output).toBe(out);
        expect(Array.from(out.data)).toEqual(Array.from(expected.output.data));
        expect(Array.from(got.hN.data)).toEqual(Array.from(expected.hN.data));
        out.data.fill(Number.NaN);
        expect((await pool.forward(layer, x, { lengths, out })).output).toBe(out);
        expect(Array.from(out.data)).toEqual(Array.from(expected.output.data));
      }
      const { x } = batched, shape = layer.batchFirst ? [4, 6] : [6, 4];
      expect(() => layer.forward(x, { out: tensor(new Float32Array(24 * (F + 1)), [...shape, F + 1]) })).toThrow(/out must have shape/);
      expect(() => layer.forward(x, { out: { shape: [...shape, F], data: new Float32Array(24 * F) } as unknown as Tensor })).toThrow(/out must be a Tensor/);
      expect(() => layer.forward(x, { out: tensor(new Float32Array(24 * F), [24, F]) })).toThrow(ShapeError);
      layer.dispose();
    }
    await pool.close();
  });

  it("an unbatched [T, I] input equals a batch of one", () => {
    const layer = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 3 });
    const x = randomTensor(4, [5, 1, 3]);
    const batched = layer.forward(x);
    const single = layer.forward(tensor(x.data, [5, 3]));
    expect(single.output.shape).toEqual([5, 4]);
    expect(single.hN.shape).toEqual([2, 4]);
    expect(single.output.data).toEqual(batched.output.data);
  });

  it("prepared weights follow loadStateDict and batch-size switches", () => {
    const layer = new RNN({ inputSize: 3, hiddenSize: 7, seed: 5 });
    const fresh = (seed: number) => new RNN({ inputSize: 3, hiddenSize: 7, seed });
    const x1 = randomTensor(6, [4, 1, 3]), x3 = randomTensor(7, [4, 3, 3]);
    const ref = fresh(5);
    expect(layer.forward(x1).output.data).toEqual(ref.forward(x1).output.data);
    expect(layer.forward(x3).output.data).toEqual(ref.forward(x3).output.data);
    expect(layer.forward(x1).output.data).toEqual(ref.forward(x1).output.data);
    const other = fresh(8);
    layer.loadStateDict(other.stateDict());
    expect(layer.forward(x1).output.data).toEqual(other.forward(x1).output.data);
    expect(layer.forward(x3).output.data).toEqual(other.forward(x3).output.data);
  });

  it("lengths all equal to T change nothing; padded outputs are zero", () => {
    const layer = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, seed: 9 });
    const x = randomTensor(10, [5, 2, 2]);
    expect(layer.forward(x, { lengths: [5, 5] }).output.data).toEqual(layer.forward(x).output.data);
    const out = layer.forward(x, { lengths: [5, 2] }).output;
    for (let t = 2; t < 5; t++) for (let f = 0; f < 6; f++) expect(out.data[(t * 2 + 1) * 6 + f]).toBe(0);
  });

  it("the same seed gives the same weights; PyTorch's init range ±1/√H", () => {
    const a = new GRU({ inputSize: 4, hiddenSize: 16, seed: 42 }).stateDict();
    const b = new GRU({ inputSize: 4, hiddenSize: 16, seed: 42 }).stateDict();
    const c = new GRU({ inputSize: 4, hiddenSize: 16, seed: 43 }).stateDict();
    expect(a.weight_hh_l0.data).toEqual(b.weight_hh_l0.data);
    expect(a.weight_hh_l0.data).not.toEqual(c.weight_hh_l0.data);
    for (const v of a.weight_ih_l0.data) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
  });

  it("gradients accumulate across backward calls until zeroGrad", () => {
    const layer = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const x = randomTensor(11, [3, 2, 2]);
    const y = layer.forward(x);
    layer.backward(y.output);
    const once = layer.grads().weight_hh_l0.data;
    layer.backward(y.output);
    const twice = layer.grads().weight_hh_l0.data;
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(2 * once[i], 6);
    layer.zeroGrad();
    expect(layer.grads().weight_hh_l0.data.every((v) => v === 0)).toBe(true);
  });
});
