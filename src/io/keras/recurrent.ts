// Keras LSTM, GRU and SimpleRNN layers on our Recurrent layers: the config (activations become cell
// options), the weight layouts (kernel [I, G·H] and recurrent_kernel [H, G·H] transposed to
// weight_ih [G·H, I] and weight_hh [G·H, H]; LSTM gates i f c o are ours i f g o; GRU z r h become
// ours r z n; one Keras bias → bias_ih with bias_hh zero, except GRU reset_after's [2, 3H] = b_ih, b_hh),
// and one direction run with Keras masking.
//
// Masking (as tfjs's rnn()): a masked step leaves the state as it was and outputs the current h.
// So each sequence's valid steps, in processing order (reversed for go_backwards), are gathered to
// the front and run as a variable-length batch (`lengths`); outputs are put back at their steps and a
// masked step gets the h of the last valid step before it (the initial h before any). For the usual
// prefix mask (padding at the end) the gather moves nothing: it is the lengths of the sequences.

import { CELLS, type CellKind } from "../../engine/cells.js";
import { ShapeError } from "../../errors.js";
import { GRU } from "../../layers/gru.js";
import { LSTM } from "../../layers/lstm.js";
import type { Recurrent } from "../../layers/recurrent.js";
import { RNN } from "../../layers/rnn.js";
import { layerTwin } from "../../models/quantize.js";
import type { QuantizableKind } from "../../models/quantized-kinds.js";
import type { CellOptions } from "../../layers/cell-options.js";
import { Tensor } from "../../tensor.js";
import { cellActivation, readActivation, type KerasActivation } from "./activations.js";
import type { JsonReader } from "./json.js";
import { checkFeatures, checkInputCount, checkSymbolic, layerLabel, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import { kernelToWeight, reorderBlocks } from "./layout.js";
import type { LayerEntry } from "./topology.js";
import type { NamedWeight, WeightStore } from "./weights.js";

type RecurrentClass = "LSTM" | "GRU" | "SimpleRNN";

/** The cell each Keras class is. */
const CELL_OF: Record<RecurrentClass, CellKind> = { LSTM: "lstm", GRU: "gru", SimpleRNN: "rnn" };

/** Our gate block g is Keras block GATE_ORDER[g] (one entry per gate of the class's cell). */
const GATE_ORDER: Record<RecurrentClass, readonly number[]> = { LSTM: [0, 1, 2, 3], GRU: [1, 0, 2], SimpleRNN: [0] };

/** What a Keras recurrent layer's config asks for. */
export interface RecurrentConfig {
  className: RecurrentClass;
  units: number;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  useBias: boolean;
  /** GRU only. */
  resetAfter: boolean;
  cellOptions: CellOptions | undefined;
  /** SimpleRNN only: the activation when it is one our plain kernels have. */
  nonlinearity: "tanh" | "relu" | undefined;
}

export function readRecurrentConfig(className: string, config: JsonReader): RecurrentConfig {
  if (className !== "LSTM" && className !== "GRU" && className !== "SimpleRNN") {
    throw config.unsupported(`${className} is not a recurrent layer wasm-rnn runs (LSTM, GRU, SimpleRNN)`);
  }
  if (config.bool("stateful", false)) throw config.unsupported("stateful: true is not supported (states are not kept between calls)");
  if (config.bool("time_major", false)) throw config.unsupported("time_major: true is not supported");
  const activation = readActivation(config, "activation", "tanh");
  // tfjs's default recurrent activation is hard_sigmoid; saved configs always name theirs.
  const recurrentActivation = className === "SimpleRNN" ? "sigmoid" : readActivation(config, "recurrent_activation", "hard_sigmoid");
  return {
    className,
    units: config.int("units", 1),
    returnSequences: config.bool("return_sequences", false),
    returnState: config.bool("return_state", false),
    goBackwards: config.bool("go_backwards", false),
    useBias: config.bool("use_bias", true),
    resetAfter: className === "GRU" && config.bool("reset_after", false),
    cellOptions: cellOptionsFor(className, activation, recurrentActivation, config),
    nonlinearity: className === "SimpleRNN" && (activation === "tanh" || activation === "relu") ? activation : undefined,
  };
}

/** Cell options for activations other than our kernels' defaults (LSTM f g h, GRU f g, RNN f). */
function cellOptionsFor(className: RecurrentClass, activation: KerasActivation, recurrent: KerasActivation, config: JsonReader): CellOptions | undefined {
  if (className === "SimpleRNN") {
    return activation === "tanh" || activation === "relu" ? undefined : { activations: [cellActivation(activation, config, "activation")] };
  }
  if (activation === "tanh" && recurrent === "sigmoid") return undefined;
  const f = cellActivation(recurrent, config, "recurrent_activation");
  const g = cellActivation(activation, config, "activation");
  return { activations: className === "LSTM" ? [f, g, g] : [f, g] };
}

/** States per sample: h and c for an LSTM, h otherwise. */
export function stateCount(config: RecurrentConfig): number {
  return config.className === "LSTM" ? 2 : 1;
}

export interface DirectionResult {
  /** [B, T, H] in processing order (reversed time when running backwards), when asked for. */
  sequences: Tensor | null;
  /** Final h (and c), each [B, H]. */
  states: Tensor[];
}

/** One direction of a Keras recurrent layer: weights under `prefix` ("lstm", "bidirectional/forward_lstm"). */
export class RecurrentDirection {
  readonly inputSize: number;
  readonly units: number;

  constructor(private readonly config: RecurrentConfig, private readonly backwards: boolean, private readonly layer: Recurrent) {
    this.inputSize = layer.inputSize;
    this.units = layer.hiddenSize;
  }

  static fromWeights(config: RecurrentConfig, backwards: boolean, weights: WeightStore, prefix: string, owner: string): RecurrentDirection {
    const cell = CELL_OF[config.className];
    const order = GATE_ORDER[config.className];
    const H = config.units, G = CELLS[cell].gates;
    const kernel = weights.take(`${prefix}/kernel`, [null, G * H], owner);
    const recurrent = weights.take(`${prefix}/recurrent_kernel`, [H, G * H], owner);
    const bias = config.useBias ? weights.take(`${prefix}/bias`, config.resetAfter ? [2, G * H] : [G * H], owner) : null;
    const I = kernel.shape[0];
    const record: Record<string, NamedWeight> = {
      weight_ih_l0: { shape: [G * H, I], data: kernelToWeight(kernel.data, I, order, H) },
      weight_hh_l0: { shape: [G * H, H], data: kernelToWeight(recurrent.data, H, order, H) },
    };
    if (bias) {
      record.bias_ih_l0 = { shape: [G * H], data: reorderBlocks(bias.data.subarray(0, G * H), order, H) };
      record.bias_hh_l0 = { shape: [G * H], data: config.resetAfter ? reorderBlocks(bias.data.subarray(G * H), order, H) : new Float32Array(G * H) };
    }
    const options = { inputSize: I, hiddenSize: H, bias: config.useBias, cellOptions: config.cellOptions };
    const layer = config.className === "LSTM" ? new LSTM(options)
      : config.className === "GRU" ? new GRU({ ...options, resetAfter: config.resetAfter })
      : new RNN({ ...options, nonlinearity: config.nonlinearity });
    try {
      layer.loadStateDict(record);
    } catch (e) {
      layer.dispose();
      throw e;
    }
    return new RecurrentDirection(config, backwards, layer);
  }

  /** The kind quantizeDynamic selects the direction's layer by (SimpleRNN: "rnn"). */
  get quantizableKind(): QuantizableKind {
    return CELL_OF[this.config.className];
  }

  /** The same direction, with int8 weights when its kind is in `selection`. */
  quantized(selection: ReadonlySet<QuantizableKind>): RecurrentDirection {
    return new RecurrentDirection(this.config, this.backwards, layerTwin(this.layer, selection));
  }

  /** Runs x [B, T, I] with an optional mask [B, T] from initial states ([B, H] each; zeros when absent). */
  run(x: Tensor, mask: Uint8Array | null, initial: readonly Tensor[], wantSequences: boolean): DirectionResult {
    const [B, T] = x.shape;
    const I = this.inputSize, H = this.units;
    const time = (p: number) => (this.backwards ? T - 1 - p : p);
    const valid = (b: number, t: number) => mask === null || mask[b * T + t] !== 0;
    // Gather each sequence's valid steps, in processing order, to the front: time-major [T, B, I].
    const gathered = new Float32Array(T * B * I);
    const lengths = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let k = 0;
      for (let p = 0; p < T; p++) {
        const t = time(p);
        if (!valid(b, t)) continue;
        gathered.set(x.data.subarray((b * T + t) * I, (b * T + t + 1) * I), (k * B + b) * I);
        k++;
      }
      lengths[b] = k;
    }
    const h0 = initial[0] && new Tensor(initial[0].data, [1, B, H]);
    const c0 = initial[1] && new Tensor(initial[1].data, [1, B, H]);
    // A sequence with no valid step runs one step on zeros; its results are replaced below.
    const result = this.layer.forward(new Tensor(gathered, [T, B, I]), { h0, c0, lengths: mask ? lengths.map((n) => Math.max(n, 1)) : undefined });
    const states = [result.hN, result.cN].slice(0, stateCount(this.config)).map((s, i) => {
      const data = s!.data;
      for (let b = 0; b < B; b++) if (lengths[b] === 0) data.set(initial[i]?.data.subarray(b * H, (b + 1) * H) ?? new Float32Array(H), b * H);
      return new Tensor(data, [B, H]);
    });
    if (!wantSequences) return { sequences: null, states };
    // Scatter back: step p of sequence b shows the h after its last valid step up to p.
    const y = result.output.data;
    const sequences = new Float32Array(B * T * H);
    for (let b = 0; b < B; b++) {
      let seen = 0;
      for (let p = 0; p < T; p++) {
        if (valid(b, time(p))) seen++;
        const at = (b * T + p) * H;
        if (seen > 0) sequences.set(y.subarray(((seen - 1) * B + b) * H, ((seen - 1) * B + b + 1) * H), at);
        else if (initial[0]) sequences.set(initial[0].data.subarray(b * H, (b + 1) * H), at);
      }
    }
    return { sequences: new Tensor(sequences, [B, T, H]), states };
  }

  dispose(): void {
    this.layer.dispose();
  }
}

