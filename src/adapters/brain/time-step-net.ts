// brain.js's RNNTimeStep, LSTMTimeStep and GRUTimeStep (recurrent/rnn-time-step.js, 1.6.1): nets
// over sequences of numbers or of vectors that predict the next step. The data's steps are the
// inputs themselves (no input matrix), the output is linear, training minimises the squared error
// of each next step, run gives the prediction after the input, and forecast feeds each prediction
// back for `count` steps.

import { ShapeError } from "../../index.js";
import type { BrainCell } from "./cells.js";
import { kindOf } from "./described.js";
import { createModel, modelToJSON, readModel, type MatrixJSON, type ModelLayout } from "./model.js";
import { BrainNet } from "./net.js";
import { checkSettings, readConstructorOptions, readJSONOptions, readTrainOptions, type NetSettings, type TimeStepOptions, type TrainOptions } from "./options.js";
import { steps, timeStepSequences } from "./time-step-data.js";
import type { TrainResult } from "./training.js";

/** brain.js's JSON of a time-step net. */
export interface TimeStepJSON {
  type: string;
  options: Record<string, unknown>;
  hiddenLayers: Record<string, MatrixJSON>[];
  outputConnector: MatrixJSON;
  output: MatrixJSON;
}

/** The training data time-step nets take (time-step-data.ts describes the shapes). */
export type TimeStepData =
  | readonly number[]
  | readonly (readonly number[])[]
  | readonly (readonly (readonly number[])[])[]
  | readonly { input: readonly number[] | readonly (readonly number[])[]; output: readonly number[] | readonly (readonly number[])[] }[];

/** The shapes of a time-step net's matrices: no input matrix (the data are the inputs), a random output bias. */
function layoutOf(sizes: Pick<NetSettings, "inputSize" | "hiddenLayers" | "outputSize">): ModelLayout {
  return { inputRows: 0, inputSize: sizes.inputSize, hiddenLayers: sizes.hiddenLayers, outputRows: sizes.outputSize, randomOutputBias: true };
}

export abstract class TimeStepNet extends BrainNet {
  /** The constructor's learningRate, kept in the JSON as brain.js keeps it (train takes its own, as brain.js's does). */
  declare learningRate: number | undefined;

  protected constructor(cell: BrainCell, typeName: string, options?: TimeStepOptions) {
    const { settings, json } = readConstructorOptions(options, true, typeName);
    super(cell, typeName, settings);
    if (json !== undefined && json !== null) this.fromJSON(json);
  }

  protected override applySettings(settings: NetSettings): void {
    super.applySettings(settings);
    this.learningRate = settings.learningRate;
  }

  private initialize(where: string): void {
    checkSettings(this, ["inputSize", "outputSize", "hiddenLayers"], where);
    this.setModel(createModel(this.cell, layoutOf(this)), this.inputSize);
  }

  /** Trains on `data`, brain.js's way: a sequence at a time, the weights updated after each. */
  train(data: TimeStepData, options: TrainOptions = {}): TrainResult {
    const where = `${this.typeName}.train`;
    const settings = readTrainOptions(options, where);
    this.checkUpdateSettings(where);
    const { sequences, sizes } = timeStepSequences(data, { inputSize: this.inputSize, outputSize: this.outputSize }, this.model !== null, where);
    this.inputSize = sizes.inputSize;
    this.outputSize = sizes.outputSize;
    if (!this.model) this.initialize(where);
    // brain.js's error for a sequence of T steps: Σ |y − target| / T
    const series = sequences.map((sequence) => this.seriesOf(sequence));
    return this.trainOn(series, settings, (network, s) => network.trainSeries(s.inputs, s.targets, s.steps, where) / (s.steps + 1));
  }

  /**
   * One sequence as brain.js's trainArrays (and trainInputOutput, which is the same on input then
   * output) trains it: steps 0…T−2 each predict the next step's first outputSize values (deltas
   * y − target, brain.js's backpropagation in assembly/brain.ts; a one-step sequence predicts
   * nothing, and brain.js still backpropagates and updates): the inputs [T − 1, inputSize] and
   * targets [T − 1, outputSize].
   */
  private seriesOf(sequence: readonly Float64Array[]): { inputs: Float64Array; targets: Float64Array; steps: number } {
    const T = sequence.length, I = this.inputSize, O = this.outputSize;
    const inputs = new Float64Array((T - 1) * I), targets = new Float64Array((T - 1) * O);
    for (let t = 0; t < T - 1; t++) {
      inputs.set(sequence[t], t * I);
      targets.set(sequence[t + 1].subarray(0, O), t * O);
    }
    return { inputs, targets, steps: T - 1 };
  }

  /** `input` as one float64 buffer [steps, inputSize]. */
  private inputOf(input: unknown, where: string): { values: Float64Array; steps: number } {
    const list = steps(input, this.inputSize, `${where}: input`);
    const values = new Float64Array(list.length * this.inputSize);
    list.forEach((x, t) => values.set(x, t * this.inputSize));
    return { values, steps: list.length };
  }

  /**
   * The prediction after `input`: with inputSize 1 a number from numbers, else a Float32Array from
   * arrays of inputSize numbers.
   */
  run(input: readonly number[] | readonly (readonly number[])[]): number | Float32Array {
    const where = `${this.typeName}.run`;
    const network = this.network("run");
    const { values, steps: count } = this.inputOf(input, where);
    const [last] = network.forecast(values, count, 1, count + 1, where);
    return this.inputSize === 1 ? last[0] : last;
  }

  /**
   * `count` predictions continuing `input`, each fed back as the next input: numbers with inputSize
   * 1, else Float32Arrays. (As in brain.js, a count of 0 still gives the one prediction after the input.)
   */
  forecast(input: readonly number[] | readonly (readonly number[])[], count: number): number[] | Float32Array[] {
    const where = `${this.typeName}.forecast`;
    const network = this.network("forecast");
    if (!Number.isInteger(count) || count < 0) throw new ShapeError(`${where}: count must be an integer from 0; got ${kindOf(count)}`);
    if (this.inputSize !== this.outputSize) throw new ShapeError(`${where}: forecast feeds each output back as the next input, so inputSize (${this.inputSize}) and outputSize (${this.outputSize}) must be equal`);
    const { values, steps: given } = this.inputOf(input, where);
    const predictions = network.forecast(values, given, count, given + count + 1, where);
    return this.inputSize === 1 ? predictions.map((p) => p[0]) : predictions;
  }

  /** brain.js's JSON of the net (a new net gets its random weights first, as in brain.js). */
  toJSON(): TimeStepJSON {
    if (!this.model) this.initialize(`${this.typeName}.toJSON`);
    const options = {
      inputSize: this.inputSize,
      hiddenLayers: [...this.hiddenLayers],
      outputSize: this.outputSize,
      ...(this.learningRate === undefined ? {} : { learningRate: this.learningRate }),
      decayRate: this.decayRate,
      smoothEps: this.smoothEps,
      regc: this.regc,
      clipval: this.clipval,
    };
    return { type: this.typeName, options, ...modelToJSON(this.model!) };
  }

  /** Loads brain.js JSON; a FormatError names the first malformed field, and the net is unchanged then. */
  fromJSON(json: object): this {
    const { record, options } = this.readJSON(json);
    const settings = readJSONOptions(options, true);
    const model = readModel(record, this.cell, layoutOf(settings));
    this.setModel(model, settings.inputSize);
    this.applySettings(settings);
    return this;
  }
}
