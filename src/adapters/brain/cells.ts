// brain.js's three recurrent cells (its rnn.js, lstm.js and gru.js, version 1.6.1): the matrices its
// getModel makes per hidden layer, gate by gate in its order (the order of its JSON, of its random
// initialisation, of its weight update, and of its equations' evaluation, which assembly/brain.ts
// follows and whose header has the equations).

export type CellName = "RNN" | "LSTM" | "GRU";

/** One gate's matrices: input weights [H, I], hidden weights [H, H], bias [H, 1]. */
interface Gate {
  readonly input: string;
  readonly hidden: string;
  readonly bias: string;
}

export interface BrainCell {
  readonly name: CellName;
  /** The gates in brain.js's order: RNN one, LSTM i f o g, GRU z r n (assembly/brain.ts's gate order). */
  readonly gates: readonly Gate[];
  /** Every matrix name of a hidden layer in brain.js's order. */
  readonly matrices: readonly string[];
}

function gate(prefix: string, input: string, hidden: string, bias: string): Gate {
  return { input: prefix + input, hidden: prefix + hidden, bias: prefix + bias };
}

/** A cell of `gates` (in brain.js's order); its matrices are each gate's input, hidden and bias matrices, gate by gate. */
function cell(name: CellName, gates: readonly Gate[]): BrainCell {
  return { name, gates, matrices: gates.flatMap((g) => [g.input, g.hidden, g.bias]) };
}

const rnnGates = [{ input: "weight", hidden: "transition", bias: "bias" }];
const lstmGates = {
  i: gate("input", "Matrix", "Hidden", "Bias"),
  f: gate("forget", "Matrix", "Hidden", "Bias"),
  g: gate("cellActivation", "Matrix", "Hidden", "Bias"),
  o: gate("output", "Matrix", "Hidden", "Bias"),
};
const gruGates = {
  r: gate("resetGate", "InputMatrix", "HiddenMatrix", "Bias"),
  z: gate("updateGate", "InputMatrix", "HiddenMatrix", "Bias"),
  n: gate("cellWrite", "InputMatrix", "HiddenMatrix", "Bias"),
};

export const CELLS: Readonly<Record<CellName, BrainCell>> = {
  RNN: cell("RNN", rnnGates),
  LSTM: cell("LSTM", [lstmGates.i, lstmGates.f, lstmGates.o, lstmGates.g]),
  GRU: cell("GRU", [gruGates.z, gruGates.r, gruGates.n]),
};
