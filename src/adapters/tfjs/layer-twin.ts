// One tfjs recurrent layer's twin on wasm-rnn: a Keras recurrent direction (wasm-rnn's io/keras,
// through the package's API) built from the layer's config and kept in step with its weights. The
// weights stay tfjs variables, which tfjs's optimizers update; the twin copies them in only when a
// variable's data changed (a tf.Variable gets a new dataId on every assign), so calls between
// updates — predict, evaluate, both passes of a fit step — copy nothing.

import { internalKerasRecurrentDirection as KerasRecurrentDirection, type KerasRecurrentWeights } from "../../index.js";
import type { TfLayerVariable, TfRecurrentLayer, TfTensor } from "./host.js";

/** The variables the twin follows: kernel, recurrent kernel, bias (null without use_bias). */
export type LayerVariables = readonly [TfTensor, TfTensor, TfTensor | null];

/** The twin: wasm-rnn's direction of the layer, and which variable values it holds. */
export class LayerTwin {
  /** The dataIds of the variables the twin's weights were copied from. */
  private copied: readonly (object | null)[];

  private constructor(readonly direction: KerasRecurrentDirection, variables: LayerVariables) {
    this.copied = variables.map((v) => v?.dataId ?? null);
  }

  /** The twin of `layer` (its config says which cell, activations, direction; `stateful` is left out:
   *  tfjs keeps the states and the bridge passes them in). An UnsupportedError, its message starting
   *  with `label`, names what wasm-rnn does not run. */
  static of(layer: TfRecurrentLayer, label: string): LayerTwin {
    const variables = layerVariables(layer);
    const config = { ...layer.getConfig(), stateful: false };
    const direction = KerasRecurrentDirection.fromConfig(layer.getClassName(), config, kerasWeights(variables), label);
    return new LayerTwin(direction, variables);
  }

  /** Copies the layer's weights in when any variable changed since the last copy. */
  sync(layer: TfRecurrentLayer): void {
    const variables = layerVariables(layer);
    if (variables.every((v, i) => (v?.dataId ?? null) === this.copied[i])) return;
    this.direction.setWeights(kerasWeights(variables));
    this.copied = variables.map((v) => v?.dataId ?? null);
  }

  dispose(): void {
    this.direction.dispose();
  }
}

/** The layer's current variables (the tensors tf.Variable holds now). */
export function layerVariables(layer: TfRecurrentLayer): LayerVariables {
  const { kernel, recurrentKernel, bias } = layer.cell;
  const read = (v: TfLayerVariable) => v.read();
  return [read(kernel!), read(recurrentKernel!), bias ? read(bias) : null];
}

/** A tensor's values as float32 (read as they are when they already are: they are only read). */
export function floats(t: TfTensor): Float32Array {
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

function kerasWeights([kernel, recurrentKernel, bias]: LayerVariables): KerasRecurrentWeights {
  const named = (t: TfTensor) => ({ shape: [...t.shape], data: floats(t) });
  return { kernel: named(kernel), recurrentKernel: named(recurrentKernel), bias: bias && named(bias) };
}
