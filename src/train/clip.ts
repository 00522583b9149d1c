// Gradient clipping across layers, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.

import { engine } from "../engine/engine.js";
import { ShapeError } from "../errors.js";
import { checkLayers, type Layer } from "../layers/layer.js";
import { describe } from "../validate.js";

/** The global L2 norm of all gradients. */
export function gradNorm(layers: readonly Layer[]): number {
  checkLayers(layers, "gradNorm");
  const eng = engine();
  let sum = 0;
  for (const layer of layers) sum += eng.core.sumOfSquares(layer.params.totalFloats, layer.params.gradsPtr);
  return Math.sqrt(sum);
}

/** Scales all gradients so their global norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(layers: readonly Layer[], maxNorm: number): number {
  if (typeof maxNorm !== "number" || !(maxNorm > 0)) throw new ShapeError(`clipGradNorm: maxNorm must be a number > 0; got ${describe(maxNorm)}`);
  checkLayers(layers, "clipGradNorm");
  const norm = gradNorm(layers);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    const eng = engine();
    for (const layer of layers) eng.core.scaleInPlace(layer.params.totalFloats, layer.params.gradsPtr, coefficient);
  }
  return norm;
}

/** Clamps every gradient to [−clipValue, clipValue]. */
export function clipGradValue(layers: readonly Layer[], clipValue: number): void {
  if (typeof clipValue !== "number" || !(clipValue > 0)) throw new ShapeError(`clipGradValue: clipValue must be a number > 0; got ${describe(clipValue)}`);
  checkLayers(layers, "clipGradValue");
  const eng = engine();
  for (const layer of layers) eng.core.clampInPlace(layer.params.totalFloats, layer.params.gradsPtr, clipValue);
}
