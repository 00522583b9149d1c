// The engine's thread team (`init({ threads: N })`) with real worker_threads on the shared memory (the
// built package, since team members run dist/engine/threads/team-worker.js): every layer's and model's
// forward and backward split across threads with no change to the calling code, and give the
// one-thread results (outputs, states, every gradient);
// bad sizes are refused; a failing part fails its call and leaves the team usable; the default team
// starts by itself and never keeps a process alive.

import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  init, engineInfo, LSTM, GRU, RNN, Dense, LanguageModel, SequenceClassifier, Seq2Seq, CharTokenizer, tensor, Random,
  ShapeError, WorkerError, quantizeDynamic, type Recurrent, type ForwardOptions,
} from "../../dist/node.js";
import { encodePlan } from "../../dist/engine/engine.js";
import { initEngine } from "../../dist/engine/init.js";
import { caseData, makeLayer, RECURRENT_CASES } from "../cases/recurrent.js";
import { expectClose } from "../helpers/compare.js";

const random = new Random(17);
const uniform = (n: number) => Float32Array.from({ length: n }, () => random.uniformIn(-1, 1));
const EXACT = { rtol: 1e-6, atol: 0 };
const BIT_IDENTICAL = { rtol: 0, atol: 0 };

/** A forward case: the layer, its input [T, B, I] (or [T, I]) and options. */
interface LayerCase {
  label: string;
  layer: Recurrent;
  x: ReturnType<typeof tensor>;
  options?: ForwardOptions;
  /** Also compare gradients of a backward after the (split) forward. */
  backward?: boolean;
  /** Kernel calls that run split (every forward and backward kernel, unless the case says otherwise). */
  splitKernels: number;
  /** How close the team's results must be: int8 ones are bit-identical (exact integer sums, the same
   *  float32 steps per output however the rows or units are split). */
  tolerance: { rtol: number; atol: number };
}

/** The rows of the recurrent case table marked for this test, in table order (their shapes are large
 *  enough to split; their x, lengths and initial states come from the table too), then each of them
 *  quantized (int8 kernels, forward only). */
function layerCases(): LayerCase[] {
  const rows = RECURRENT_CASES.filter((row) => row.threads);
  const cases = rows.map((row) => {
    const layer = makeLayer<Recurrent>(row, { lstm: LSTM, gru: GRU, rnn: RNN });
    const { x, h0, c0, lengths } = caseData(row);
    const backward = row.threads!.backward;
    const kernels = layer.numLayers * layer.directions * (backward ? 2 : 1);
    return { label: row.name, layer, x: tensor(x.data, x.shape), options: { h0, c0, lengths }, backward, splitKernels: row.threads!.split === false ? 0 : kernels, tolerance: EXACT };
  });
  const quantized = rows.map((row, i) => {
    const layer = quantizeDynamic(cases[i].layer);
    const kernels = row.threads!.split === false ? 0 : layer.numLayers * layer.directions;
    return { ...cases[i], label: `${row.name}, quantized`, layer, backward: false, splitKernels: kernels, tolerance: BIT_IDENTICAL };
  });
  return [...cases, ...quantized];
}

interface Outcome {
  outputs: Float32Array[];
  grads: Float32Array[];
}

/** Forward (and backward) of every case on the engine's current team. */
function runLayers(cases: LayerCase[]): Outcome[] {
  return cases.map(({ layer, x, options, backward }) => {
    const result = layer.forward(x, options);
    const outputs = [result.output.data, result.hN.data, ...(result.cN ? [result.cN.data] : [])].map((a) => Float32Array.from(a));
    let grads: Float32Array[] = [];
    if (backward) {
      layer.zeroGrad();
      const back = layer.backward(tensor(Float32Array.from(result.output.data, (_, i) => Math.sin(i)), result.output.shape));
      grads = [back.gradInput.data, ...Object.values(layer.grads()).map((g) => g.data)].map((a) => Float32Array.from(a));
    }
    return { outputs, grads };
  });
}

const text = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.";

