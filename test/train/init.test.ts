// Weight initialisation schemes: PyTorch's default range, Xavier's bound, orthogonal recurrent blocks.

import { beforeAll, describe, expect, it } from "vitest";
import { init, LSTM, Dense, initializeWeights, orthogonal, Random, ShapeError } from "../../src/index.js";

beforeAll(async () => {
  await init();
});

/** Max |(M Mᵀ − I)_ij| for the rows of a rows × cols block. */
function rowOrthogonalityError(m: Float32Array, rows: number, cols: number, offset = 0): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += m[offset + i * cols + k] * m[offset + j * cols + k];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe("initialisation", () => {
  it("orthogonal(): orthonormal rows for wide matrices, columns for tall ones", () => {
    expect(rowOrthogonalityError(orthogonal(8, 8, new Random(1)), 8, 8)).toBeLessThan(1e-5);
    expect(rowOrthogonalityError(orthogonal(3, 10, new Random(2)), 3, 10)).toBeLessThan(1e-5);
    const tall = orthogonal(10, 3, new Random(3)); // columns orthonormal: check Mᵀ
    const transposed = new Float32Array(30);
    for (let r = 0; r < 10; r++) for (let c = 0; c < 3; c++) transposed[c * 10 + r] = tall[r * 3 + c];
    expect(rowOrthogonalityError(transposed, 3, 10)).toBeLessThan(1e-5);
  });

  it('"orthogonal" makes every gate block of weight_hh orthogonal and zeroes biases', () => {
    const lstm = new LSTM({ inputSize: 5, hiddenSize: 6 });
    initializeWeights(lstm, "orthogonal", 4);
    const s = lstm.stateDict();
    for (let gate = 0; gate < 4; gate++) expect(rowOrthogonalityError(s.weight_hh_l0.data, 6, 6, gate * 36)).toBeLessThan(1e-5);
    expect(s.bias_ih_l0.data.every((v) => v === 0)).toBe(true);
    lstm.dispose();
  });

  it('"xavier" stays within ±√(6 / (fan_in + fan_out)); "pytorch" within ±1/√fan_in; a seed repeats', () => {
    const dense = new Dense({ inFeatures: 30, outFeatures: 10 });
    initializeWeights(dense, "xavier", 1);
    const bound = Math.sqrt(6 / 40);
    const w = dense.stateDict().weight.data;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    initializeWeights(dense, "pytorch", 2);
    expect(Math.max(...dense.stateDict().weight.data.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(30));
    const again = new Dense({ inFeatures: 30, outFeatures: 10 });
    initializeWeights(again, "pytorch", 2);
    expect(again.stateDict().weight.data).toEqual(dense.stateDict().weight.data);
    expect(() => initializeWeights(dense, "he" as "xavier")).toThrow(ShapeError);
  });

  it("forgetBias sets the forget-gate block of both LSTM biases", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, forgetBias: 2 });
    const { bias_ih_l0, bias_hh_l0 } = lstm.stateDict();
    expect([...bias_ih_l0.data.subarray(3, 6)]).toEqual([1, 1, 1]);
    expect([...bias_hh_l0.data.subarray(3, 6)]).toEqual([1, 1, 1]);
  });
});
