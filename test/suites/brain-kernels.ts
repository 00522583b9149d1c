// assembly/brain.ts's kernels against the naive reference of brain.js's equations, on one SIMD build
// (test/adapters/brain.kernel.{plain,relaxed}.test.ts: the builds' multiply-adds differ, and the
// engine is one per process)
// (test/reference/brain.ts: brain.js's own op graph, on Float32Arrays), on odd sizes and two hidden
// layers, for each cell and both kinds of net: one training sequence's deltas (stale input-matrix
// rows included) and error, the update, the character run (greedy and sampled from given random
// numbers) and the forecast. The kernels compute as brain.js does (float64 ops, float32 stores), so
// they agree to float32 rounding: the only differences come from exp/tanh/log2 (ours and V8's may
// differ by an ulp of float64, rarely one of float32) and a fused multiply-add's single rounding.

import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/index.js";
import { engine } from "../../src/engine/engine.js";
import { adjustWeights, forecast, GATES, runCharacters, trainCharacters, trainSeries, type CellName, type ReferenceNet } from "../reference/brain.js";


/** mulberry32 in [−scale, scale). */
function random(seed: number, scale = 1): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1) * scale;
  };
}

/** A net of `cell` with random weights (±0.5, past brain.js's ±0.08 to reach the nonlinearities) and stale deltas. */
function makeNet(cell: CellName, inputRows: number, inputSize: number, hiddenLayers: number[], outputSize: number, seed: number): ReferenceNet {
  const draw = random(seed, 0.5);
  const sizes: number[] = [];
  if (inputRows) sizes.push(inputRows * inputSize);
  hiddenLayers.forEach((H, l) => {
    const I = l === 0 ? inputSize : hiddenLayers[l - 1];
    for (let g = 0; g < GATES[cell]; g++) sizes.push(H * I, H * H, H);
  });
  sizes.push(outputSize * hiddenLayers[hiddenLayers.length - 1], outputSize);
  return {
    cell, inputRows, inputSize, outputSize, hiddenLayers,
    weights: sizes.map((n) => Float32Array.from({ length: n }, draw)),
    deltas: sizes.map((n) => Float32Array.from({ length: n }, draw)),
  };
}

function copy(net: ReferenceNet): ReferenceNet {
  return { ...net, hiddenLayers: [...net.hiddenLayers], weights: net.weights.map((w) => w.slice()), deltas: net.deltas.map((d) => d.slice()) };
}

/** The net in wasm memory as the kernels take it: shape, flat weights and deltas. */
class WasmNet {
  readonly shape: number;
  readonly count: number;
  readonly params: number;
  readonly deltas: number;
  private readonly blocks: number[] = [];

  constructor(readonly net: ReferenceNet) {
    const eng = engine();
    const header = [["RNN", "LSTM", "GRU"].indexOf(net.cell), net.inputRows, net.inputSize, net.outputSize, net.hiddenLayers.length, ...net.hiddenLayers];
    this.shape = this.alloc(header.length * 4);
    eng.i32.set(header, this.shape >> 2);
    this.count = eng.core.brainParameterCount(this.shape);
    expect(this.count).toBe(net.weights.reduce((n, w) => n + w.length, 0));
    this.params = this.flat(net.weights);
    this.deltas = this.flat(net.deltas);
  }

  alloc(bytes: number): number {
    const ptr = engine().arena.alloc(bytes);
    this.blocks.push(ptr);
    return ptr;
  }

  flat(arrays: Float32Array[]): number {
    const ptr = this.alloc(this.count * 4);
    let at = ptr >> 2;
    for (const a of arrays) {
      engine().f32.set(a, at);
      at += a.length;
    }
    return ptr;
  }

  /** The flat buffer at `ptr` cut as the net's matrices. */
  read(ptr: number): Float32Array[] {
    let at = ptr >> 2;
    return this.net.weights.map((w) => {
      const out = engine().f32.slice(at, at + w.length);
      at += w.length;
      return out;
    });
  }

  /** The weights prepared for the kernels (brainPrepare), as they are now. */
  prepared(): number {
    const at = this.alloc(this.count * 8);
    engine().core.brainPrepare(this.shape, this.params, at);
    return at;
  }

