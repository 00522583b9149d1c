// What every layer with parameters shares: its ParameterSet (PyTorch-named values and gradients in
// wasm memory), its reusable wasm buffers, state-dict access and the dispose lifecycle. Subclasses add
// forward and backward.

import { engine, type Engine } from "../engine/engine.js";
import { ResourceError, ShapeError, WasmRnnError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import type { TensorLike } from "../validate.js";
import { BufferPool } from "./buffer-pool.js";
import { ParameterSet, type LoadOptions, type ParameterSpec } from "./parameters.js";

export abstract class Layer {
  protected readonly engine: Engine;
  /** @internal the parameters and their gradients (optimizers update them in place). */
  readonly params: ParameterSet;
  protected readonly buffers: BufferPool;
  private disposed = false;

  /** `name` is used in error messages ("LSTM", "Dense"). */
  protected constructor(protected readonly name: string, specs: ParameterSpec[]) {
    this.engine = engine();
    this.params = new ParameterSet(specs);
    this.buffers = new BufferPool(this.engine);
  }

  /** Names and shapes of the parameters, in PyTorch's order. */
  parameterShapes(): Record<string, number[]> {
    return Object.fromEntries(this.params.specs.map((s) => [s.name, [...s.shape]]));
  }

  /** Number of trainable floats. */
  get parameterCount(): number {
    return this.params.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Copies of the parameters keyed by PyTorch's names. */
  stateDict(): Record<string, Tensor> {
    this.checkAlive("stateDict");
    return this.params.values();
  }

  /** Replaces the parameters; validates every tensor first, so a bad record changes nothing. */
  loadStateDict(record: Record<string, TensorLike>, options?: LoadOptions): void {
    this.checkAlive("loadStateDict");
    this.params.load(record, this.name, options);
  }

  /** Accumulated gradients keyed by PyTorch's names. */
  grads(): Record<string, Tensor> {
    this.checkAlive("grads");
    return this.params.grads();
  }

  zeroGrad(): void {
    this.checkAlive("zeroGrad");
    this.params.zeroGrad();
  }

  /** Releases the layer's wasm memory; the layer cannot be used afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.buffers.dispose();
    this.params.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  checkAlive(method: string): void {
    if (this.disposed) throw new ResourceError(`${this.name}.${method}: the layer was disposed`);
  }
}

/** Checks that `layers` is a non-empty array of live layers (for optimizers and clipping). */
export function checkLayers(layers: unknown, where: string): readonly Layer[] {
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((layer) => layer instanceof Layer)) {
    throw new ShapeError(`${where}: give the layers (a non-empty array of layers)`);
  }
  for (const layer of layers) layer.checkAlive(where);
  return layers;
}

/** Lets our own errors through; anything else (a RangeError from a typed array, a trap) becomes a ResourceError. */
export function wrapInternal(e: unknown, where: string): Error {
  if (e instanceof WasmRnnError) return e;
  return new ResourceError(`${where}: internal failure: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * Builds layers in order; if one constructor throws (bad options, memory limit), disposes the ones
 * already built so a failed model constructor leaks no wasm memory.
 */
export function buildLayers(...makers: ((built: readonly Layer[]) => Layer)[]): Layer[] {
  const built: Layer[] = [];
  try {
    for (const make of makers) built.push(make(built));
  } catch (e) {
    for (const layer of built) layer.dispose();
    throw e;
  }
  return built;
}
