// The bridge installed in one tfjs module: it wraps the `call` of tfjs-layers' LSTM, GRU and SimpleRNN
// (their prototypes, so layers made before and after, built in code or loaded, all go through it),
// decides per call whether the layer runs on its wasm-rnn twin or on tfjs's own path, and keeps
// what it did (calls, gradients, notices). A layer tfjs's own path must run gets one notice naming
// why (per layer — a Bidirectional's two directions share it — and reason); a GPU backend one per
// backend. Twins are made on a layer's first call and released with its weights (its own
// disposeWeights, or its Bidirectional's) or, for layers never disposed, when the layer is
// garbage-collected.

import { WasmRnnError } from "../../index.js";
import type { TfCallArgs, TfClass, TfModule, TfRecurrentLayer, TfTensor } from "./host.js";
import { floats, LayerTwin } from "./layer-twin.js";
import { runOnTwin, type RecurrentCall } from "./recurrent-call.js";

/** The backends whose tensors the bridge reads and writes in place of tfjs's kernels. */
const WASM_RNN_BACKENDS = ["cpu", "wasm"];

type LayerCall = (this: TfRecurrentLayer, inputs: TfTensor | TfTensor[], kwargs?: TfCallArgs) => TfTensor | TfTensor[];
type DisposeWeights = (this: TfRecurrentLayer) => number;

export interface BridgeOptions {
  /** Where notices go (default console.warn); each is given once. */
  notice?: (message: string) => void;
}

export class Bridge {
  /** false: every layer runs tfjs's own path (to compare with, or to switch the bridge off). */
  enabled = true;
  /** Layer calls run on wasm-rnn, and backward passes through them. */
  calls = 0;
  gradients = 0;
  /** The notices given: why layers ran on tfjs's own path. */
  readonly fallbacks: string[] = [];
  /** Each layer's twin, or why it has none (a config wasm-rnn does not run). */
  private readonly twins = new WeakMap<TfRecurrentLayer, LayerTwin | string>();
  private readonly released = new FinalizationRegistry<LayerTwin>((twin) => twin.dispose());
  private readonly noticed = new Set<string>();

  constructor(private readonly tf: TfModule, private readonly options: BridgeOptions) {}

  /** Wraps `call` and `disposeWeights` of each recurrent class (tfjs's LSTM, GRU, SimpleRNN), and
   *  `disposeWeights` of Bidirectional (which disposes its two layers' variables itself). */
  install(classes: readonly TfClass[], bidirectional: TfClass): void {
    const bridge = this;
    const wrapper = bidirectional.prototype as { disposeWeights: (this: { forwardLayer: TfRecurrentLayer; backwardLayer: TfRecurrentLayer }) => number };
    const ownWrapperDispose = wrapper.disposeWeights;
    wrapper.disposeWeights = function () {
      bridge.release(this.forwardLayer);
      bridge.release(this.backwardLayer);
      return ownWrapperDispose.call(this);
    };
    for (const cls of classes) {
      const proto = cls.prototype as { call: LayerCall; disposeWeights: DisposeWeights };
      const ownCall = proto.call;
      const ownDispose = proto.disposeWeights;
      proto.call = function (inputs, kwargs) {
        return bridge.call(this, inputs, kwargs, () => ownCall.call(this, inputs, kwargs));
      };
      proto.disposeWeights = function () {
        bridge.release(this);
        return ownDispose.call(this);
      };
    }
  }

  /** One layer call: on the twin when the call is one wasm-rnn runs, else tfjs's own. */
  private call(layer: TfRecurrentLayer, inputs: TfTensor | TfTensor[], kwargs: TfCallArgs | undefined, own: () => TfTensor | TfTensor[]): TfTensor | TfTensor[] {
    if (!this.enabled) return own();
    const backend = this.tf.getBackend();
    if (!WASM_RNN_BACKENDS.includes(backend)) {
      this.notice(backend, `tfjs's "${backend}" backend keeps its tensors on its own device: recurrent layers run on tfjs's own path there (wasm-rnn runs them on the cpu and wasm backends)`);
      return own();
    }
    const twin = this.twin(layer);
    const call = typeof twin === "string" ? twin : this.readCall(layer, twin, inputs, kwargs ?? {});
    if (typeof call === "string") return this.fallBack(layer, call, own);
    try {
      const outputs = runOnTwin(this.tf, layer, twin as LayerTwin, call, () => this.gradients++);
      this.calls++;
      return outputs;
    } catch (e) {
      if (!(e instanceof WasmRnnError)) throw e;
      return this.fallBack(layer, e.message, own);
    }
  }