/**
 * Load-time check of a recurrent call: the sequence [B, T, I] and optionally `states` initial states
 * [B, H] after it.
 */
export function inferRecurrentInputs(inputs: readonly SymbolicTensor[], states: number, direction: RecurrentDirection, entry: LayerEntry): void {
  checkInputCount(inputs, [1, 1 + states], entry);
  checkSymbolic(inputs[0], 3, direction.inputSize, entry);
  inputs.slice(1).forEach((s, i) => checkSymbolic(s, 2, direction.units, entry, `initial state ${i}`));
}

/** Run-time check of a recurrent call's tensors (a ShapeError naming the layer). */
export function checkRecurrentInputs(inputs: readonly Value[], direction: RecurrentDirection, label: string): void {
  const x = inputs[0].tensor;
  if (x.shape.length !== 3) throw new ShapeError(`${label}: input must be [batch, steps, features]; got shape [${x.shape.join(", ")}]`);
  checkFeatures(x, direction.inputSize, label);
  inputs.slice(1).forEach(({ tensor }, i) => checkFeatures(tensor, direction.units, label, `initial state ${i}`));
}

class KerasRecurrent implements KerasLayer {
  private readonly label: string;

  constructor(private readonly entry: LayerEntry, private readonly config: RecurrentConfig, private readonly direction: RecurrentDirection) {
    this.label = layerLabel(entry);
  }

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    const { returnSequences, returnState, units } = this.config;
    const S = stateCount(this.config);
    inferRecurrentInputs(inputs, S, this.direction, this.entry);
    const [batch, steps] = inputs[0].shape;
    const output = { shape: returnSequences ? [batch, steps, units] : [batch, units], masked: returnSequences && inputs[0].masked };
    const states = returnState ? Array.from({ length: S }, () => ({ shape: [batch, units], masked: false })) : [];
    return [output, ...states];
  }

  call(inputs: readonly Value[]): Value[] {
    checkRecurrentInputs(inputs, this.direction, this.label);
    const [x, ...initial] = inputs;
    const { sequences, states } = this.direction.run(x.tensor, x.mask, initial.map((v) => v.tensor), this.config.returnSequences);
    const output: Value = sequences ? { tensor: sequences, mask: x.mask } : { tensor: states[0], mask: null };
    return this.config.returnState ? [output, ...states.map((tensor) => ({ tensor, mask: null }))] : [output];
  }

  dispose(): void {
    this.direction.dispose();
  }

  get quantizableKind(): QuantizableKind {
    return this.direction.quantizableKind;
  }

  quantized(selection: ReadonlySet<QuantizableKind>): KerasLayer {
    return new KerasRecurrent(this.entry, this.config, this.direction.quantized(selection));
  }
}

export function buildRecurrent(entry: LayerEntry, weights: WeightStore): KerasLayer {
  const config = readRecurrentConfig(entry.className, entry.config);
  return new KerasRecurrent(entry, config, RecurrentDirection.fromWeights(config, config.goBackwards, weights, entry.name, layerLabel(entry)));
}
