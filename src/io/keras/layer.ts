// What every imported Keras layer provides to the model: a check of a call's inputs that describes its
// outputs before anything runs (shapes with unknown sizes, and whether a Keras mask travels along),
// the call itself on batch-first tensors with their masks, dispose, and its int8 twin. Plus the checks
// they share.

import { FormatError, ShapeError } from "../../errors.js";
import type { QuantizableKind } from "../../models/quantized-kinds.js";
import type { Tensor } from "../../tensor.js";
import type { LayerEntry } from "./topology.js";
import type { WeightStore } from "./weights.js";

/** A tensor as known at load time: batch-first sizes (null: known only at run time) and whether a mask comes with it. */
export interface SymbolicTensor {
  shape: (number | null)[];
  masked: boolean;
}

/** A tensor while the model runs, with its Keras mask: one flag (0/1) per entry of shape without its last dimension ([B, T] for a sequence). */
export interface Value {
  tensor: Tensor;
  mask: Uint8Array | null;
}

export interface KerasLayer {
  /** Checks one call's inputs and describes its outputs; FormatError (or UnsupportedError) when they do not fit. */
  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[];
  /** Runs one call (inputs as `infer` accepted them). */
  call(inputs: readonly Value[]): Value[];
  dispose(): void;
  /** The kind quantizeDynamic's `layers` option selects the layer by; absent for layers it never quantizes. */
  readonly quantizableKind?: QuantizableKind;
  /** The layer for a new model quantizeDynamic makes: with int8 weights when its kind is in
   *  `selection`, else copied; a layer that holds no wasm memory may return itself. */
  quantized(selection: ReadonlySet<QuantizableKind>): KerasLayer;
}

export type LayerBuilder = (entry: LayerEntry, weights: WeightStore) => KerasLayer;

/** `layer "name" (Class)`, for run-time messages. */
export function layerLabel(entry: LayerEntry): string {
  return `layer "${entry.name}" (${entry.className})`;
}

/** The number of inputs must be one of `counts`. */
export function checkInputCount(inputs: readonly SymbolicTensor[], counts: readonly number[], entry: LayerEntry): void {
  if (!counts.includes(inputs.length)) {
    throw new FormatError(`${entry.config.where} is called on ${inputs.length} tensor(s); it takes ${counts.join(" or ")}`);
  }
}

/**
 * A load-time check of an input: rank `rank` (or at least `-rank` when negative) and the last
 * dimension `features` when known on both sides.
 */
export function checkSymbolic(input: SymbolicTensor, rank: number, features: number | null, entry: LayerEntry, what = "its input"): void {
  const r = input.shape.length;
  if (rank > 0 ? r !== rank : r < -rank) {
    throw new FormatError(`${entry.config.where}: ${what} must have rank ${rank > 0 ? rank : `≥ ${-rank}`} (batch first); got shape ${formatSymbolic(input.shape)}`);
  }
  const last = input.shape[r - 1];
  if (features !== null && last !== null && last !== features) {
    throw new FormatError(`${entry.config.where}: ${what} has ${last} features but the layer's weights are for ${features}`);
  }
}

/** A run-time check of an input's last dimension. */
export function checkFeatures(t: Tensor, features: number, label: string, what = "input"): void {
  if (t.shape[t.shape.length - 1] !== features) {
    throw new ShapeError(`${label}: ${what} must have ${features} features in its last dimension; got shape [${t.shape.join(", ")}]`);
  }
}

export function formatSymbolic(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => d ?? "null").join(", ")}]`;
}
