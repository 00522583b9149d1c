// Keras LSTM, GRU and SimpleRNN layers on our Recurrent layers: the config (activations become cell
// options), the weight layouts (kernel [I, G·H] and recurrent_kernel [H, G·H] transposed to
// weight_ih [G·H, I] and weight_hh [G·H, H]; LSTM gates i f c o are ours i f g o; GRU z r h become
// ours r z n; one Keras bias → bias_ih with bias_hh zero, except GRU reset_after's [2, 3H] = b_ih, b_hh),
// and one direction run with Keras masking (masked-steps.ts), forward and backward: backward maps the
// gradients back to Keras's layout, so a host library's optimizer can update Keras-layout weights.

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
import { JsonReader, type JsonObject } from "./json.js";
import { checkFeatures, checkInputCount, checkSymbolic, layerLabel, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import { kernelToWeight, reorderBlocks, restoreBlocks, weightToKernel } from "./layout.js";
import { MaskedSteps } from "./masked-steps.js";
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

/** A Keras recurrent layer's weights in Keras's layout: kernel [I, G·H], recurrent_kernel [H, G·H],
 *  bias [G·H] ([2, G·H] for GRU reset_after: input side, recurrent side) or null without use_bias. */
export interface KerasRecurrentWeights {
  kernel: NamedWeight;
  recurrentKernel: NamedWeight;
  bias: NamedWeight | null;
}

/** What a direction's backward gives: ∂L/∂x [B, T, I], ∂L/∂ each initial state [B, H], and the
 *  weights' gradients in Keras's layout. */
export interface DirectionGradients {
  input: Tensor;
  initial: Tensor[];
  weights: KerasRecurrentWeights;
}

/** One direction of a Keras recurrent layer (a Recurrent layer of ours, PyTorch's layout inside):
 *  forward with Keras masking, and backward through the same maps to Keras-layout gradients. */
export class RecurrentDirection {
  readonly inputSize: number;
  readonly units: number;
  /** Runs so far: a caller holding a run's count knows whether backward still sees that run. */
  runs = 0;
  /** The last run's steps, for backward. */
  private last: MaskedSteps | null = null;

  constructor(private readonly config: RecurrentConfig, private readonly backwards: boolean, private readonly layer: Recurrent) {
    this.inputSize = layer.inputSize;
    this.units = layer.hiddenSize;
  }

  /** From a model's weights under `prefix` ("lstm", "bidirectional/forward_lstm"). */
  static fromWeights(config: RecurrentConfig, backwards: boolean, weights: WeightStore, prefix: string, owner: string): RecurrentDirection {
    const H = config.units, G = CELLS[CELL_OF[config.className]].gates;
    return RecurrentDirection.fromKeras(config, backwards, {
      kernel: weights.take(`${prefix}/kernel`, [null, G * H], owner),
      recurrentKernel: weights.take(`${prefix}/recurrent_kernel`, [H, G * H], owner),
      bias: config.useBias ? weights.take(`${prefix}/bias`, config.resetAfter ? [2, G * H] : [G * H], owner) : null,
    });
  }

  /**
   * From a layer's config as tfjs's getConfig() gives it (camelCase) or a model.json holds it
   * (snake_case), and its weights; `where` names the layer in messages. An UnsupportedError names
   * what wasm-rnn does not run (an activation, stateful: the caller keeps states and passes them in).
   */
  static fromConfig(className: string, config: JsonObject, weights: KerasRecurrentWeights, where: string): RecurrentDirection {
    const snake = Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]));
    const read = readRecurrentConfig(className, new JsonReader(where, snake));
    return RecurrentDirection.fromKeras(read, read.goBackwards, weights);
  }

  static fromKeras(config: RecurrentConfig, backwards: boolean, weights: KerasRecurrentWeights): RecurrentDirection {
    const options = { inputSize: weights.kernel.shape[0], hiddenSize: config.units, bias: config.useBias, cellOptions: config.cellOptions };
    const layer = config.className === "LSTM" ? new LSTM(options)
      : config.className === "GRU" ? new GRU({ ...options, resetAfter: config.resetAfter })
      : new RNN({ ...options, nonlinearity: config.nonlinearity });
    const direction = new RecurrentDirection(config, backwards, layer);
    try {
      direction.setWeights(weights);
    } catch (e) {
      layer.dispose();
      throw e;
    }
    return direction;
  }

  /** Replaces the weights (Keras's layout; shapes checked, nothing changed on a ShapeError). */
  setWeights({ kernel, recurrentKernel, bias }: KerasRecurrentWeights): void {
    const { order, H, G } = this.gates();
    const I = this.inputSize;
    const expect = (w: NamedWeight, shape: number[], name: string) => {
      if (w.shape.join() !== shape.join()) throw new ShapeError(`${this.config.className}: ${name} must have shape [${shape.join(", ")}]; got [${w.shape.join(", ")}]`);
    };
    expect(kernel, [I, G * H], "kernel");
    expect(recurrentKernel, [H, G * H], "recurrent_kernel");
    if ((bias !== null) !== this.config.useBias) throw new ShapeError(`${this.config.className}: ${this.config.useBias ? "a bias is missing" : "the layer has no bias"}`);
    if (bias) expect(bias, this.config.resetAfter ? [2, G * H] : [G * H], "bias");
    const record: Record<string, NamedWeight> = {
      weight_ih_l0: { shape: [G * H, I], data: kernelToWeight(kernel.data, I, order, H) },
      weight_hh_l0: { shape: [G * H, H], data: kernelToWeight(recurrentKernel.data, H, order, H) },
    };
    if (bias) {
      record.bias_ih_l0 = { shape: [G * H], data: reorderBlocks(bias.data.subarray(0, G * H), order, H) };
      record.bias_hh_l0 = { shape: [G * H], data: this.config.resetAfter ? reorderBlocks(bias.data.subarray(G * H), order, H) : new Float32Array(G * H) };
    }
    this.layer.loadStateDict(record);
  }

  /** Why the direction runs forward only (its cell options), or null when backward runs. */
  get backwardRefusal(): string | null {
    return this.layer.backwardRefusal;
  }

  private gates(): { order: readonly number[]; H: number; G: number } {
    const cell = CELL_OF[this.config.className];
    return { order: GATE_ORDER[this.config.className], H: this.units, G: CELLS[cell].gates };
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
    const steps = new MaskedSteps(mask, B, T, this.backwards);
    const h0 = initial[0] && new Tensor(initial[0].data, [1, B, H]);
    const c0 = initial[1] && new Tensor(initial[1].data, [1, B, H]);
    this.last = null;
    const result = this.layer.forward(new Tensor(steps.gatherInputs(x.data, I), [T, B, I]), { h0, c0, lengths: steps.lengths });
    this.last = steps;
    this.runs++;
    const states = [result.hN, result.cN].slice(0, stateCount(this.config)).map((s, i) => {
      steps.keepInitialStates(s!.data, H, initial[i]?.data ?? null);
      return new Tensor(s!.data, [B, H]);
    });
    if (!wantSequences) return { sequences: null, states };
    return { sequences: new Tensor(steps.scatterOutputs(result.output.data, H, initial[0]?.data ?? null), [B, T, H]), states };
  }

  /**
   * Backward through the last run: ∂L/∂ its sequences [B, T, H] (processing order; null when they
   * carry no loss) and ∂L/∂ its final states ([B, H] each, null for none). The gradients are this
   * call's alone (the layer's accumulated ones are zeroed first).
   */
  backward(gradSequences: Tensor | null, gradStates: readonly (Tensor | null)[]): DirectionGradients {
    const steps = this.last;
    if (!steps) throw new ShapeError(`${this.config.className}: backward needs a run first`);
    const B = steps.batch, T = steps.steps, I = this.inputSize, H = this.units;
    const initial = Array.from({ length: stateCount(this.config) }, () => new Float32Array(B * H));
    const gradOutput = gradSequences ? new Tensor(steps.gatherOutputGradients(gradSequences.data, H, initial[0]), [T, B, H]) : null;
    const [gradHN, gradCN] = initial.map((into, i) => {
      const g = gradStates[i];
      return g ? new Tensor(steps.splitStateGradients(g.data, H, into), [1, B, H]) : undefined;
    });
    this.layer.zeroGrad();
    const back = this.layer.backward(gradOutput, { gradHN, gradCN });
    [back.gradH0, back.gradC0].forEach((g, i) => {
      if (g && initial[i]) for (let j = 0; j < B * H; j++) initial[i][j] += g.data[j];
    });
    return {
      input: new Tensor(steps.scatterInputGradients(back.gradInput.data, I), [B, T, I]),
      initial: initial.map((g) => new Tensor(g, [B, H])),
      weights: this.kerasGradients(),
    };
  }

  /** The layer's accumulated gradients in Keras's layout (the inverse maps of setWeights). */
  private kerasGradients(): KerasRecurrentWeights {
    const { order, H, G } = this.gates();
    const I = this.inputSize, grads = this.layer.grads();
    const bias = () => {
      const input = restoreBlocks(grads.bias_ih_l0.data, order, H);
      if (!this.config.resetAfter) return { shape: [G * H], data: input };
      const both = new Float32Array(2 * G * H);
      both.set(input);
      both.set(restoreBlocks(grads.bias_hh_l0.data, order, H), G * H);
      return { shape: [2, G * H], data: both };
    };
    return {
      kernel: { shape: [I, G * H], data: weightToKernel(grads.weight_ih_l0.data, I, order, H) },
      recurrentKernel: { shape: [H, G * H], data: weightToKernel(grads.weight_hh_l0.data, H, order, H) },
      bias: this.config.useBias ? bias() : null,
    };
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
