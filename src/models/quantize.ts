// The int8 twin of a layer or of one of the library's models (what quantizeDynamic, io/quantize.ts,
// makes of them, as torch.ao.quantization.quantize_dynamic): a copy whose recurrent and dense weights
// of the selected kinds are int8 with one scale per output row, the activations entering each product
// quantized at run time, and everything else (other layers, embeddings, attention, biases, gates, cell
// state) in float32. The original is left as it was; the copy runs inference only.

import { UnsupportedError } from "../errors.js";
import { Dense } from "../layers/dense.js";
import type { Layer } from "../layers/layer.js";
import { quantizedState } from "../layers/quantize.js";
import { Recurrent } from "../layers/recurrent.js";
import { recurrentLayer, type RecurrentOptionsOf } from "../layers/recurrent-classes.js";
import { describe } from "../validate.js";
import { Model } from "./model.js";
import { kindList, QUANTIZABLE_KINDS, selectedKinds, type QuantizableKind } from "./quantized-kinds.js";
import { createModel } from "./registry.js";

/** A layer or model quantizedTwin takes. */
export type QuantizableLayer = Recurrent | Dense | Model;

/** The same layer or model with int8 weights (per-row symmetric scales) for inference, in its layers
 *  of the kinds in `selection` (the recurrent layers, bridges and output layers of the models); a
 *  quantized target, a selection the target has none of, and anything else are refused with an
 *  UnsupportedError. */
export function quantizedTwin<T extends QuantizableLayer>(target: T, selection: ReadonlySet<QuantizableKind>): T {
  const owner = `quantizeDynamic(${ownerName(target)})`;
  const present = kindsOf(target);
  if (present.size === 0) throw new UnsupportedError(`${owner}: quantizes ${kindList(new Set(QUANTIZABLE_KINDS))} layers, the library's models, ONNX InferenceSessions and Keras LayersModels; got ${describe(target)}`);
  if (target.quantized) throw new UnsupportedError(`${owner}: it is quantized already`);
  return twin(target, selectedKinds(present, selection, owner), owner) as T;
}

/** @internal A copy of an imported model's layer: int8 weights when its kind is in `selection`, else
 *  float32 (the layers of a LayersModel quantizeDynamic made, which keeps the unselected ones). */
export function layerTwin<T extends Recurrent | Dense>(layer: T, selection: ReadonlySet<QuantizableKind>): T {
  return twin(layer, selection, `quantizeDynamic(${ownerName(layer)})`) as T;
}

/** A copy of `target` whose layers of the `selected` kinds are int8. */
function twin(target: QuantizableLayer, selected: ReadonlySet<QuantizableKind>, owner: string): Layer | Model {
  const copy = emptyTwin(target, selected, owner);
  try {
    copy.loadStateDict(quantizedState(target.stateDict(), copy.stateDict(), owner));
  } catch (e) {
    copy.dispose();
    throw e;
  }
  return copy;
}

/** A layer or model shaped like `target` (its weights not yet loaded), int8 in the `selected` kinds. A
 *  model's config says which (`selected` holds only kinds it has): true for all of them, else the list. */
function emptyTwin(target: QuantizableLayer, selected: ReadonlySet<QuantizableKind>, owner: string): Layer | Model {
  if (target instanceof Model) return createModel(target.modelType, { ...target.config(), quantized: selected.size === kindsOf(target).size || [...selected] });
  const quantized = selected.has(kindOf(target)!);
  if (target instanceof Dense) return new Dense({ inFeatures: target.inFeatures, outFeatures: target.outFeatures, bias: target.bias, quantized });
  return recurrentLayer(target.cell, { ...(target.options as RecurrentOptionsOf[typeof target.cell]), quantized }, owner);
}

/** The kinds of a layer or of a model's layers (none for anything else). */
function kindsOf(target: unknown): Set<QuantizableKind> {
  const layers = target instanceof Model ? target.layers : [target];
  return new Set(layers.map(kindOf).filter((kind) => kind !== null));
}

/** A layer's kind, or null for layers quantizeDynamic leaves in float32 (embeddings, attention). */
function kindOf(layer: unknown): QuantizableKind | null {
  if (layer instanceof Dense) return "dense";
  if (layer instanceof Recurrent) return layer.cell;
  return null;
}

function ownerName(target: unknown): string {
  if (target instanceof Model) return target.modelType;
  return target !== null && typeof target === "object" ? target.constructor.name : describe(target);
}