  tape(steps: number): number {
    return this.alloc(engine().core.brainTapeBytes(this.shape, steps));
  }

  i32s(values: ArrayLike<number>): number {
    const ptr = this.alloc(values.length * 4 + 4);
    engine().i32.set(Array.from(values), ptr >> 2);
    return ptr;
  }

  f64s(values: Float64Array): number {
    const ptr = this.alloc(values.byteLength + 8);
    new Float64Array(engine().memory.buffer, ptr, values.length).set(values);
    return ptr;
  }

  dispose(): void {
    for (const ptr of this.blocks) engine().arena.release(ptr);
  }
}

/** Largest |a − b| over each matrix relative to the matrix's largest |b| (1e-30 at least). */
function worst(a: Float32Array[], b: Float32Array[]): number {
  let out = 0;
  b.forEach((m, k) => {
    let scale = 1e-30, diff = 0;
    for (let i = 0; i < m.length; i++) {
      scale = Math.max(scale, Math.abs(m[i]));
      diff = Math.max(diff, Math.abs(a[k][i] - m[i]));
    }
    out = Math.max(out, diff / scale);
  });
  return out;
}

const TOLERANCE = 1e-6;

const CASES: [CellName, number[]][] = [
  ["RNN", [9]],
  ["RNN", [7, 5]],
  ["LSTM", [7, 5]],
  ["LSTM", [3]],
  ["GRU", [6, 3]],
  ["GRU", [11]],
  ["LSTM", [17, 8]],
];

