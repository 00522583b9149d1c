// "Adding a cell" (docs/ARCHITECTURE.md) is true: a copy of the library gets a fourth cell, the
// Minimal Gated Unit, through exactly the places that list names — its kernels (already in the test
// build, assembly/testing/mgu.ts), its row in engine/cells.ts, its class (test/fixtures/add-a-cell/
// mgu.ts) in layers/ with its entry in recurrent-classes.ts and its export, and its reference
// (test/reference/mgu.ts) — and nothing else. The copy then type-checks, and the new kind works
// everywhere a kind comes in: the layer against the reference (forward and backward), a model's
// config and its checkpoint, quantization, the thread team, the worker pool and the CLI.
// Uses dist/ of the copy (compiled here) and the test build's wasm (build/testing/).

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recurrentBackward, recurrentForward, type RecurrentSpec } from "../reference/recurrent.js";
import { expectClose } from "../helpers/compare.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const copy = fileURLToPath(new URL("../.artifacts/add-a-cell/", import.meta.url));

/** The edits "Adding a cell" lists, as a contributor would make them: a file and what to do to it. */
const EDITS: { file: string; edit: (text: string) => string }[] = [
  {
    file: "src/engine/cells.ts",
    edit: (text) => insertAfter(text, /^ {2}rnn: \{.*\},$/m, `\n  mgu: { name: "MGU", gates: 2, cellState: false, savesGates: true, extra: true, unitsSplit: false, activations: ["Sigmoid", "Tanh"] },`),
  },
  { file: "src/layers/mgu.ts", edit: () => readFileSync(new URL("../fixtures/add-a-cell/mgu.ts", import.meta.url), "utf8") },
  {
    file: "src/layers/recurrent-classes.ts",
    edit: (text) => {
      let out = insertAfter(text, /^import \{ LSTM, type LSTMOptions \} from "\.\/lstm\.js";$/m, `\nimport { MGU, type MGUOptions } from "./mgu.js";`);
      out = insertAfter(out, /^ {2}rnn: RNNOptions;$/m, "\n  mgu: MGUOptions;");
      return out.replace(/\{ lstm: LSTM, gru: GRU, rnn: RNN \}/, "{ lstm: LSTM, gru: GRU, rnn: RNN, mgu: MGU }");
    },
  },
  { file: "src/index.ts", edit: (text) => insertAfter(text, /^export \{ RNN, type RNNOptions \} from "\.\/layers\/rnn\.js";$/m, `\nexport { MGU, type MGUOptions } from "./layers/mgu.js";`) },
];

/** `text` with `insertion` after the first match of `anchor`; an error naming the anchor if none. */
function insertAfter(text: string, anchor: RegExp, insertion: string): string {
  const match = anchor.exec(text);
  if (!match) throw new Error(`add-a-cell: ${anchor} is not in the file any more; update this test's EDITS with the new place`);
  const end = match.index + match[0].length;
  return text.slice(0, end) + insertion + text.slice(end);
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(`${dir}/${entry.name}`, `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]);
}

// The copy's own API, once compiled (its types are those of the library plus MGU).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Api = any;
let api: Api;
let compile: { status: number | null; output: string };

beforeAll(async () => {
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(`${copy}build`, { recursive: true });
  cpSync(`${root}src`, `${copy}src`, { recursive: true });
  for (const file of ["tsconfig.json", "package.json"]) cpSync(`${root}${file}`, `${copy}${file}`);
  for (const wasm of readdirSync(`${root}build/testing`)) cpSync(`${root}build/testing/${wasm}`, `${copy}build/${wasm}`);
  for (const { file, edit } of EDITS) {
    let before = "";
    try {
      before = readFileSync(`${copy}${file}`, "utf8");
    } catch {
      // a new file
    }
    writeFileSync(`${copy}${file}`, edit(before));
  }
  const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${copy}tsconfig.json`], { encoding: "utf8" });
  compile = { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
  api = await import(pathToFileURL(`${copy}dist/index.js`).href);
  await api.init({ threads: 2 });
}, 120_000);

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

const SPEC: RecurrentSpec = { cell: "mgu", inputSize: 5, hiddenSize: 7, numLayers: 2, bidirectional: true, bias: true, batchFirst: false, projSize: 0, peepholes: false, resetAfter: false, nonlinearity: "tanh" };