  private fallBack(layer: TfRecurrentLayer, why: string, own: () => TfTensor | TfTensor[]): TfTensor | TfTensor[] {
    const label = layerLabel(layer);
    const reason = why.startsWith(`${label}: `) ? why.slice(label.length + 2) : why;
    this.notice(`${label}\u0000${reason}`, `${label} runs on tfjs's own path: ${reason}`);
    return own();
  }

  private notice(key: string, message: string): void {
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    this.fallbacks.push(message);
    (this.options.notice ?? console.warn)(`wasm-rnn: ${message}`);
  }

  /** The layer's twin, made on its first call; or why there is none. */
  private twin(layer: TfRecurrentLayer): LayerTwin | string {
    let twin = this.twins.get(layer);
    if (twin === undefined) {
      try {
        twin = LayerTwin.of(layer, layerLabel(layer));
        this.released.register(layer, twin, layer);
      } catch (e) {
        if (!(e instanceof WasmRnnError)) throw e;
        twin = e.message;
      }
      this.twins.set(layer, twin);
    }
    return twin;
  }

  private release(layer: TfRecurrentLayer): void {
    const twin = this.twins.get(layer);
    this.twins.delete(layer);
    if (typeof twin !== "object") return;
    this.released.unregister(layer);
    twin.dispose();
  }

  /** The call as the twin runs it, or why tfjs's own path must run it (tfjs then gives its own
   *  result, or its own error for inputs it refuses). */
  private readCall(layer: TfRecurrentLayer, twin: LayerTwin, inputs: TfTensor | TfTensor[], kwargs: TfCallArgs): RecurrentCall | string {
    if (Array.isArray(inputs) && inputs.length !== 1) return `it is called on ${inputs.length} tensors (one sequence batch and its initialState are what it takes)`;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x.rank !== 3 || x.dtype !== "float32" || x.shape[2] !== twin.direction.inputSize || x.shape[0] === 0 || x.shape[1] === 0) {
      return `its input is ${x.dtype} [${x.shape.join(", ")}] (wasm-rnn runs float32 [batch, steps, ${twin.direction.inputSize}])`;
    }
    const [B, T] = x.shape;
    const training = kwargs.training === true;
    const { recurrentDropout, units } = layer.cell;
    if (training && 0 < recurrentDropout && recurrentDropout < 1) return `recurrentDropout ${recurrentDropout} while training`;
    if (training && twin.direction.backwardRefusal) return `${twin.direction.backwardRefusal} while training`;
    const initial = kwargs.initialState ?? (layer.stateful ? layer.states_ : null);
    const states = Array.isArray(layer.cell.stateSize) ? layer.cell.stateSize.length : 1;
    if (initial && (initial.length !== states || initial.some((s) => s.dtype !== "float32" || s.shape.join() !== `${B},${units}`))) {
      return `its initial states are ${initial.map((s) => `${s.dtype} [${s.shape.join(", ")}]`).join(", ")} (wasm-rnn runs ${states} float32 [${B}, ${units}])`;
    }
    const mask = readMask(kwargs.mask, B, T);
    if (typeof mask === "string") return mask;
    return { x, mask, initial, training };
  }
}

/** `layer "name" (Class)` for messages; a Bidirectional's two layers (forward_…, backward_…) by its name. */
function layerLabel(layer: TfRecurrentLayer): string {
  return `layer "${layer.name.replace(/^(forward|backward)_/, "")}" (${layer.getClassName()})`;
}

/** Keras's mask as 0/1 per step [B, T]; null when absent or all valid; or why it is not one. */
function readMask(given: TfTensor | TfTensor[] | null | undefined, B: number, T: number): Uint8Array | null | string {
  // Several inputs (a sequence and initial states) come with a mask each: the sequence's is first.
  const mask = Array.isArray(given) ? given[0] : given;
  if (mask === null || mask === undefined) return null;
  const shape = mask.shape.join();
  if (shape !== `${B},${T}` && shape !== `${B},${T},1`) return `its mask has shape [${mask.shape.join(", ")}] (wasm-rnn takes [${B}, ${T}])`;
  const values = floats(mask);
  if (values.every((v) => v !== 0)) return null;
  return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
}