/** Results of a language model (token inputs), a classifier and a seq2seq decoder. */
function runModels() {
  const tokenizer = CharTokenizer.fit(text);
  const lm = new LanguageModel(tokenizer, { hiddenSize: 128, embeddingDim: 16, numLayers: 2, seed: 10 });
  const V = tokenizer.size, T = 48, B = 8;
  const ids = (seed: number) => Int32Array.from({ length: T * B }, (_, i) => (i * 7 + seed * 13 + ((i * i) % 11)) % V);
  lm.zeroGrad();
  const loss = lm.windowLoss(ids(1), ids(2), T, B, true, false).loss;
  const lmGrads = lm.layers.flatMap((layer) => Object.values(layer.grads()).map((g) => Float32Array.from(g.data)));
  const classifier = new SequenceClassifier({ vocabSize: 30, embeddingDim: 16, hiddenSize: 96, numClasses: 4, pooling: "mean", seed: 11 });
  const sequences = Array.from({ length: 12 }, (_, i) => Array.from({ length: 30 + (i % 7) * 5 }, (_, t) => (i * 5 + t * 3) % 30));
  const digits = CharTokenizer.fit("0123456789");
  const seq2seq = new Seq2Seq(digits, digits, { hiddenSize: 128, embeddingDim: 16, attention: "dot", seed: 12 });
  const sources = ["1234567890123456789012345678901234567890", "98765432109876543210987654321098765432", "5555555555444444444433333333332222222222"];
  return {
    loss, lmGrads,
    logProb: lm.logProb(text),
    predicted: classifier.predict(sequences),
    decoded: seq2seq.decode(sources, { strategy: "beam", beamWidth: 3, maxLength: 12 }).map((d) => d.text),
  };
}

