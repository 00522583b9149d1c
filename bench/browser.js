// Chromium (`node browser.js`, run by `npm run bench`; the Chromium of scripts/chromium.mjs): Silero
// VAD per frame against onnxruntime-web through the demo's voice-activity panel, and the cold start:
// the demo's cold-start page (web/cold-start.html) opened in a fresh browser
// context each time (empty HTTP and code caches), timing navigation start → the page's script
// starting (the browser's own overhead) and the script's start → the first W1 result (import the
// library, compile the wasm, init, build the layer, one forward pass). Medians of 7.

import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS, chromiumPath } from "../scripts/chromium.mjs";
import { startServer } from "../web/server.js";
import { median } from "./timing.js";
const RUNS = 7;

export async function browserColdStarts() {
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: await chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
  const samples = { page: [], library: [], total: [] };
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(new URL("cold-start.html", server.url).href);
      const result = page.locator("#result[data-ms]");
      await result.waitFor({ timeout: 30_000 });
      const total = Number(await result.getAttribute("data-ms"));
      const library = Number(await result.getAttribute("data-from-script"));
      await context.close();
      if (i === 0) continue; // the browser's first page also starts its renderer and network services
      samples.total.push(total);
      samples.library.push(library);
      samples.page.push(total - library);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ms: median(v), samples: v }]));
}

/** Silero VAD v6 per 32 ms frame in Chromium, wasm-rnn against onnxruntime-web (one thread), from the
 *  demo's voice-activity panel (the speech clip, 455 frames, medians after the first 50). */
export async function browserSilero() {
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: await chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
    await page.locator("#vad-run").click();
    await page.locator("#vad-chart[data-done=true]").waitFor({ timeout: 120_000 });
    const us = async (engine) => Number(await page.locator(`#vad-output tr[data-engine^="${engine}"]`).getAttribute("data-us"));
    return { ours: await us("wasm-rnn"), ort: await us("onnxruntime-web"), version: browser.version() };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const vad = await browserSilero();
  console.log(`
Silero VAD v6 per 32 ms frame in Chromium ${vad.version} (the demo's panel, one thread): wasm-rnn ${vad.ours.toFixed(0)} µs, onnxruntime-web ${vad.ort.toFixed(0)} µs (${(vad.ort / vad.ours).toFixed(2)}×)`);
  const r = await browserColdStarts();
  const line = (label, s) => `  ${label.padEnd(58)} ${s.ms.toFixed(1).padStart(6)} ms (runs: ${s.samples.map((x) => x.toFixed(0)).join(", ")})`;
  console.log(`\ncold start in Chromium (fresh context each, median of ${RUNS}):`);
  console.log(line("navigation start → page script starts (browser overhead)", r.page));
  console.log(line("page script starts → first W1 result (wasm-rnn)", r.library));
  console.log(line("navigation start → first W1 result", r.total));
}
