// The demo page's entry: starts the engine, reports which build and memory it uses, and sets up the
// five panels (generation and training talk to one worker; dates, voice activity and speed run on
// the page).

import * as Comlink from "comlink";
import { init } from "wasm-rnn";
import type { DemoWorkerApi } from "./demo-worker-api.js";
import { setupDatesPanel } from "./dates-panel.js";
import { element, showError } from "./dom.js";
import { setupGeneratePanel } from "./generate-panel.js";
import { setupSpeedPanel } from "./speed-panel.js";
import { setupTrainPanel } from "./train-panel.js";
import { setupVadPanel } from "./vad-panel.js";

const status = element("engine");
try {
  const started = performance.now();
  const engine = await init();
  const memory = engine.sharedMemory ? "shared memory (the page is cross-origin isolated)" : "private memory (the page is not cross-origin isolated)";
  const simd = engine.relaxedSimd ? "relaxed" : "plain";
  status.textContent = `Engine ready in ${(performance.now() - started).toFixed(0)} ms: ${simd} SIMD, ${memory}, ${navigator.hardwareConcurrency} cores.`;
  status.dataset.simd = simd;
  status.dataset.shared = String(engine.sharedMemory);
  const worker = Comlink.wrap<DemoWorkerApi>(new Worker(new URL("./demo-worker.js", import.meta.url), { type: "module" }));
  setupSpeedPanel();
  setupVadPanel();
  await Promise.all([setupGeneratePanel(worker), setupTrainPanel(worker), setupDatesPanel()]);
  document.body.dataset.ready = "true";
} catch (error) {
  status.classList.add("error");
  showError(status, error);
}