/** Values in [-1, 1) from a small linear congruential generator (deterministic). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
}

describe("adding a cell (docs/ARCHITECTURE.md) — a test-only MGU", () => {
  it("takes exactly the listed edits, and the copy type-checks with them", () => {
    const changed = filesUnder(`${copy}src`).filter((file) => {
      let original: string | null = null;
      try {
        original = readFileSync(`${root}src/${file}`, "utf8");
      } catch {
        // new in the copy
      }
      return original !== readFileSync(`${copy}src/${file}`, "utf8");
    });
    expect(changed.map((f) => `src/${f}`).sort()).toEqual(EDITS.map((e) => e.file).sort());
    expect(compile.output).toBe("");
    expect(compile.status).toBe(0);
  });

  it("builds a layer of the new kind, its kernels bound from the test build", () => {
    const layer = new api.MGU({ inputSize: 3, hiddenSize: 4, seed: 1 });
    expect([layer.cell, layer.constructor.name, Object.keys(layer.stateDict())]).toEqual(["mgu", "MGU", ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]]);
    expect(layer.stateDict().weight_ih_l0.shape).toEqual([8, 3]); // 2 gates
    layer.dispose();
  });

  it("forward and backward match the float64 reference (2 layers, bidirectional, lengths, h0)", () => {
    const T = 6, B = 3, H = SPEC.hiddenSize, LD = 4, lengths = [6, 2, 4];
    const layer = new api.MGU({ inputSize: SPEC.inputSize, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 3 });
    const x = api.tensor(values(T * B * SPEC.inputSize, 1), [T, B, SPEC.inputSize]), h0 = api.tensor(values(LD * B * H, 2), [LD, B, H]);
    const params = Object.fromEntries(Object.entries(layer.stateDict()).map(([name, t]) => [name, (t as { data: Float32Array }).data]));
    const reference = recurrentForward(SPEC, params, x.data, T, B, { h0: h0.data, lengths });
    const out = layer.forward(x, { h0, lengths });
    expectClose(out.output.data, reference.output, "output");
    expectClose(out.hN.data, reference.hN, "hN");
    const gradOutput = values(T * B * 2 * H, 4), gradHN = values(LD * B * H, 5);
    const grads = recurrentBackward(SPEC, params, reference, T, B, gradOutput, gradHN);
    const back = layer.backward(api.tensor(gradOutput, [T, B, 2 * H]), { gradHN: api.tensor(gradHN, [LD, B, H]) });
    expectClose(back.gradInput.data, grads.input, "grad input");
    expectClose(back.gradH0.data, grads.h0, "grad h0");
    const actual = layer.grads();
    for (const [name, g] of Object.entries(grads.params)) expectClose(actual[name].data, g, `grad ${name}`);
    layer.dispose();
  });

  it("a model's config builds it, trains, and its checkpoint rebuilds it; quantizeDynamic selects it by kind", async () => {
    const text = "the cat sat on the mat. the dog sat on the log. ".repeat(8);
    const tokenizer = api.CharTokenizer.fit(text);
    const lm = new api.LanguageModel(tokenizer, { cell: "mgu", hiddenSize: 24, embeddingDim: 8, seed: 2 });
    expect(lm.config().cell).toBe("mgu");
    const before = lm.logProb(text);
    await new api.Trainer(lm, { optimizer: "adam", lr: 1e-2, epochs: 100, maxSteps: 60 }).fit(api.streamData(lm, tokenizer.encode(text, { bos: true }), { batchSize: 4, bptt: 16 }));
    expect(lm.logProb(text)).toBeGreaterThan(before + 200); // measured: −1127 → −760
    const loaded = api.checkpointFromBytes(api.checkpointToBytes(lm).bytes).model;
    expect(loaded.rnn.cell).toBe("mgu");
    expect(loaded.logProb(text)).toBe(lm.logProb(text));
    const int8 = api.quantizeDynamic(lm, { layers: ["mgu"] });
    expect(int8.config().quantized).toEqual(["mgu"]);
    expect(int8.rnn.quantized).toBe(true);
    expect(Math.abs(int8.logProb(text) / lm.logProb(text) - 1)).toBeLessThan(0.02);
    for (const m of [lm, loaded, int8]) m.dispose();
  });

  it("runs split over the thread team by batch rows, matching the reference", () => {
    expect(api.engineInfo().threads).toBe(2);
    const T = 24, B = 16, I = 32, H = 256;
    const layer = new api.MGU({ inputSize: I, hiddenSize: H, seed: 4 });
    const x = api.tensor(values(T * B * I, 6), [T, B, I]);
    const before = api.engineInfo().splitKernels;
    const out = layer.forward(x).output.data;
    expect(api.engineInfo().splitKernels).toBeGreaterThan(before);
    const spec = { ...SPEC, inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: false };
    const params = Object.fromEntries(Object.entries(layer.stateDict()).map(([name, t]) => [name, (t as { data: Float32Array }).data]));
    expectClose(out, recurrentForward(spec, params, x.data, T, B).output, "split forward");
    layer.dispose();
  });

  it("runs on the worker pool's workers (hosted from its config), as here", async () => {
    const text = "a rose is a rose is a rose. ";
    const lm = new api.LanguageModel(api.CharTokenizer.fit(text), { cell: "mgu", hiddenSize: 16, embeddingDim: 8, seed: 5 });
    const pool = await api.WorkerPool.create({ size: 2 });
    try {
      expect(await pool.run(lm, "logProb", [text])).toBeCloseTo(lm.logProb(text), 4);
    } finally {
      await pool.close();
      lm.dispose();
    }
  });

  it("the CLI offers it and trains with it", () => {
    const cli = (...args: string[]) => execFileSync(process.execPath, [`${copy}dist/cli/main.js`, ...args], { encoding: "utf8", cwd: copy });
    expect(cli("train", "--help")).toContain("--cell lstm|gru|rnn|mgu");
    writeFileSync(`${copy}corpus.txt`, "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.\n".repeat(40));
    cli("train", "--corpus", "corpus.txt", "--out", "model", "--cell", "mgu", "--hidden", "16", "--embedding", "8", "--steps", "4", "--sample-every", "4");
    expect(cli("info", "--model", "model")).toMatch(/config: .*"cell":"mgu"/);
  });
});
