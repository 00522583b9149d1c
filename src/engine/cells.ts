// The recurrent cells, one row each: for RNN, LSTM and GRU their names, gate count, whether they carry
// a cell state, which buffers their kernels keep, their default activations, and their kernels bound
// from the core's exports by name (each takes the address of a SequencePlan). The layers, the thread
// team, the models' configs, quantization, the pool, the CLI, the ONNX and Keras importers and the
// benchmarks all derive from this table; an unknown kind is an error everywhere.

import { UnsupportedError } from "../errors.js";
import { FLAG_RESET_AFTER, type CoreExports } from "./abi.js";

/** @internal One cell: every fact about it the rest of the library derives from. */
export interface CellRow {
  /** Its layer class's name and its name in messages, ONNX and quantization ("LSTM"). */
  name: string;
  /** Gate blocks of H rows in weight_ih, weight_hh and the biases (PyTorch's order). */
  gates: number;
  /** Whether the cell carries c beside h (LSTM). */
  cellState: boolean;
  /** Whether its forward keeps the gates' activations for backward (a one-gate cell recomputes). */
  savesGates: boolean;
  /** Whether its kernels need a [T, B, H] buffer besides h (GRU's candidate input; any cell with a
   *  projection, P ≠ H, needs it too). */
  extra: boolean;
  /** Whether one sequence's steps can be split over threads by hidden units: always (true), never
   *  (false: its kernels split only a batch's rows), or only with this option flag (GRU: only
   *  reset-after splits). */
  unitsSplit: boolean | number;
  /** The gate activations' default names, slot by slot (ONNX's order). */
  activations: readonly string[];
}

/**
 * The cells, one row each; the key is the name configs, the CLI and the kernels use ("lstm": the
 * core exports lstmForward, lstmBackward, …). Adding a cell is a row here, its kernels in assembly/,
 * its layer class (layers/recurrent-classes.ts) and its reference kernel in the tests.
 */
export const CELLS = {
  lstm: { name: "LSTM", gates: 4, cellState: true, savesGates: true, extra: false, unitsSplit: true, activations: ["Sigmoid", "Tanh", "Tanh"] },
  gru: { name: "GRU", gates: 3, cellState: false, savesGates: true, extra: true, unitsSplit: FLAG_RESET_AFTER, activations: ["Sigmoid", "Tanh"] },
  rnn: { name: "RNN", gates: 1, cellState: false, savesGates: false, extra: false, unitsSplit: true, activations: ["Tanh"] },
} as const satisfies Record<string, CellRow>;

/** Which recurrent cell a layer runs. */
export type CellKind = keyof typeof CELLS;

/** The cells' kinds, in the table's order. */
export const CELL_KINDS = Object.keys(CELLS) as CellKind[];

/** A cell's layer class name ("LSTM"). */
export type CellClassName = (typeof CELLS)[CellKind]["name"];

/** @internal The kind named `kind`, or an UnsupportedError listing the kinds (`where` starts the message). */
export function cellKind(kind: unknown, where: string): CellKind {
  if (typeof kind === "string" && Object.hasOwn(CELLS, kind)) return kind as CellKind;
  throw new UnsupportedError(`${where}: no cell "${String(kind)}"; the cells are ${CELL_KINDS.join(", ")}`);
}

/** @internal The kind whose layer name is `name` ("LSTM" → "lstm"), or an UnsupportedError. */
export function cellKindOfName(name: unknown, where: string): CellKind {
  const kind = CELL_KINDS.find((k) => CELLS[k].name === name);
  if (kind) return kind;
  throw new UnsupportedError(`${where}: no cell named "${String(name)}"; the cells are ${CELL_KINDS.map((k) => CELLS[k].name).join(", ")}`);
}

/** @internal A cell's kernels; each takes the address of a SequencePlan (assembly/plan.ts). */
export interface CellKernels {
  /** Bytes the hidden-side weights take once laid out for the plan's batch size. */
  preparedBytes(plan: number): number;
  /** Lays the hidden-side weights out at plan.prepared. */
  prepare(plan: number): void;
  forward(plan: number): void;
  backward(plan: number): void;
  /** Workspace bytes of forward and backward (plan.work). */
  forwardBytes(plan: number): number;
  backwardBytes(plan: number): number;
  /** Bytes of the buffers the parts of a split backward share (plan.shared). */
  backwardShared(plan: number): number;
}

/** @internal The kernels of `kind` in `core`: its exports named `${kind}Forward` and so on. */
export function cellKernels(core: CoreExports, kind: CellKind): CellKernels {
  const exports = core as unknown as Record<string, ((plan: number) => number) | undefined>;
  const bind = (suffix: string) => {
    const kernel = exports[`${kind}${suffix}`];
    if (typeof kernel !== "function") throw new UnsupportedError(`the wasm core has no ${kind}${suffix} (cell "${kind}" has no kernels in this build)`);
    return kernel;
  };
  return {
    preparedBytes: bind("PreparedBytes"), prepare: bind("Prepare"), forward: bind("Forward"), backward: bind("Backward"),
    forwardBytes: bind("ForwardWorkspaceBytes"), backwardBytes: bind("BackwardWorkspaceBytes"), backwardShared: bind("BackwardSharedBytes"),
  };
}