describe("init({ threads })", () => {
  it("refuses team sizes that are not positive integers up to 28, and keeps the one it has", async () => {
    for (const size of [1, 2]) {
      await init({ threads: size });
      for (const bad of [0, -1, 1.5, Number.NaN, Infinity, "2", null, 29]) {
        await expect(init({ threads: bad as number }), String(bad)).rejects.toThrow(ShapeError);
        await expect(init({ threads: bad as number }), String(bad)).rejects.toThrow(/threads/);
      }
      expect(engineInfo()).toEqual({ threads: size, sharedMemory: true, simd: true, relaxedSimd: expect.any(Boolean), splitKernels: 0, integerDot: null });
    }
  });

  describe("a team of 2 gives the one-thread results", () => {
    const cases = layerCases();
    let one: Outcome[], two: Outcome[], jobs: number[];
    let modelsOne: ReturnType<typeof runModels>, modelsTwo: ReturnType<typeof runModels>, modelJobs: number;

    beforeAll(async () => {
      await init({ threads: 1 });
      one = runLayers(cases);
      modelsOne = runModels();
      const engine = await initEngine({ threads: 2 });
      expect(engineInfo().threads).toBe(2);
      // What is tested here is how kernels split, not whether this host makes a split pay.
      engine.splitsPay = { rows: true, units: true };
      const team = engine.team!;
      jobs = [];
      two = cases.map((c) => {
        const before = team.jobs;
        const [outcome] = runLayers([c]);
        jobs.push(team.jobs - before);
        return outcome;
      });
      const before = team.jobs;
      modelsTwo = runModels();
      modelJobs = team.jobs - before;
    });

    cases.forEach((c, i) => {
      it(`${c.label}: outputs, final states${c.backward ? " and the gradients of a backward after it" : ""}`, () => {
        expect(jobs[i], "kernels run split").toBe(c.splitKernels);
        one[i].outputs.forEach((expected, k) => expectClose(two[i].outputs[k], expected, `${c.label}: result ${k}`, c.tolerance));
        one[i].grads.forEach((expected, k) => expectClose(two[i].grads[k], expected, `${c.label}: gradient ${k}`, EXACT));
      });
    });

    it("models: language-model loss and gradients (token inputs), log-probability, classifier, beam decoding", () => {
      expect(modelJobs, "split kernels: the LM's 2 layers forward and backward, the classifier's and the seq2seq encoder's").toBeGreaterThanOrEqual(6);
      expect(Math.abs(modelsTwo.loss - modelsOne.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(modelsOne.loss));
      modelsOne.lmGrads.forEach((g, k) => expectClose(modelsTwo.lmGrads[k], g, `LM gradient ${k}`, EXACT));
      expect(Math.abs(modelsTwo.logProb - modelsOne.logProb)).toBeLessThanOrEqual(1e-6 * Math.abs(modelsOne.logProb));
      expect(modelsTwo.predicted).toEqual(modelsOne.predicted);
      expect(modelsTwo.decoded).toEqual(modelsOne.decoded);
    });

    it("a Dense layer (an LM's output projection): forward rows and backward gradients split, same numbers", async () => {
      const x = tensor(uniform(600 * 128), [600, 128]), dy = tensor(uniform(600 * 300), [600, 300]);
      const results: Float32Array[][] = [];
      for (const threads of [1, 2]) {
        const team = (await initEngine({ threads })).team;
        const dense = new Dense({ inFeatures: 128, outFeatures: 300, seed: 14 });
        const before = team?.jobs ?? 0;
        const y = dense.forward(x);
        const gx = dense.backward(dy);
        const int8 = quantizeDynamic(dense);
        const yInt8 = int8.forward(x);
        expect((team?.jobs ?? 0) - before, "forward and backward split on the team, and the int8 forward").toBe(threads === 2 ? 3 : 0);
        results.push([y.data, gx.data, ...Object.values(dense.grads()).map((g) => g.data), yInt8.data].map((a) => Float32Array.from(a)));
        dense.dispose();
        int8.dispose();
      }
      results[0].forEach((expected, k) => expectClose(results[1][k], expected, `dense result ${k}`, k === results[0].length - 1 ? BIT_IDENTICAL : EXACT));
    });

    it("small kernels stay on this thread (waking the team would cost more than they take)", async () => {
      const team = (await initEngine()).team!;
      const before = team.jobs;
      const small = new LSTM({ inputSize: 4, hiddenSize: 16, seed: 13 });
      small.forward(tensor(uniform(10 * 3 * 4), [10, 3, 4]));
      expect(team.jobs).toBe(before);
    });

    it("a part that fails fails its call with a WorkerError; the team then runs the next call normally", async () => {
      const engine = await initEngine();
      const team = engine.team!;
      const layer = cases[4].layer as unknown as {
        forward: RNN["forward"];
        state: { plans: Record<string, number>[] };
        partPlans(plan: unknown, key: string, parts: number, barrier: number, workspace: (part: number, bytes: number) => number): Record<string, number>[];
      };
      const x = cases[4].x;
      layer.forward(x);
      const plans = layer.partPlans(layer.state.plans[0], "0.0", 2, team.barrier, (part, bytes) => (part === 0 ? engine.scratch(bytes) : team.buffer(part, bytes)));
      plans[1] = { ...plans[1], x: 0x7ffffff0, wIh: 0x7ffffff0 }; // the member's input projection reads out of bounds
      expect(() => team.run("rnn.forward", plans.map((plan) => encodePlan(plan as never)))).toThrow(WorkerError);
      const again = layer.forward(x);
      expectClose(again.output.data, one[4].outputs[0], "after the failure", EXACT);
    });
  });

  it("by default a Node process gets a team of its cores, which never keeps it from exiting", () => {
    const entry = fileURLToPath(new URL("../../dist/node.js", import.meta.url));
    const engineModule = fileURLToPath(new URL("../../dist/engine/engine.js", import.meta.url));
    const script = `
      const m = await import(${JSON.stringify(entry)});
      const { engine } = await import(${JSON.stringify(engineModule)});
      const started = Date.now();
      while (m.engineInfo().threads === 1 && Date.now() - started < 20000) await new Promise((r) => setTimeout(r, 20));
      const layer = new m.LSTM({ inputSize: 32, hiddenSize: 128 });
      layer.forward(m.tensor(new Float32Array(64 * 4 * 32).fill(0.25), [64, 4, 32]));
      console.log(JSON.stringify({ threads: m.engineInfo().threads, jobs: engine().team?.jobs ?? 0 }));`;
    const env = { ...process.env };
    delete env.WASM_RNN_THREADS;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, timeout: 30_000, encoding: "utf8" });
    const cores = Math.min(availableParallelism(), 28);
    expect(JSON.parse(out)).toEqual({ threads: cores, jobs: cores > 1 ? 1 : 0 });
  });
});
