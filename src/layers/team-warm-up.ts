// What a new thread team does before the call that started it resolves: it runs every cell's split
// forward and backward kernels a few times on every member, so that the first real calls find the
// engine's compiled kernels and awake workers, and it measures, on this engine, whether splitting one
// sequence by hidden units (a barrier per step, which some runtimes make slow: in Chromium the
// demo's W1 ran 3× slower split) is faster than one thread — the layers split a sequence only where
// it is. A batch split by rows (one barrier per call) is taken wherever the work is large enough.

import { onTeamStart, type Engine } from "../engine/engine.js";
import { SplitChoice } from "../engine/threads/split-choice.js";
import { Random } from "../random.js";
import { Tensor } from "../tensor.js";
import { CELL_KINDS } from "../engine/cells.js";
import type { Recurrent } from "./recurrent.js";
import { recurrentLayer } from "./recurrent-classes.js";

/** Sizes of the warm-up: a hidden size that splits by units, a batch that splits by rows. */
const I = 64, H = 256, ROWS = { T: 12, B: 8 }, UNITS = { T: 64, B: 1 };

/** Whether `run` is faster split over the team than on one thread (SplitChoice: alternating runs, medians). */
function splitPays(engine: Engine, run: () => void): boolean {
  const team = engine.team, choice = new SplitChoice();
  try {
    while (choice.chosen("run") === null) {
      const way = choice.next("run");
      engine.team = way === "split" ? team : null;
      const start = performance.now();
      run();
      choice.record("run", way, performance.now() - start);
    }
  } finally {
    engine.team = team;
  }
  return choice.chosen("run")!;
}

function warmUp(engine: Engine): void {
  const team = engine.team;
  if (!team) return;
  const random = new Random(1);
  const input = (T: number, B: number) => new Tensor(random.uniformArray(T * B * I, -1, 1), [T, B, I]);
  const gradient = (T: number, B: number) => new Tensor(random.uniformArray(T * B * H, -1, 1), [T, B, H]);
  const layers: Recurrent[] = CELL_KINDS.map((kind, i) => recurrentLayer(kind, { inputSize: I, hiddenSize: H, seed: i + 1 }, "warm-up"));
  try {
    engine.splitsPay = { rows: true, units: true };
    const [rows, units] = [input(ROWS.T, ROWS.B), input(UNITS.T, UNITS.B)];
    const [rowsGradient, unitsGradient] = [gradient(ROWS.T, ROWS.B), gradient(UNITS.T, UNITS.B)];
    for (const layer of layers) {
      layer.forward(rows);
      layer.backward(rowsGradient);
      layer.forward(units);
      layer.backward(unitsGradient);
    }
    // A batch split has one barrier per call and pays wherever the work is large enough (the
    // layers' threshold); a sequence split has one per step, whose cost depends on the runtime.
    const lstm = layers[CELL_KINDS.indexOf("lstm")];
    engine.splitsPay = { rows: true, units: splitPays(engine, () => lstm.forward(units)) };
  } finally {
    for (const layer of layers) layer.dispose();
    team.jobs = 0; // what engineInfo().splitKernels counts: the caller's kernels, not these
  }
}

onTeamStart(warmUp);
