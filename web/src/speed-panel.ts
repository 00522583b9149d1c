// Panel (d): the benchmark workloads W1 (one sequence), W2 (a batch of 32) and W4 (two bidirectional
// layers) run forward in this browser, one thread versus a pool of workers (which splits a call only
// where it measured that to be faster, and says what it measured), and the layer quantized to int8 on
// one thread, timed like `npm run bench` (bench/timing.js) on the same seeded weights and inputs
// (bench/workloads.js). Each call writes into one preallocated output (forward's `out`), as a loop
// of calls would: a fresh array of megabytes costs its page faults on every call.

import { engineInfo, init, LSTM, quantizeDynamic, tensor, WorkerPool, type SplitDecision } from "wasm-rnn";
import { measureRounds } from "../../bench/timing.js";
import { data, flops, stateDict, WORKLOADS } from "../../bench/workloads.js";
import { element, showError } from "./dom.js";

const TIMING = { warmup: 3, minRounds: 7, maxRounds: 7, budgetMs: 0 };
/** Workers tier their wasm up on their own calls: the fast W1 gets a longer warm-up (as in bench/pool.js). */
const WARMUP = { W1: 60, W2: 3, W4: 3 } as const;

export function setupSpeedPanel(): void {
  const run = element<HTMLButtonElement>("speed-run");
  const rows = element("speed-output").querySelector("tbody")!;
  const status = element("speed-status");
  const errorBox = element("speed-error");
  const workers = Math.max(2, navigator.hardwareConcurrency || 2);
  element("speed-workers").textContent = `${workers} workers`;
  let pool: WorkerPool | null = null;

  run.addEventListener("click", async () => {
    run.disabled = true;
    showError(errorBox, null);
    rows.replaceChildren();
    try {
      status.textContent = `Starting ${workers} workers…`;
      pool ??= await WorkerPool.create({ size: workers });
      const decisions: string[] = [];
      for (const id of ["W1", "W2", "W4"] as const) {
        const w = WORKLOADS.find((x) => x.id === id)!;
        status.textContent = `Running ${id}: ${w.title}…`;
        const layer = new LSTM({ inputSize: w.I, hiddenSize: w.H, numLayers: w.layers, bidirectional: w.bidirectional });
        layer.loadStateDict(stateDict(w));
        const int8 = quantizeDynamic(layer);
        try {
          const x = tensor(data(w).x!, [w.T, w.B, w.I]);
          const out = tensor(new Float32Array(w.T * w.B * layer.directions * w.H), [w.T, w.B, layer.directions * w.H]);
          const active = pool;
          const known = active.splitDecisions.length;
          // The pool decides whether this shape splits on its first calls: let it, before the timing.
          do await active.forward(layer, x, { out });
          while (active.splitDecisions.slice(known).some((d) => d.split === null));
          const t = await measureRounds({ one: () => layer.forward(x, { out }), pool: () => active.forward(layer, x, { out }), int8: () => int8.forward(x, { out }) }, { ...TIMING, warmup: WARMUP[id] });
          const gflops = (ms: number) => (flops(w) / ms / 1e6).toFixed(1);
          const row = document.createElement("tr");
          row.dataset.workload = id;
          const cells = [`${id}: ${w.title}`, `${t.one.ms.toFixed(2)} ms`, gflops(t.one.ms), `${t.pool.ms.toFixed(2)} ms`, gflops(t.pool.ms), `${(t.one.ms / t.pool.ms).toFixed(2)}×`];
          cells.push(`${t.int8.ms.toFixed(2)} ms`, gflops(t.int8.ms), `${(t.one.ms / t.int8.ms).toFixed(2)}×`);
          for (const cell of cells) {
            const td = document.createElement("td");
            td.textContent = cell;
            row.append(td);
          }
          rows.append(row);
          decisions.push(`${id} ${splitDecision(active.splitDecisions.slice(known))}`);
        } finally {
          layer.dispose();
          int8.dispose();
        }
      }
      const e = await init();
      status.textContent = `${e.relaxedSimd ? "relaxed" : "plain"} SIMD, int8 inner product "${engineInfo().integerDot}"; workers ${pool.sharedMemory ? "share the page's wasm memory" : "keep their own copies of the weights (the page is not cross-origin isolated)"}; the pool measured whether splitting pays: ${decisions.join(", ")}. Medians of ${TIMING.minRounds} runs.`;
    } catch (error) {
      status.textContent = "";
      showError(errorBox, error);
    } finally {
      run.disabled = false;
    }
  });
}

/** What the pool measured and chose for a workload's shape: "split" or "whole" with the medians per
 *  step, or "whole" when the call was too small to split (no measurement). */
function splitDecision(decisions: readonly SplitDecision[]): string {
  const d = decisions[0];
  if (!d) return "whole (too small to split)";
  const ms = (v: number | null) => (v === null ? "–" : v.toFixed(3));
  return `${d.split === null ? "measuring" : d.split ? "split" : "whole"} (split ${ms(d.splitMsPerStep)}, whole ${ms(d.wholeMsPerStep)} ms a step)`;
}