/** The cases on the `simd` build (its engine started here). */
export function brainKernelSuite(simd: "plain" | "relaxed"): void {
  beforeAll(async () => {
    expect(await init({ threads: 1, simd })).toMatchObject({ relaxedSimd: simd === "relaxed" });
  });

  describe(`assembly/brain.ts (${simd} SIMD) against brain.js's equations (test/reference/brain.ts)`, () => {
    for (const [cell, hidden] of CASES) {
      it(`${cell} ${JSON.stringify(hidden)}, character net: a sequence's deltas (stale rows kept) and error, then the update`, () => {
        const reference = makeNet(cell, 7, 5, hidden, 7, 11 + hidden.length);
        const wasm = new WasmNet(copy(reference));
        try {
          const rows = [0, 3, 6, 3, 1, 3, 5, 2], targets = [3, 6, 3, 1, 3, 5, 2, 0]; // rows 4 unused (stale), 3 used thrice
          const expected = trainCharacters(reference, rows, targets);
          const error = engine().core.brainTrain(wasm.shape, wasm.params, wasm.prepared(), wasm.deltas, rows.length, wasm.i32s(rows), wasm.i32s(targets), wasm.tape(rows.length), 0);
          expect(Math.abs(error - expected) / expected).toBeLessThan(TOLERANCE);
          const deltas = wasm.read(wasm.deltas);
          expect(worst(deltas, reference.deltas)).toBeLessThan(TOLERANCE);
          // the stale row keeps its old deltas bit for bit
          expect(deltas[0].subarray(4 * 5, 5 * 5)).toEqual(wasm.net.deltas[0].subarray(4 * 5, 5 * 5));
          // the update from the same deltas and cache: bit for bit
          const settings = { learningRate: 0.01, decayRate: 0.999, smoothEps: 1e-8, regc: 1e-6, clipval: 0.05 };
          const cache = reference.weights.map((w, k) => Float32Array.from(w, (_, i) => (k + i) % 3 === 0 ? 0 : 1e-3 * ((i % 7) + 1)));
          engine().f32.set(reference.deltas.flatMap((d) => Array.from(d)), wasm.deltas >> 2);
          const cachePtr = wasm.flat(cache);
          engine().core.brainUpdate(wasm.params, wasm.deltas, cachePtr, wasm.count, settings.learningRate, settings.decayRate, settings.smoothEps, settings.regc, settings.clipval);
          adjustWeights(reference, cache, settings);
          expect(wasm.read(wasm.params)).toEqual(reference.weights);
          expect(wasm.read(cachePtr)).toEqual(cache);
        } finally {
          wasm.dispose();
        }
      });

      it(`${cell} ${JSON.stringify(hidden)}, time-step net: a sequence's deltas and error, and the forecast`, () => {
        const reference = makeNet(cell, 0, 3, hidden, 3, 21 + hidden.length);
        const wasm = new WasmNet(copy(reference));
        try {
          const steps = 6, draw = random(5, 2);
          const inputs = Float64Array.from({ length: steps * 3 }, draw), targets = Float64Array.from({ length: steps * 3 }, draw);
          const expected = trainSeries(reference, inputs, targets, steps);
          // brain.js's net of steps + 1 equations: the last runs on zeros after the sequence (its end)
          const error = engine().core.brainTrain(wasm.shape, wasm.params, wasm.prepared(), wasm.deltas, steps, wasm.f64s(inputs), wasm.f64s(targets), wasm.tape(steps + 1), steps + 1);
          expect(Math.abs(error - expected) / expected).toBeLessThan(TOLERANCE);
          expect(worst(wasm.read(wasm.deltas), reference.deltas)).toBeLessThan(TOLERANCE);
          for (const count of [0, 1, 4]) {
            const outputs = wasm.alloc(Math.max(count, 1) * 3 * 4);
            const equations = 4 + count + 1;
            expect(engine().core.brainForecast(wasm.shape, wasm.params, wasm.prepared(), wasm.tape(equations), wasm.f64s(inputs), 4, count, outputs, equations)).toBe(0);
            const ours = Array.from({ length: Math.max(count, 1) }, (_, k) => engine().f32.slice((outputs >> 2) + 3 * k, (outputs >> 2) + 3 * k + 3));
            expect(worst(ours, forecast(reference, inputs, 4, count))).toBeLessThan(TOLERANCE);
          }
        } finally {
          wasm.dispose();
        }
      });

      it(`${cell} ${JSON.stringify(hidden)}, character run: greedy in one call, sampled one step per call from given random numbers`, () => {
        const reference = makeNet(cell, 7, 5, hidden, 7, 31 + hidden.length);
        const wasm = new WasmNet(copy(reference));
        try {
          const given = [2, 5, 1], limit = 40, tape = wasm.tape(2), out = wasm.alloc(limit * 4), rows = wasm.i32s(given), prepared = wasm.prepared();
          const steps = engine().core.brainRunCharacters(wasm.shape, wasm.params, prepared, tape, rows, given.length, out, 0, limit, 0, 0, 1);
          const expected = runCharacters(reference, given, limit, null, 1);
          expect(Array.from(engine().i32.subarray(out >> 2, (out >> 2) + steps))).toEqual(expected);
          const draw = random(9);
          const randoms = Array.from({ length: limit }, () => (draw() + 1) / 2);
          for (const temperature of [1, 0.7, 3]) {
            let i = 0;
            do i = engine().core.brainRunCharacters(wasm.shape, wasm.params, prepared, tape, rows, given.length, out, i, limit, 1, randoms[i], temperature);
            while (engine().i32[(out >> 2) + i - 1] !== 0 && i < limit);
            expect(Array.from(engine().i32.subarray(out >> 2, (out >> 2) + i))).toEqual(runCharacters(reference, given, limit, randoms, temperature));
          }
        } finally {
          wasm.dispose();
        }
      });
    }

    it("activations that leave float32's range: NaN from training, −1 from running", () => {
      const net = makeNet("RNN", 3, 2, [4], 3, 3);
      for (const w of net.weights) w.fill(1e30);
      const wasm = new WasmNet(net);
      try {
        expect(engine().core.brainTrain(wasm.shape, wasm.params, wasm.prepared(), wasm.deltas, 2, wasm.i32s([1, 2]), wasm.i32s([2, 0]), wasm.tape(2), 0)).toBeNaN();
        expect(engine().core.brainRunCharacters(wasm.shape, wasm.params, wasm.prepared(), wasm.tape(2), wasm.i32s([1]), 1, wasm.alloc(40), 0, 10, 0, 0, 1)).toBe(-1);
      } finally {
        wasm.dispose();
      }
    });
  });
}
