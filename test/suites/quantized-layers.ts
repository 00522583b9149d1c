// quantizeDynamic on every row of the recurrent case table and on a table of Dense shapes, with the
// int8 kernels of one SIMD build: the copy's state (int8 weights, float32 row scales, the rest as the
// original's), its forward against the float64 reference of the quantized math (test/reference:
// dequantized weights, 7-bit activations), its distance from the float32 layer, bit-identical results
// from every integer inner product the engine accepts, the arena's guards intact, and backward and
// training refused with the original untouched. Run once per build by the quantized.*.test.ts files.

import { beforeAll, describe, expect, it } from "vitest";
import { Adam, Dense, GRU, LSTM, RNN, SGD, UnsupportedError, quantizeDynamic, tensor, type AnyTensor, type Recurrent } from "../../src/index.js";
import { engine } from "../../src/engine/engine.js";
import { chooseIntegerDot, type IntegerDot } from "../../src/engine/integer-dot.js";
import { caseData, makeLayer, RECURRENT_CASES, recurrentSpec } from "../cases/recurrent.js";
import { expectClose } from "../helpers/compare.js";
import { guardsIntact, initWithGuards } from "../helpers/guards.js";
import { dequantized, recurrentForward, sevenBit } from "../reference/recurrent.js";
import { Random } from "../../src/random.js";

/** Quantized forward vs the reference of the quantized math: float32 rounding (relative RMS ~1e-7),
 *  and on long runs an activation rounded to the neighbouring step where float32 and float64 fall on
 *  either side of a rounding edge (measured: up to 6e-4 in one element, 4e-4 relative RMS). The
 *  distance from the float32 layer is 3e-3 to 2e-2 (relative RMS). */
const QUANTIZED_MATH = { rtol: 1e-3, atol: 1e-4 };
const QUANTIZED_MATH_RMS = 1e-3;
/** Largest RMS distance from the float32 layer, relative to the float32 output's RMS. */
const RELATIVE_RMS_BOUND = 0.03;

/** A Dense case: rows of x (leading shape), in and out features, bias. */
const DENSE_CASES = [
  { leading: [1], I: 1, O: 1, bias: true },
  { leading: [3], I: 5, O: 17, bias: true },
  { leading: [2, 7], I: 64, O: 33, bias: false },
  { leading: [2], I: 300, O: 3, bias: true },
  { leading: [70], I: 33, O: 40, bias: true },
];

function rms(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s / Math.max(1, values.length));
}

/** RMS of actual − expected relative to expected's RMS. */
function relativeRms(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  return rms(Float64Array.from(actual, (a, i) => a - expected[i])) / rms(expected);
}

/** Float arrays of a state dict, by name (int8 tensors as their integers). */
function arrays(state: Record<string, AnyTensor>): Record<string, ArrayLike<number>> {
  return Object.fromEntries(Object.entries(state).map(([name, t]) => [name, t.data]));
}

/** The outputs of `run` under every integer inner product this engine accepts, bit for bit equal. */
function sameUnderEveryDot(run: () => Float32Array[], label: string): void {
  const eng = engine();
  const dots: IntegerDot[] = eng.simd === "relaxed" ? ["i16", "relaxed", "relaxed-i16"] : ["i16"];
  const initial = eng.integerDot;
  let first: Int32Array[] | null = null;
  try {
    for (const dot of dots) {
      try {
        chooseIntegerDot(eng, dot);
      } catch {
        continue; // an inner product this engine gets wrong is never used (integer-dot.ts)
      }
      const bits = run().map((a) => new Int32Array(Float32Array.from(a).buffer));
      if (!first) first = bits;
      else bits.forEach((b, i) => expect(b, `${label}: ${dot} vs i16, output ${i}`).toEqual(first![i]));
    }
  } finally {
    if (initial) chooseIntegerDot(eng, initial);
  }
}

/** The quantized twin's state: int8 weights with their row scales, every other entry unchanged. */
function expectQuantizedState(original: Record<string, AnyTensor>, quantized: Record<string, AnyTensor>, label: string): void {
  for (const [name, t] of Object.entries(original)) {
    if (/^weight_(ih|hh|hr)|^weight$/.test(name)) {
      expect(quantized[name].dtype, `${label} ${name}`).toBe("int8");
      expect(quantized[name].shape).toEqual(t.shape);
      expect(quantized[`${name}_scale`].shape).toEqual([t.shape[0]]);
      expect(quantized[`${name}_scale`].dtype).toBe("float32");
    } else {
      expect(quantized[name].dtype, `${label} ${name}`).toBe("float32");
      expect(quantized[name].data, `${label} ${name}`).toEqual(t.data);
    }
  }
}

