// wasm-rnn/tfjs in Chromium: a page bundled by esbuild from test/browser/tfjs-page.ts (tfjs,
// tfjs-backend-wasm, and wasm-rnn from src/ on the web platform with its wasm inline) runs a masked
// Bidirectional LSTM → GRU → Dense model with the bridge off and on, on tfjs's cpu and wasm backends:
// predict and gradients within 1e-5 of tfjs's own layers, the weights after a fit epoch within 1e-4,
// every layer call and backward pass on wasm-rnn, no notice, tf.memory().numTensors unchanged. On
// webgl (Chromium's software GL, when it has one) every layer runs on tfjs's own path with one notice
// naming the backend, tfjs's own results.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBrowser, type BrowserSession } from "../helpers/browser.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Resolves a module of src/ (matched by the end of its path) to another file, as the browser build does. */
function replace(name: string, from: RegExp, to: string) {
  return { name, setup: (b: { onResolve(o: { filter: RegExp }, f: () => { path: string }): void }) => b.onResolve({ filter: from }, () => ({ path: join(ROOT, to) })) };
}

let browser: BrowserSession, site: string;

beforeAll(async () => {
  site = mkdtempSync(join(tmpdir(), "wasm-rnn-tfjs-page-"));
  await build({
    entryPoints: [join(ROOT, "test/browser/tfjs-page.ts")],
    outfile: join(site, "page.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    loader: { ".wasm": "binary" },
    logLevel: "error",
    plugins: [replace("web-platform", /\/platform\/current\.js$/, "src/platform/web.ts"), replace("inline-wasm", /\/wasm-files\.js$/, "src/engine/wasm-inline.ts")],
  });
  writeFileSync(join(site, "index.html"), '<!doctype html><meta charset="utf-8"><title>wasm-rnn/tfjs</title><script type="module" src="page.js"></script>\n');
  browser = await startBrowser({ isolated: false, mounts: [["/tfjs-wasm/", join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist")], ["/", site]] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

interface BackendResult {
  unavailable?: true;
  predict: number;
  gradients: number;
  fit: number;
  moved: number;
  calls: number;
  backward: number;
  notices: string[];
  tensorGrowth: number;
}

describe("wasm-rnn/tfjs in Chromium", () => {
  it("predict, gradients and fit equal tfjs's on the cpu and wasm backends; webgl stays on tfjs's path with a notice", async () => {
    const page = await browser.open("/index.html");
    await page.waitForFunction(() => "result" in window, null, { timeout: 120_000 });
    const result = await page.evaluate(() => (window as unknown as { result: Record<string, BackendResult> & { error?: string } }).result);
    expect(result.error).toBeUndefined();
    for (const backend of ["cpu", "wasm"]) {
      const r = result[backend];
      expect(r.unavailable, backend).toBeUndefined();
      expect(r.notices, backend).toEqual([]);
      // Predict: 3 layer calls; gradients: 3 calls and 3 backward passes; 2 fits of 2 batches each,
      // one on wasm-rnn: 6 calls and 6 backward passes; then a predict and a fit: 3 + 6.
      expect(r.calls, backend).toBe(3 + 3 + 6 + 3 + 6);
      expect(r.backward, backend).toBe(3 + 6 + 6);
      expect(r.predict, backend).toBeLessThanOrEqual(1e-5);
      expect(r.gradients, backend).toBeLessThanOrEqual(1e-5);
      expect(r.fit, backend).toBeLessThanOrEqual(1e-4);
      expect(r.moved, backend).toBeGreaterThan(1e-2);
      expect(r.tensorGrowth, backend).toBe(0);
    }
    const webgl = result.webgl;
    if (webgl.unavailable) console.log("Chromium has no WebGL here: the webgl backend was not tried");
    else {
      expect(webgl.calls).toBe(0);
      expect(webgl.backward).toBe(0);
      expect(webgl.notices).toEqual([expect.stringMatching(/"webgl" backend .* recurrent layers run on tfjs's own path/)]);
      expect(webgl.predict).toBe(0);
      expect(webgl.fit).toBe(0);
    }
    console.log(`Chromium, wasm-rnn/tfjs vs tfjs: ${["cpu", "wasm"].map((b) => `${b} predict ${result[b].predict.toExponential(1)}, gradients ${result[b].gradients.toExponential(1)}, fit ${result[b].fit.toExponential(1)}`).join("; ")}; webgl ${webgl.unavailable ? "unavailable" : "on tfjs's path"}`);
    expect(browser.problems).toEqual([]);
  }, 180_000);
});
