// The recurrent cells the engine runs, in one table: for RNN, LSTM and GRU their gate count, whether
// they carry a cell state, and their kernels bound from the core's exports as typed functions (each
// takes the address of a SequencePlan). The layers, the thread team, the ONNX and Keras importers
// and the benchmarks all read this table; a new cell is a row here plus its kernels in assembly/.

import type { CoreExports } from "./abi.js";

/** The cells, by the names the library uses for them. */
export const CELL_KINDS = ["lstm", "gru", "rnn"] as const;

/** Which recurrent cell a layer runs. */
export type CellKind = (typeof CELL_KINDS)[number];

/** @internal What the layers need to know of a cell besides its kernels. */
export interface CellShape {
  /** Gate blocks of H rows in weight_ih, weight_hh and the biases (PyTorch's order). */
  gates: number;
  /** Whether the cell carries c beside h (LSTM). */
  cellState: boolean;
}

/** @internal The cells' shapes. */
export const CELLS: Record<CellKind, CellShape> = {
  lstm: { gates: 4, cellState: true },
  gru: { gates: 3, cellState: false },
  rnn: { gates: 1, cellState: false },
};

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

/** @internal The kernels of `kind` in `core`. */
export function cellKernels(core: CoreExports, kind: CellKind): CellKernels {
  switch (kind) {
    case "lstm":
      return {
        preparedBytes: core.lstmPreparedBytes, prepare: core.lstmPrepare, forward: core.lstmForward, backward: core.lstmBackward,
        forwardBytes: core.lstmForwardWorkspaceBytes, backwardBytes: core.lstmBackwardWorkspaceBytes, backwardShared: core.lstmBackwardSharedBytes,
      };
    case "gru":
      return {
        preparedBytes: core.gruPreparedBytes, prepare: core.gruPrepare, forward: core.gruForward, backward: core.gruBackward,
        forwardBytes: core.gruForwardWorkspaceBytes, backwardBytes: core.gruBackwardWorkspaceBytes, backwardShared: core.gruBackwardSharedBytes,
      };
    case "rnn":
      return {
        preparedBytes: core.rnnPreparedBytes, prepare: core.rnnPrepare, forward: core.rnnForward, backward: core.rnnBackward,
        forwardBytes: core.rnnForwardWorkspaceBytes, backwardBytes: core.rnnBackwardWorkspaceBytes, backwardShared: core.rnnBackwardSharedBytes,
      };
  }
}
