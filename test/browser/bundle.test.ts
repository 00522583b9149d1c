// The browser bundle in real headless Chromium: it loads (streaming-compiled from /wasm-rnn/dist/browser/, and the
// inline variant with the wasm embedded), a page reaches its first W1 result, and forward and backward
// results equal Node's for the same seeded weights and inputs (≤ 1e-6), with no console errors.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as library from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { startBrowser, type BrowserSession } from "../helpers/browser.js";

/** One layer, its seed and input: run forward and backward where `lib` is loaded (Node or a page). */
interface Case {
  kind: "LSTM" | "GRU" | "RNN";
  options: Record<string, unknown>;
  T: number;
  B: number;
  lengths?: number[];
}

const CASES: Case[] = [
  { kind: "LSTM", options: { inputSize: 24, hiddenSize: 40, numLayers: 2, bidirectional: true, projSize: 16, seed: 3 }, T: 9, B: 5, lengths: [9, 3, 7, 1, 9] },
  { kind: "GRU", options: { inputSize: 24, hiddenSize: 40, resetAfter: false, seed: 4 }, T: 12, B: 3 },
  { kind: "GRU", options: { inputSize: 24, hiddenSize: 256, seed: 5 }, T: 6, B: 1 },
  { kind: "RNN", options: { inputSize: 24, hiddenSize: 40, nonlinearity: "relu", numLayers: 3, seed: 6 }, T: 10, B: 4 },
];

/** Runs in Node and, serialised, in the page: no references outside its arguments. */
async function exercise(lib: typeof library, c: Case): Promise<Record<string, number[]>> {
  const info = await lib.init();
  const random = new lib.Random(99);
  const layer = new lib[c.kind](c.options as never);
  const inputSize = c.options.inputSize as number;
  const x = lib.tensor(random.uniformArray(c.T * c.B * inputSize, -1, 1), [c.T, c.B, inputSize]);
  const { output, hN } = layer.forward(x, c.lengths ? { lengths: c.lengths } : {});
  const gradOutput = lib.tensor(random.uniformArray(output.data.length, -1, 1), output.shape);
  const back = layer.backward(gradOutput);
  const grads = layer.grads();
  const result = { output: Array.from(output.data), hN: Array.from(hN.data), gradInput: Array.from(back.gradInput.data), gradWeightHh: Array.from(grads.weight_hh_l0.data), simd: [info.relaxedSimd ? 1 : 0] };
  layer.dispose();
  return result;
}

let browser: BrowserSession;

beforeAll(async () => {
  await library.init();
  browser = await startBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("browser bundle in Chromium", () => {
  it("reaches the first W1 result on a fresh page and reports the time", async () => {
    const page = await browser.open("/cold-start.html");
    const result = page.locator("#result[data-ms]");
    await result.waitFor({ timeout: 30_000 });
    console.log(`cold start in Chromium: ${await result.textContent()}`);
    expect(Number(await result.getAttribute("data-ms"))).toBeGreaterThan(0);
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  for (const bundle of ["wasm-rnn.js", "wasm-rnn.inline.js"]) {
    it(`${bundle}: forward and backward equal Node's (≤ 1e-6)`, async () => {
      const page = await browser.open("/cold-start.html");
      await page.locator("#result[data-ms]").waitFor({ timeout: 30_000 });
      for (const c of CASES) {
        // A string, not a function: the test runner rewrites dynamic imports inside functions.
        const inPage = await page.evaluate(`import("/wasm-rnn/dist/browser/${bundle}").then((lib) => (${exercise.toString()})(lib, ${JSON.stringify(c)}))`);
        const inNode = await exercise(library, c);
        const label = `${bundle} ${c.kind} ${JSON.stringify(c.options)}`;
        expect(inPage.simd, `${label}: SIMD build`).toEqual(inNode.simd);
        for (const key of ["output", "hN", "gradInput", "gradWeightHh"]) expectClose(inPage[key], inNode[key], `${label} ${key}`, { rtol: 0, atol: 1e-6 });
      }
      expect(browser.problems).toEqual([]);
      await page.close();
    });
  }

  it("refuses checkpoint directories (no file system) with an UnsupportedError, and round-trips checkpoint bytes", async () => {
    const page = await browser.open("/cold-start.html");
    await page.locator("#result[data-ms]").waitFor({ timeout: 30_000 });
    const outcome = await page.evaluate(`import("/wasm-rnn/dist/browser/wasm-rnn.js").then(async (lib) => {
      const model = new lib.SequenceClassifier({ inputSize: 2, hiddenSize: 4, numClasses: 2, seed: 1 });
      let refused = "not refused";
      try { new lib.Trainer(model, { checkpointDir: "runs/x" }); } catch (e) { refused = e.name + ": " + e.message; }
      const { bytes } = lib.checkpointToBytes(model);
      const restored = lib.checkpointFromBytes(bytes).model;
      const same = JSON.stringify(Object.values(restored.stateDict()).map((t) => Array.from(t.data))) === JSON.stringify(Object.values(model.stateDict()).map((t) => Array.from(t.data)));
      return { refused, same };
    })`);
    expect(outcome).toEqual({ refused: expect.stringMatching(/^UnsupportedError: Trainer: checkpointDir needs a file system/), same: true });
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  it("refuses a wasm base URL that serves nothing with a ResourceError naming the URL", async () => {
    const page = await browser.open("/cold-start.html");
    await page.locator("#result[data-ms]").waitFor({ timeout: 30_000 });
    // A new realm (a worker) has no engine yet: init there with a wrong base URL.
    const message = await page.evaluate(async () => {
      const source = `import("${location.origin}/wasm-rnn/dist/browser/wasm-rnn.js").then((lib) => lib.init({ wasmBaseUrl: "${location.origin}/nowhere/" })).then(() => postMessage("loaded"), (e) => postMessage(e.name + ": " + e.message));`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
      return new Promise<string>((resolve) => (worker.onmessage = (event) => resolve(event.data)));
    });
    expect(message).toMatch(/^ResourceError: cannot load .*\/nowhere\/.*\.wasm: HTTP 404/);
    await page.close();
  });
});
