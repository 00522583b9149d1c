// Panel (a): text generation from the pretrained Austen language model — its float32 weights or the
// int8 ones (`wasm-rnn quantize`), with both downloads' sizes — or a checkpoint the user loads, with
// temperature, top-k, length and seed, streaming characters from the worker.

import * as Comlink from "comlink";
import type { DemoWorkerApi, ModelSummary } from "./demo-worker-api.js";
import { element, fetchBytes, formatCount, showError } from "./dom.js";

/** The pretrained model's checkpoints, by the weights' type. */
const PRETRAINED = { float32: "/models/austen/checkpoint.safetensors", int8: "/models/austen-int8/checkpoint.safetensors" } as const;
type Weights = keyof typeof PRETRAINED;

/** "1.43 MB" */
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** A file's size from a HEAD request (null when the server does not say). */
async function sizeOf(url: string): Promise<number | null> {
  const response = await fetch(url, { method: "HEAD" });
  const length = response.headers.get("content-length");
  return response.ok && length !== null ? Number(length) : null;
}

export async function setupGeneratePanel(worker: Comlink.Remote<DemoWorkerApi>): Promise<void> {
  const modelLine = element("generate-model");
  const run = element<HTMLButtonElement>("generate-run");
  const output = element("generate-output");
  const errorBox = element("generate-error");
  const temperature = element<HTMLInputElement>("generate-temperature");
  const temperatureValue = element<HTMLOutputElement>("generate-temperature-value");
  const file = element<HTMLInputElement>("generate-file");
  const number = (id: string) => Number(element<HTMLInputElement>(id).value);

  const describe = (name: string, m: ModelSummary) =>
    `${name}: ${m.cell.toUpperCase()} with ${m.hiddenSize} hidden units, ${formatCount(m.parameters)} parameters, ${m.vocabulary} characters.`;

  temperature.addEventListener("input", () => (temperatureValue.value = Number(temperature.value).toFixed(2)));

  run.addEventListener("click", async () => {
    run.disabled = true;
    showError(errorBox, null);
    delete output.dataset.done;
    const started = performance.now();
    try {
      const settings = {
        prime: element<HTMLInputElement>("generate-prime").value,
        temperature: Number(temperature.value),
        topK: number("generate-top-k"),
        length: number("generate-length"),
        seed: number("generate-seed"),
      };
      // The worker returns once every piece has been taken here; the returned text is the whole sample.
      output.textContent = settings.prime;
      const text = await worker.generate(settings, Comlink.proxy((piece: string) => void (output.textContent += piece)));
      output.textContent = settings.prime + text;
      output.dataset.done = "true";
      modelLine.dataset.lastRun = `${[...text].length} characters in ${(performance.now() - started).toFixed(0)} ms`;
    } catch (error) {
      showError(errorBox, error);
    } finally {
      run.disabled = false;
    }
  });

  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    showError(errorBox, null);
    try {
      const summary = await worker.loadLanguageModel(new Uint8Array(await chosen.arrayBuffer()), chosen.name);
      modelLine.textContent = describe(`Loaded ${chosen.name}`, summary);
      run.disabled = false;
    } catch (error) {
      showError(errorBox, error); // the previous model stays loaded
    } finally {
      file.value = "";
    }
  });

  const weights = element<HTMLSelectElement>("generate-weights");
  const sizes = element("generate-sizes");
  const loadPretrained = async (kind: Weights) => {
    run.disabled = true;
    weights.disabled = true;
    showError(errorBox, null);
    try {
      const bytes = await fetchBytes(PRETRAINED[kind]);
      const summary = await worker.loadLanguageModel(bytes, PRETRAINED[kind]);
      modelLine.textContent = describe(`Jane Austen model, ${kind} weights (${megabytes(bytes.length)})`, summary);
      modelLine.dataset.weights = kind;
      run.disabled = false;
    } catch (error) {
      modelLine.textContent = "The pretrained model did not load.";
      showError(errorBox, error);
    } finally {
      weights.disabled = false;
    }
  };
  weights.addEventListener("change", () => void loadPretrained(weights.value as Weights));
  void Promise.all((Object.keys(PRETRAINED) as Weights[]).map(async (kind) => [kind, await sizeOf(PRETRAINED[kind]).catch(() => null)] as const)).then((known) => {
    sizes.textContent = known.map(([kind, size]) => `${kind}: ${size === null ? "?" : megabytes(size)}`).join(", ") + " to download";
  });
  await loadPretrained("float32");
}
