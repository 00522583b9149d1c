// Cell options that ONNX and Keras recurrent layers have and PyTorch's do not: the activation function
// of each slot (ONNX names, with alpha/beta), a clip on the gates' pre-activations, and coupled
// input/forget gates. Validated here and written as the options block that assembly/cell-options.ts
// reads. Layers with such options run the cells' SIMD bodies with these activations in place of
// their defaults (a switch per four values), forward and backward; a clip makes them forward only.

import { CELL_KINDS, CELLS, type CellKind } from "../engine/cells.js";
import { ShapeError, UnsupportedError } from "../errors.js";
import { describe, optionsObject } from "../validate.js";

/** @internal ONNX activation names and their default alpha/beta (those of the ONNX operators of the same name). */
export const ACTIVATIONS = {
  Sigmoid: { code: 0, alpha: 0, beta: 0 },
  Tanh: { code: 1, alpha: 0, beta: 0 },
  Relu: { code: 2, alpha: 0, beta: 0 },
  Affine: { code: 3, alpha: 1, beta: 0 },
  LeakyRelu: { code: 4, alpha: 0.01, beta: 0 },
  ThresholdedRelu: { code: 5, alpha: 1, beta: 0 },
  ScaledTanh: { code: 6, alpha: 1, beta: 1 },
  HardSigmoid: { code: 7, alpha: 0.2, beta: 0.5 },
  Elu: { code: 8, alpha: 1, beta: 0 },
  Softsign: { code: 9, alpha: 0, beta: 0 },
  Softplus: { code: 10, alpha: 0, beta: 0 },
} as const;

/** @internal An ONNX activation name. */
export type ActivationName = keyof typeof ACTIVATIONS;

/** @internal One slot's activation, with ONNX's alpha and beta. */
export interface Activation {
  name: ActivationName;
  alpha?: number;
  beta?: number;
}

/** @internal ONNX/Keras cell options, set by the importers (not PyTorch's; with a clip, inference only). */
export interface CellOptions {
  /**
   * Activation per slot — LSTM f (gates), g (cell candidate), h (cell output); GRU f, g; RNN f — for
   * every direction, or twice as many (forward direction's first) for a bidirectional layer.
   */
  activations?: readonly Activation[];
  /** Clip the inputs of the gate activations to [−clip, clip] (ONNX `clip`). */
  clip?: number;
  /** LSTM only: couple the forget gate to the input gate, f = 1 − i (ONNX `input_forget`). */
  inputForget?: boolean;
}

/** @internal Default activations per slot, as names. */
export const DEFAULT_ACTIVATIONS = Object.fromEntries(CELL_KINDS.map((kind) => [kind, CELLS[kind].activations])) as unknown as Record<CellKind, readonly ActivationName[]>;

/**
 * @internal The options blocks (one per direction) as words: f32 clip, i32 inputForget, then per slot
 * i32 code, f32 alpha, f32 beta. Returns null when the options are PyTorch's defaults.
 */
export function encodeCellOptions(kind: CellKind, options: CellOptions | undefined, directions: number, where: string): ArrayBuffer[] | null {
  if (options === undefined) return null;
  optionsObject(options, `${where}: cellOptions`, false);
  const slots = DEFAULT_ACTIVATIONS[kind].length;
  const given = options.activations ?? [];
  if (!Array.isArray(given) || (given.length !== 0 && given.length !== slots && given.length !== slots * directions)) {
    throw new ShapeError(`${where}: cellOptions.activations needs ${slots} activation(s)${directions === 2 ? ` or ${2 * slots} (both directions)` : ""}; got ${describe(given)}`);
  }
  const clip = options.clip ?? 0;
  if (typeof clip !== "number" || !Number.isFinite(clip) || clip < 0) throw new ShapeError(`${where}: cellOptions.clip must be a finite number ≥ 0; got ${describe(clip)}`);
  const inputForget = options.inputForget ?? false;
  if (inputForget && kind !== "lstm") throw new ShapeError(`${where}: cellOptions.inputForget is for LSTM only`);
  return Array.from({ length: directions }, (_, d) => {
    const block = new ArrayBuffer(8 + 12 * slots);
    const view = new DataView(block);
    view.setFloat32(0, clip, true);
    view.setInt32(4, inputForget ? 1 : 0, true);
    for (let k = 0; k < slots; k++) {
      const a = given.length === 0 ? { name: DEFAULT_ACTIVATIONS[kind][k] } : given[given.length === slots ? k : d * slots + k];
      const known = ACTIVATIONS[a?.name as ActivationName];
      if (!known) throw new UnsupportedError(`${where}: activation ${describe(a?.name)} is not one of ${Object.keys(ACTIVATIONS).join(", ")}`);
      view.setInt32(8 + 12 * k, known.code, true);
      view.setFloat32(12 + 12 * k, a.alpha ?? known.alpha, true);
      view.setFloat32(16 + 12 * k, a.beta ?? known.beta, true);
    }
    return block;
  });
}

/**
 * @internal Why a layer with these options cannot run backward, or null when it can. The kernels take
 * each activation's slope from its output (assembly/cell-options.ts): a clip hides the input, and ELU
 * and LeakyRelu give their slope from their output only for alpha > 0.
 */
export function backwardRefusal(options: CellOptions | undefined): string | null {
  if (options === undefined) return null;
  if (options.clip) return "a clip on the gates (ONNX clip)";
  for (const a of options.activations ?? []) {
    const alpha = a.alpha ?? ACTIVATIONS[a.name].alpha;
    if ((a.name === "Elu" || a.name === "LeakyRelu") && !(alpha > 0)) return `${a.name} with alpha ${alpha}`;
  }
  return null;
}
