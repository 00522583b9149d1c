// What every model shares: named sub-layers whose parameters appear in one state dict under
// PyTorch-style module prefixes ("embedding.weight", "rnn.weight_ih_l0", "fc.bias"), loading that
// checks every layer before changing any, a JSON config for checkpoints, and dispose.

import { FormatError, ResourceError, ShapeError } from "../errors.js";
import type { Reduction } from "../layers/losses.js";
import { describe, type AnyTensorLike } from "../validate.js";
import type { Layer } from "../layers/layer.js";
import type { AnyTensor } from "../tensor.js";

/** One batch's loss as optimised (after reduction), and its per-prediction sum and count (tokens, sequences). */
export interface BatchLoss {
  loss: number;
  sum: number;
  count: number;
}

export abstract class Model {
  /** "language-model", "sequence-classifier", … (saved in checkpoints). */
  abstract readonly modelType: string;
  /** Everything needed to rebuild the model (without weights), JSON-serialisable. */
  abstract config(): Record<string, unknown>;

  /**
   * `reduction`: how a batch's summed loss becomes the loss that is optimised — "mean" divides by the
   * batch size (sequences), "sum" keeps the sum.
   */
  protected constructor(private readonly modules: readonly (readonly [string, Layer])[], readonly reduction: Reduction = "mean") {
    if (reduction !== "mean" && reduction !== "sum") throw new ShapeError(`reduction must be "mean" or "sum"; got ${describe(reduction)}`);
  }

  /** The factor from a batch's summed loss (and gradient) to the optimised one. */
  protected batchScale(batchSize: number): number {
    return this.reduction === "mean" ? 1 / batchSize : 1;
  }

  /** The layers whose parameters train, for optimizers and clipping. */
  get layers(): Layer[] {
    return this.modules.map(([, layer]) => layer);
  }

  /** Whether any of the model's weights are int8 (quantizeDynamic; its config's `quantized` says
   *  which kinds of layer): it then runs inference only. */
  get quantized(): boolean {
    return this.layers.some((layer) => layer.quantized);
  }

  get parameterCount(): number {
    return this.layers.reduce((n, l) => n + l.parameterCount, 0);
  }

  /** Copies of the parameters keyed by module prefix and PyTorch's names (int8 for a quantized model's
   *  weights, each with its row scales under `<name>_scale`). */
  stateDict(): Record<string, AnyTensor> {
    this.checkAlive("stateDict");
    const out: Record<string, AnyTensor> = {};
    for (const [prefix, layer] of this.modules) for (const [k, v] of Object.entries(layer.stateDict())) out[`${prefix}.${k}`] = v;
    return out;
  }

  /**
   * Loads all layers' parameters (validated for every layer — names, dtypes, shapes, finite values —
   * before any is written; an int8 tensor for a float32 parameter is a FormatError). `mapping` renames
   * name prefixes first, for state dicts whose modules are named differently, e.g.
   * `{ "lstm.": "rnn.", "decoder.": "fc." }` for a PyTorch model with attributes lstm and decoder.
   */
  loadStateDict(given: Record<string, AnyTensorLike>, options: { strict?: boolean; mapping?: Record<string, string> } = {}): void {
    this.checkAlive("loadStateDict");
    const strict = options.strict ?? true;
    if (given === null || typeof given !== "object") throw new FormatError(`${this.modelType}: expected an object of named tensors`);
    const record = options.mapping ? renamePrefixes(given, options.mapping) : given;
    if (strict) {
      const known = new Set(this.modules.flatMap(([prefix, layer]) => layer.params.specs.map((s) => `${prefix}.${s.name}`)));
      const unexpected = Object.keys(record).filter((k) => !known.has(k));
      if (unexpected.length) throw new FormatError(`${this.modelType}.loadStateDict: unexpected ${unexpected.join(", ")}`);
    }
    const writes = this.modules.map(([prefix, layer]) => [layer, layer.params.check(record, this.modelType, { strict, prefix: `${prefix}.` })] as const);
    for (const [layer, accepted] of writes) for (const [name, data] of accepted) layer.params.set(name, data);
  }

  zeroGrad(): void {
    this.checkAlive("zeroGrad");
    for (const layer of this.layers) layer.zeroGrad();
  }

  /** Releases the model's wasm memory; later calls are refused. Idempotent. */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }

  /** @internal A ResourceError for calls on a disposed model (its buffers are gone). */
  checkAlive(method: string): void {
    if (this.layers.some((l) => l.isDisposed)) throw new ResourceError(`${this.modelType}.${method}: the model was disposed`);
  }
}

/** The record with each name starting with a key of `mapping` renamed to start with its value
 *  (the longest matching prefix wins); other names are kept. */
export function renamePrefixes<T>(record: Record<string, T>, mapping: Record<string, string>): Record<string, T> {
  const prefixes = Object.keys(mapping).sort((a, b) => b.length - a.length);
  return Object.fromEntries(Object.entries(record).map(([name, value]) => {
    const from = prefixes.find((p) => name.startsWith(p));
    return [from === undefined ? name : mapping[from] + name.slice(from.length), value];
  }));
}
