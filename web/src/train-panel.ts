// Panel (b): training a small character LSTM on the text in the box, in the worker, with a live loss
// curve, a stop button and a sample from the trained model at the end.

import * as Comlink from "comlink";
import type { DemoWorkerApi, TrainPoint } from "./demo-worker-api.js";
import { element, formatCount, showError } from "./dom.js";
import { LossChart } from "./loss-chart.js";

const DEFAULT_TEXT = "/text/pride-and-prejudice-1.txt";

export async function setupTrainPanel(worker: Comlink.Remote<DemoWorkerApi>): Promise<void> {
  const text = element<HTMLTextAreaElement>("train-text");
  const run = element<HTMLButtonElement>("train-run");
  const stop = element<HTMLButtonElement>("train-stop");
  const status = element("train-status");
  const sample = element("train-sample");
  const errorBox = element("train-error");
  const chart = new LossChart(element("train-chart") as unknown as SVGSVGElement);
  const number = (id: string) => Number(element<HTMLInputElement>(id).value);

  const progress = (p: TrainPoint) => {
    chart.add(p.step, p.loss);
    status.textContent = `Step ${p.step} of ${p.totalSteps}: loss ${p.loss.toFixed(3)} per character, ${formatCount(Math.round(p.tokensPerSecond))} characters/s.`;
    status.dataset.step = String(p.step);
  };

  run.addEventListener("click", async () => {
    run.disabled = true;
    stop.disabled = false;
    showError(errorBox, null);
    sample.textContent = "";
    delete status.dataset.outcome;
    const steps = number("train-steps");
    chart.reset();
    status.textContent = "Starting…";
    try {
      const outcome = await worker.train({ text: text.value, hiddenSize: number("train-hidden"), steps }, Comlink.proxy(progress));
      const how = outcome.stoppedBy === "abort" ? "Stopped" : "Done";
      status.textContent = `${how} after ${outcome.steps} steps in ${outcome.seconds.toFixed(1)} s: loss ${outcome.loss.toFixed(3)} per character (${formatCount(outcome.parameters)} parameters). The model writes:`;
      status.dataset.outcome = outcome.stoppedBy;
      sample.textContent = outcome.sample;
    } catch (error) {
      status.textContent = "Training failed.";
      showError(errorBox, error);
    } finally {
      run.disabled = false;
      stop.disabled = true;
    }
  });
  stop.addEventListener("click", () => void worker.stop());

  try {
    const response = await fetch(DEFAULT_TEXT);
    if (!response.ok) throw new Error(`cannot load ${DEFAULT_TEXT}: HTTP ${response.status}`);
    text.value = await response.text();
  } catch (error) {
    showError(errorBox, error);
  }
}
