// What brain.js's character nets (recurrent-net.ts) and time-step nets (time-step-net.ts) share: the
// settings as public properties (brain.js's users set them, e.g. maxPredictionLength), the model and
// the wasm network it runs on, the training session (weights, deltas and RMSProp cache in wasm memory,
// the update after each sequence), brain.js's JSON type and options, and the wasm memory's release — by dispose(), or when the net is garbage-collected, since
// code written for brain.js never disposes.

import { FormatError, ShapeError } from "../../index.js";
import type { BrainCell } from "./cells.js";
import { jsonObject, kindOf } from "./described.js";
import type { BrainModel } from "./model.js";
import { Network } from "./network.js";
import { checkSettings, type NetSettings, type TrainSettings } from "./options.js";
import { trainPasses, type TrainResult } from "./training.js";

/** The type names brain.js's toJSON writes (its classes' names). */
const TYPES = ["RNN", "LSTM", "GRU", "RNNTimeStep", "LSTMTimeStep", "GRUTimeStep"];

/** The layers of collected nets, released. */
const released = new FinalizationRegistry<{ network: Network | null }>((held) => held.network?.dispose());

export abstract class BrainNet {
  inputSize!: number;
  hiddenLayers!: number[];
  outputSize!: number;
  decayRate!: number;
  smoothEps!: number;
  regc!: number;
  clipval!: number;
  /** @internal The model's matrices (null until trained, loaded or written to JSON). */
  protected model: BrainModel | null = null;
  /** The wasm network the model runs on (held apart so that a collected net's memory is released). */
  private readonly held: { network: Network | null } = { network: null };
  /** brain.js's stepCache: the RMSProp cache of every matrix (allMatrices' order), kept for the net's
   *  life; one of another size (a net of other sizes loaded since) starts again from zeros. */
  private stepCache = new Float32Array(0);

  /** `typeName`: brain.js's class name, which its JSON's type holds. */
  protected constructor(protected readonly cell: BrainCell, protected readonly typeName: string, settings: NetSettings) {
    this.applySettings(settings);
    released.register(this, this.held);
  }

  /** @internal Takes the settings of the options or of loaded JSON. */
  protected applySettings(settings: NetSettings): void {
    this.inputSize = settings.inputSize;
    this.hiddenLayers = settings.hiddenLayers;
    this.outputSize = settings.outputSize;
    this.decayRate = settings.decayRate;
    this.smoothEps = settings.smoothEps;
    this.regc = settings.regc;
    this.clipval = settings.clipval;
  }

  /** @internal The layers running the model; a ShapeError naming `method` when there is no model yet. */
  protected network(method: string): Network {
    if (!this.held.network) throw new ShapeError(`${this.typeName}.${method}: the net has no weights yet; train it or load brain.js JSON (fromJSON) first`);
    return this.held.network;
  }

  /** @internal Replaces the model (and the wasm network it runs on). */
  protected setModel(model: BrainModel, inputSize: number): void {
    const network = new Network(this.cell, model, inputSize);
    this.held.network?.dispose();
    this.held.network = network;
    this.model = model;
  }

  /**
   * @internal brain.js's training passes over `sequences` on the wasm network: `trainSequence` leaves
   * a sequence's deltas (and returns its error), then brain.js's adjustWeights updates every matrix.
   * The model has the weights, deltas and RMSProp cache back before each log or callback and at the end.
   */
  protected trainOn<T>(sequences: readonly T[], settings: TrainSettings, trainSequence: (network: Network, sequence: T) => number): TrainResult {
    const network = this.held.network!;
    const update = { learningRate: settings.learningRate, decayRate: this.decayRate, smoothEps: this.smoothEps, regc: this.regc, clipval: this.clipval };
    if (this.stepCache.length !== network.count) this.stepCache = new Float32Array(network.count);
    return network.training(this.stepCache, (sync) =>
      trainPasses(sequences, settings, (sequence) => {
        const error = trainSequence(network, sequence);
        network.update(update);
        return error;
      }, sync),
    );
  }

  /** @internal Checks the settings the update reads (they are public properties). */
  protected checkUpdateSettings(where: string): void {
    checkSettings(this, ["decayRate", "smoothEps", "regc", "clipval"], where);
  }

  /** @internal The JSON record and its options, checked to be brain.js JSON of this kind of net. */
  protected readJSON(json: unknown): { record: Record<string, unknown>; options: Record<string, unknown> } {
    const record = jsonObject(json, "the JSON");
    if (record.type !== undefined) {
      if (typeof record.type !== "string") throw new FormatError(`brain.js JSON: type must be a class name; got ${kindOf(record.type)}`);
      if (TYPES.includes(record.type) && record.type !== this.typeName) throw new FormatError(`brain.js JSON: type is ${JSON.stringify(record.type)}, but this net is a ${this.typeName}`);
    }
    return { record, options: jsonObject(record.options, "options") };
  }

  /** Releases the net's wasm memory and forgets its weights: it runs again once trained or loaded anew. */
  dispose(): void {
    this.held.network?.dispose();
    this.held.network = null;
    this.model = null;
  }
}
