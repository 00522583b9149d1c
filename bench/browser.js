// Cold start in headless Chromium (`node browser.js`, run by `npm run bench`; the Chromium of
// scripts/chromium.mjs): the demo's cold-start page (web/cold-start.html) opened in a fresh browser
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await browserColdStarts();
  const line = (label, s) => `  ${label.padEnd(58)} ${s.ms.toFixed(1).padStart(6)} ms (runs: ${s.samples.map((x) => x.toFixed(0)).join(", ")})`;
  console.log(`\ncold start in Chromium (fresh context each, median of ${RUNS}):`);
  console.log(line("navigation start → page script starts (browser overhead)", r.page));
  console.log(line("page script starts → first W1 result (wasm-rnn)", r.library));
  console.log(line("navigation start → first W1 result", r.total));
}
