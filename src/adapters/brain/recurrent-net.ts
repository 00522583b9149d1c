// brain.js's RNN, LSTM and GRU (recurrent/rnn.js, 1.6.1): nets over the values of strings or arrays
// that learn to continue a sequence, or to answer an input with an output. A sequence becomes
// indexes (data-formatter.ts); each step's input is a row of the net's input matrix (row 0 is the
// start and end token), and the net predicts the next index with a softmax. run feeds the input's
// indexes and then its own predictions, as brain.js does (its off-by-one included: the input's last
// index is replaced by the prediction made before it), until it predicts the end or reaches
// maxPredictionLength.

import { FormatError, ShapeError } from "../../index.js";
import type { BrainCell } from "./cells.js";
import { DataFormatter, type Value } from "./data-formatter.js";
import { kindOf } from "./described.js";
import { createModel, modelToJSON, readModel, type MatrixJSON, type ModelLayout } from "./model.js";
import { BrainNet } from "./net.js";
import { checkSettings, readConstructorOptions, readJSONOptions, readTrainOptions, type NetSettings, type RecurrentOptions, type TrainOptions } from "./options.js";
import type { TrainResult } from "./training.js";

/** A sequence: a string (of characters) or an array of values. */
export type Sequence = string | readonly Value[];

/** A training item: a sequence to learn to continue, or an input and the output that answers it. */
export type RecurrentDatum = Sequence | { input: Sequence; output: Sequence };

/** brain.js's JSON of a character net. */
export interface RecurrentJSON {
  type: string;
  options: Record<string, unknown>;
  input: MatrixJSON;
  hiddenLayers: Record<string, MatrixJSON>[];
  outputConnector: MatrixJSON;
  output: MatrixJSON;
}

/** The shapes of a character net's matrices: the input rows and the outputs have the start/end token too. */
function layoutOf(sizes: Pick<NetSettings, "inputRange" | "inputSize" | "hiddenLayers" | "outputSize">): ModelLayout {
  return { inputRows: sizes.inputRange + 1, inputSize: sizes.inputSize, hiddenLayers: sizes.hiddenLayers, outputRows: sizes.outputSize + 1, randomOutputBias: false };
}

function isSequence(v: unknown): v is Sequence {
  return typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number" || typeof x === "boolean"));
}

export abstract class RecurrentNet extends BrainNet {
  declare inputRange: number;
  /** Values run generates at most beyond its input (brain.js's default 100). */
  declare maxPredictionLength: number;
  /** The table between values and indexes (built from the first training data when not given). */
  dataFormatter: DataFormatter | null;

  protected constructor(cell: BrainCell, options?: RecurrentOptions) {
    const { settings, json, dataFormatter } = readConstructorOptions(options, false, cell.name);
    super(cell, cell.name, settings);
    this.dataFormatter = dataFormatter === null ? null : DataFormatter.fromJSON(dataFormatter, "options.dataFormatter");
    if (json !== undefined && json !== null) this.fromJSON(json);
  }

  protected override applySettings(settings: NetSettings): void {
    super.applySettings(settings);
    this.inputRange = settings.inputRange;
    this.maxPredictionLength = settings.maxPredictionLength;
  }

  /** brain.js's initialize: the sizes from the data formatter, random weights. */
  private initialize(where: string): void {
    if (this.dataFormatter) this.inputSize = this.inputRange = this.outputSize = this.dataFormatter.characters.length;
    checkSettings(this, ["inputSize", "inputRange", "outputSize", "hiddenLayers"], where);
    if (this.inputSize !== this.outputSize || this.outputSize > this.inputRange) {
      throw new ShapeError(
        `${where}: a ${this.typeName} feeds its predictions back as inputs, so inputSize and outputSize must be equal and at most inputRange; ` +
          `got ${this.inputSize}, ${this.outputSize} and ${this.inputRange}`,
      );
    }
    this.setModel(createModel(this.cell, layoutOf(this)), this.inputSize);
  }

  /**
   * Trains on `data` (strings, arrays of values, or { input, output } of either), brain.js's way: one
   * sequence at a time, the weights updated after each. Returns the last pass's mean error and the passes run.
   */
  train(data: readonly RecurrentDatum[], options: TrainOptions = {}): TrainResult {
    const where = `${this.typeName}.train`;
    const settings = readTrainOptions(options, where);
    this.checkUpdateSettings(where);
    const sequences = this.setupData(data, where);
    if (!this.model) this.initialize(where);
    // brain.js's error for a sequence of T values: 2^(Σ −log₂ p / (T − 1)) / 100
    const pairs = sequences.map((indexes) => sequencePair(indexes));
    return this.trainOn(pairs, settings, (network, pair) => Math.pow(2, network.trainCharacters(pair.rows, pair.targets, where) / (pair.rows.length - 2)) / 100);
  }