export function quantizedLayerSuite(simd: "relaxed" | "plain"): void {
  beforeAll(async () => {
    const info = await initWithGuards({ simd, threads: 1 });
    expect(info.relaxedSimd).toBe(simd === "relaxed");
  });

  describe(`quantized recurrent layers (${simd} SIMD) run the quantized math, near the float32 layer`, () => {
    for (const row of RECURRENT_CASES) {
      it(row.name, () => {
        const data = caseData(row);
        const original = makeLayer<Recurrent>(row, { lstm: LSTM, gru: GRU, rnn: RNN });
        const before = original.stateDict();
        const layer = quantizeDynamic(original);
        try {
          expect(layer.quantized && !original.quantized).toBe(true);
          expect(layer.constructor).toBe(original.constructor);
          expect(original.stateDict()).toEqual(before);
          const state = layer.stateDict();
          expectQuantizedState(before, state, row.name);
          const forward = () => layer.forward(data.x, { h0: data.h0, c0: data.c0, lengths: data.lengths });
          const out = forward();
          guardsIntact(`${row.name} forward`);

          if (row.reference !== false) {
            const expected = recurrentForward(recurrentSpec(row), arrays(state), data.x.data, row.T, row.B, { h0: data.h0?.data, c0: data.c0?.data, lengths: data.lengths });
            expectClose(out.output.data, expected.output, `${row.name} output`, QUANTIZED_MATH);
            expect(relativeRms(out.output.data, expected.output), `${row.name}: relative RMS distance from the reference`).toBeLessThan(QUANTIZED_MATH_RMS);
            expectClose(out.hN.data, expected.hN, `${row.name} hN`, QUANTIZED_MATH);
            if (expected.cN) expectClose(out.cN!.data, expected.cN, `${row.name} cN`, QUANTIZED_MATH);
          }
          const float = original.forward(data.x, { h0: data.h0, c0: data.c0, lengths: data.lengths });
          const distance = relativeRms(out.output.data, float.output.data);
          expect(distance, `${row.name}: relative RMS distance from float32`).toBeGreaterThan(0);
          expect(distance, `${row.name}: relative RMS distance from float32`).toBeLessThan(RELATIVE_RMS_BOUND);

          sameUnderEveryDot(() => {
            const r = forward();
            return [r.output.data, r.hN.data, ...(r.cN ? [r.cN.data] : [])];
          }, row.name);

          expect(() => layer.backward(data.gradOutput)).toThrow(UnsupportedError);
          expect(() => layer.grads()).toThrow(UnsupportedError);
          expect(() => new Adam([layer])).toThrow(UnsupportedError);
          expect(() => new SGD([original, layer], { lr: 0.1 })).toThrow(UnsupportedError);
          expect(() => quantizeDynamic(layer)).toThrow(UnsupportedError);
          expect(forward().output.data).toEqual(out.output.data);
        } finally {
          layer.dispose();
          original.dispose();
        }
        guardsIntact(`${row.name} dispose`);
      });
    }
  });

  describe(`quantized Dense layers (${simd} SIMD)`, () => {
    for (const [index, c] of DENSE_CASES.entries()) {
      const label = `Dense ${c.leading.join("×")}×${c.I} → ${c.O}${c.bias ? "" : " without bias"}`;
      it(label, () => {
        const original = new Dense({ inFeatures: c.I, outFeatures: c.O, bias: c.bias, seed: index + 1 });
        const layer = quantizeDynamic(original);
        try {
          const rows = c.leading.reduce((a, b) => a * b, 1);
          const x = tensor(new Random(index + 50).uniformArray(rows * c.I, -2, 2), [...c.leading, c.I]);
          const state = layer.stateDict();
          expectQuantizedState(original.stateDict(), state, label);
          const y = layer.forward(x);
          guardsIntact(`${label} forward`);
          expect(y.shape).toEqual([...c.leading, c.O]);
          const W = dequantized(state.weight.data, state.weight_scale.data);
          const expected = new Float64Array(rows * c.O);
          for (let r = 0; r < rows; r++) {
            const v = sevenBit(x.data.subarray(r * c.I, (r + 1) * c.I));
            for (let o = 0; o < c.O; o++) {
              let s = c.bias ? state.bias.data[o] : 0;
              for (let k = 0; k < c.I; k++) s += W[o * c.I + k] * v[k];
              expected[r * c.O + o] = s;
            }
          }
          expectClose(y.data, expected, `${label} output`, QUANTIZED_MATH);
          expect(relativeRms(y.data, expected)).toBeLessThan(QUANTIZED_MATH_RMS);
          const distance = relativeRms(y.data, original.forward(x).data);
          expect(distance).toBeGreaterThan(0);
          expect(distance).toBeLessThan(RELATIVE_RMS_BOUND);
          sameUnderEveryDot(() => [layer.forward(x).data], label);
          expect(() => layer.backward(tensor(new Float32Array(rows * c.O), [...c.leading, c.O]))).toThrow(UnsupportedError);
        } finally {
          layer.dispose();
          original.dispose();
        }
        guardsIntact(`${label} dispose`);
      });
    }
  });
}
