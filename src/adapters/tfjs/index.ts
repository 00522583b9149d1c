// wasm-rnn/tfjs: TensorFlow.js recurrent layers on wasm-rnn's kernels. `await useWasmRnn(tf)` once,
// then tfjs-layers' LSTM, GRU and SimpleRNN — built in code, or loaded with tf.loadLayersModel, alone,
// stacked or inside Bidirectional — run inside tfjs's own model.predict, evaluate and fit as one
// wasm call per sequence instead of tfjs's loop of 15–20 kernels per step: forward through the
// sequence kernel, gradients through its backward, the weights staying tfjs variables that tfjs's
// optimizers update. Keras's GRU with reset_after=True (TF2's default, which tfjs refuses) builds,
// loads, saves and trains.
//
// How: the layer classes' `call` is wrapped (bridge.ts); a call wasm-rnn runs becomes one
// tf.customGrad op over x, the layer's variables and its initial states (recurrent-call.ts) on a
// twin layer kept in step with the variables (layer-twin.ts), built by wasm-rnn's Keras importer
// (its config, gate orders and layouts, activations, masking). What it runs: the cpu and wasm
// backends; every activation the importer has (tfjs's default hard_sigmoid included); masks of any
// pattern (Embedding maskZero, Masking); goBackwards, returnSequences, returnState, initialState,
// stateful; dropout (at inference the identity, while training tfjs's mask per sequence);
// `implementation` and `unroll`, which tfjs ignores too. What runs on tfjs's own path, with one
// notice naming why: an activation wasm-rnn does not have (selu, swish, …), recurrentDropout while
// training, a GPU backend (webgl, webgpu: tensors live on the GPU there), an input that is not
// float32 [batch, steps, features]. Imports the package's public API only: in a browser this module
// is a bundle beside wasm-rnn.js, sharing its engine. tfjs is an optional peer: never imported.

import { init } from "../../index.js";
import { Bridge } from "./bridge.js";
import type { TfClass, TfModule } from "./host.js";
import { resetAfterGRU } from "./reset-after-gru.js";

/** The tfjs module the application uses: @tensorflow/tfjs, or @tensorflow/tfjs-core with
 *  @tensorflow/tfjs-layers loaded (its layers register themselves with tfjs-core). */
export interface TensorFlowModule {
  customGrad: (...args: never[]) => unknown;
  getBackend(): string;
  serialization: object;
}

export interface UseWasmRnnOptions {
  /** Where notices go (default console.warn): one per layer and reason that runs on tfjs's own path. */
  notice?: (message: string) => void;
}

/** What the bridge does, and its switch. */
export interface TfjsBridge {
  /** true (default): layers run on wasm-rnn where they can; false: all on tfjs's own path. */
  enabled: boolean;
  /** Layer calls run on wasm-rnn, and backward passes through them. */
  readonly calls: number;
  readonly gradients: number;
  /** The notices given: which layers ran on tfjs's own path, and why. */
  readonly fallbacks: readonly string[];
  /** A GRU layer as tf.layers.gru makes, which also takes `resetAfter: true` (tfjs's factory
   *  refuses it; configs and loaded models need nothing: the class registered as "GRU" builds them). */
  gru(args: Record<string, unknown>): object;
}

/** Where a tfjs installation's LSTM class keeps its bridge: installing twice (even from two copies
 *  of this module) gives the first. */
const INSTALLED = Symbol.for("wasm-rnn/tfjs bridge");

type Classes = Record<"LSTM" | "GRU" | "SimpleRNN" | "GRUCell" | "Bidirectional", TfClass>;

/**
 * Runs the recurrent layers of `tf` (the tfjs module the application imports) on wasm-rnn from now on:
 * `await useWasmRnn(tf)` once, before or after building models. Initialises wasm-rnn's engine.
 */
export async function useWasmRnn(tf: TensorFlowModule, options: UseWasmRnnOptions = {}): Promise<TfjsBridge> {
  const classes = layerClasses(tf);
  const holder = classes.LSTM as unknown as { [INSTALLED]?: Promise<TfjsBridge> };
  holder[INSTALLED] ??= install(tf as unknown as TfModule, classes, options).catch((e: unknown) => {
    delete holder[INSTALLED]; // nothing was installed: a later call tries again
    throw e;
  });
  return holder[INSTALLED];
}

async function install(tf: TfModule, classes: Classes, options: UseWasmRnnOptions): Promise<TfjsBridge> {
  await init();
  const bridge = new Bridge(tf, options);
  bridge.install([classes.LSTM, classes.GRU, classes.SimpleRNN], classes.Bidirectional);
  const gru = resetAfterGRU(tf, classes.GRU, classes.GRUCell);
  tf.serialization.registerClass(gru);
  return {
    get enabled() {
      return bridge.enabled;
    },
    set enabled(value: boolean) {
      bridge.enabled = value === true;
    },
    get calls() {
      return bridge.calls;
    },
    get gradients() {
      return bridge.gradients;
    },
    get fallbacks() {
      return bridge.fallbacks;
    },
    gru: (args) => new gru(args),
  };
}

/** tfjs-layers' recurrent classes, from tfjs's serialization map (where tfjs-layers registers them). */
function layerClasses(tf: TensorFlowModule): Classes {
  const map = (tf as Partial<TfModule> | null)?.serialization?.SerializationMap?.getMap?.().classNameMap;
  if (typeof tf?.customGrad !== "function" || !map) {
    throw new TypeError('useWasmRnn: expected the tfjs module (import * as tf from "@tensorflow/tfjs")');
  }
  const get = (name: string) => {
    const entry = map[name];
    if (!entry) throw new TypeError(`useWasmRnn: tfjs has no ${name} layer registered (load @tensorflow/tfjs, or @tensorflow/tfjs-layers beside @tensorflow/tfjs-core)`);
    return entry[0];
  };
  return { LSTM: get("LSTM"), GRU: get("GRU"), SimpleRNN: get("SimpleRNN"), GRUCell: get("GRUCell"), Bidirectional: get("Bidirectional") };
}