  /** brain.js's setupData: the data formatter (when the net has none) and each item as indexes. */
  private setupData(data: unknown, where: string): number[][] {
    if (!Array.isArray(data) || data.length === 0) throw new ShapeError(`${where}: data must be a non-empty array; got ${kindOf(data)}`);
    if (isSequence(data[0])) {
      data.forEach((item, i) => {
        if (!isSequence(item)) throw new ShapeError(`${where}: data[${i}] must be a string or an array of values like data[0]; got ${kindOf(item)}`);
      });
      this.dataFormatter ??= DataFormatter.fromValues(data);
      return data.map((item: Sequence) => this.formatDataIn(item, null, where));
    }
    data.forEach((item, i) => {
      if (item === null || typeof item !== "object" || !isSequence(item.input) || !isSequence(item.output)) {
        throw new ShapeError(`${where}: data[${i}] must be a string, an array of values, or { input, output } of those; got ${kindOf(item)}`);
      }
    });
    this.dataFormatter ??= DataFormatter.fromInputOutput(data.flatMap((item: { input: Sequence; output: Sequence }) => [item.input, item.output]));
    return data.map((item: { input: Sequence; output: Sequence }) => this.formatDataIn(item.input, item.output, where));
  }

  /** brain.js's formatDataIn: indexes (with the input/output markers for input/output data); a net
   *  without a data formatter takes indexes as they are. */
  private formatDataIn(input: Sequence, output: Sequence | null, where: string): number[] {
    const formatter = this.dataFormatter;
    if (formatter) return formatter.inputOutput ? formatter.toIndexesInputOutput(input, output, where) : formatter.toIndexes(input, where);
    if (typeof input === "string" || !input.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < this.inputRange)) {
      throw new ShapeError(`${where}: this net has no data formatter, so its input must be indexes from 0 to ${this.inputRange - 1}; got ${kindOf(input)}`);
    }
    return input as number[];
  }

  /**
   * Continues `input` (or answers it, for input/output nets): the most likely next value at each
   * step, or with `isSampleI` values drawn from the softmax at `temperature` (Math.random, as brain.js).
   * A string when the net has a data formatter (brain.js joins the values), else indexes.
   */
  run(input: Sequence = [], isSampleI = false, temperature = 1): string | number[] {
    const where = `${this.typeName}.run`;
    const network = this.network("run");
    if (!isSequence(input)) throw new ShapeError(`${where}: input must be a string or an array of values; got ${kindOf(input)}`);
    if (typeof isSampleI !== "boolean") throw new ShapeError(`${where}: isSampleI must be true or false; got ${kindOf(isSampleI)}`);
    if (typeof temperature !== "number" || !(temperature > 0) || !Number.isFinite(temperature)) throw new ShapeError(`${where}: temperature must be a number above 0; got ${kindOf(temperature)}`);
    checkSettings(this, ["maxPredictionLength"], where);
    const limit = this.maxPredictionLength + input.length + (this.dataFormatter ? this.dataFormatter.specialIndexes.length : 0);
    const indexes = this.formatDataIn(input, null, where);
    const output = network.runCharacters(Int32Array.from(indexes, (v) => v + 1), limit, isSampleI, temperature, where);
    const values = output.slice(indexes.length).map((v) => v - 1);
    return this.dataFormatter ? this.dataFormatter.toCharacters(values).join("") : values;
  }

  /** brain.js's JSON of the net (a new net gets its random weights first, as in brain.js). */
  toJSON(): RecurrentJSON {
    if (!this.model) this.initialize(`${this.typeName}.toJSON`);
    const options = {
      inputSize: this.inputSize,
      inputRange: this.inputRange,
      hiddenLayers: [...this.hiddenLayers],
      outputSize: this.outputSize,
      decayRate: this.decayRate,
      smoothEps: this.smoothEps,
      regc: this.regc,
      clipval: this.clipval,
      maxPredictionLength: this.maxPredictionLength,
      dataFormatter: this.dataFormatter?.toJSON() ?? null,
    };
    return { type: this.typeName, options, ...modelToJSON(this.model!) } as RecurrentJSON;
  }

  /** Loads brain.js JSON (JSON.parse of its text, or its toJSON object); a FormatError names the first
   *  malformed field, and the net is unchanged then. */
  fromJSON(json: object): this {
    const { record, options } = this.readJSON(json);
    const settings = readJSONOptions(options, false);
    const formatter = options.dataFormatter === undefined || options.dataFormatter === null ? null : DataFormatter.fromJSON(options.dataFormatter, "options.dataFormatter");
    const model = readModel(record, this.cell, layoutOf(settings));
    if (formatter && formatter.characters.length > settings.inputRange) {
      throw new FormatError(`brain.js JSON: options.dataFormatter has ${formatter.characters.length} values but options.inputRange is ${settings.inputRange}`);
    }
    this.setModel(model, settings.inputSize);
    this.applySettings(settings);
    this.dataFormatter = formatter;
    return this;
  }
}

/**
 * One training sequence of T values as brain.js's trainPattern trains it: steps 0…T from the start
 * token, each predicting the next index (the end token last), cross-entropy deltas at the outputs,
 * brain.js's backpropagation (assembly/brain.ts): each step's input row and target.
 */
function sequencePair(indexes: readonly number[]): { rows: Int32Array; targets: Int32Array } {
  const T = indexes.length, steps = T + 1;
  const rows = new Int32Array(steps), targets = new Int32Array(steps);
  for (let t = 0; t < steps; t++) {
    rows[t] = t === 0 ? 0 : indexes[t - 1] + 1;
    targets[t] = t === T ? 0 : indexes[t] + 1;
  }
  return { rows, targets };
}
