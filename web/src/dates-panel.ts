// Panel (c): the pretrained date normaliser (seq2seq with attention), decoded on the page's thread —
// greedily or by beam search of the chosen width.

import { checkpointFromBytes, type Seq2Seq } from "wasm-rnn";
import { element, fetchBytes, formatCount, showError } from "./dom.js";

const PRETRAINED = "/models/dates/checkpoint.safetensors";

export async function setupDatesPanel(): Promise<void> {
  const modelLine = element("dates-model");
  const input = element<HTMLInputElement>("dates-input");
  const beam = element<HTMLSelectElement>("dates-beam");
  const run = element<HTMLButtonElement>("dates-run");
  const rows = element("dates-output").querySelector("tbody")!;
  const errorBox = element("dates-error");
  let model: Seq2Seq;

  const convert = () => {
    showError(errorBox, null);
    try {
      const width = Number(beam.value);
      const started = performance.now();
      const [result] = model.decode([input.value], width > 1 ? { strategy: "beam", beamWidth: width } : {});
      const ms = performance.now() - started;
      const row = document.createElement("tr");
      for (const cell of [input.value, result.text, result.logProb.toFixed(3), width > 1 ? `beam ${width}` : "greedy", ms.toFixed(1)]) {
        const td = document.createElement("td");
        td.textContent = cell;
        row.append(td);
      }
      rows.prepend(row);
    } catch (error) {
      showError(errorBox, error);
    }
  };
  run.addEventListener("click", convert);
  input.addEventListener("keydown", (event) => event.key === "Enter" && !run.disabled && convert());
  for (const example of document.querySelectorAll<HTMLButtonElement>("#dates .example")) {
    example.addEventListener("click", () => {
      input.value = example.textContent ?? "";
      if (!run.disabled) convert();
    });
  }

  try {
    model = checkpointFromBytes(await fetchBytes(PRETRAINED), { expectedType: "seq2seq", source: PRETRAINED }).model as Seq2Seq;
    modelLine.textContent = `Date model: ${formatCount(model.parameterCount)} parameters.`;
    run.disabled = false;
  } catch (error) {
    modelLine.textContent = "The pretrained model did not load.";
    showError(errorBox, error);
  }
}
