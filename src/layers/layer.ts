// What every layer with parameters shares: its ParameterSet (PyTorch-named values and gradients in
// wasm memory), its reusable wasm buffers, state-dict access, the dispose lifecycle, and the hold an
// operation on other threads takes while their kernels use its buffers. Subclasses add forward and backward.

import { engine, type Engine } from "../engine/engine.js";
import { ResourceError, ShapeError, UnsupportedError, WasmRnnError } from "../errors.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import type { AnyTensorLike } from "../validate.js";
import { BufferPool } from "./buffer-pool.js";
import { ParameterSet, type LoadOptions, type ParameterSpec } from "./parameters.js";

export abstract class Layer {
  /** @internal The engine whose memory holds the layer. */
  protected readonly engine: Engine;
  /** @internal the parameters and their gradients (optimizers update them in place). */
  readonly params: ParameterSet;
  /** @internal The layer's reusable wasm buffers. */
  protected readonly buffers: BufferPool;
  private disposed = false;
  /** The operation the layer is lent to (its kernels running on other threads), if any, and how many
   *  of its calls hold it (queued ones included). */
  private heldBy: string | null = null;
  private holds = 0;
  private disposeOnRelease = false;

  /** @internal `name` is used in error messages ("LSTM", "Dense"). */
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

  /** Whether the layer's weights are int8 (quantizeDynamic): it then runs forward only. */
  get quantized(): boolean {
    return this.params.quantized;
  }

  /** @internal An UnsupportedError, for `where`, when the layer is quantized (backward, training). */
  refuseQuantized(where: string): void {
    if (this.quantized) throw new UnsupportedError(`${where}: the ${this.name} layer is quantized (int8 weights, quantizeDynamic) and runs forward only`);
  }

  /** Copies of the parameters keyed by PyTorch's names (a quantized layer's weights are int8, each
   *  with its row scales under `<name>_scale`). */
  stateDict(): Record<string, AnyTensor> {
    this.checkAlive("stateDict");
    return this.params.values();
  }

  /** Replaces the parameters; validates every tensor first (name, dtype, shape, finite values), so a
   *  bad record changes nothing. An int8 tensor for a float32 parameter is a FormatError. */
  loadStateDict(record: Record<string, AnyTensorLike>, options?: LoadOptions): void {
    this.checkIdle("loadStateDict");
    this.params.load(record, this.name, options);
  }

  /** Accumulated gradients keyed by PyTorch's names. */
  grads(): Record<string, Tensor> {
    this.checkAlive("grads");
    this.refuseQuantized(`${this.name}.grads`);
    return this.params.grads();
  }

  zeroGrad(): void {
    this.checkAlive("zeroGrad");
    this.params.zeroGrad();
  }

  /** Releases the layer's wasm memory; the layer cannot be used afterwards. Idempotent. While an
   *  operation holds the layer (a WorkerPool.forward in flight), the memory is released when it ends. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.heldBy) this.disposeOnRelease = true;
    else this.freeMemory();
  }

  private freeMemory(): void {
    this.buffers.dispose();
    this.params.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal A ResourceError for calls on a disposed layer. */
  checkAlive(method: string): void {
    if (this.disposed) throw new ResourceError(`${this.name}.${method}: the layer was disposed`);
  }

  /** @internal checkAlive, and refuses calls that write the layer's buffers or parameters while an
   *  operation holds it (they would change what its threads are reading and writing). */
  checkIdle(method: string): void {
    this.checkAlive(method);
    if (this.heldBy) throw new ResourceError(`${this.name}.${method}: the layer is in use by ${this.heldBy}; await it first`);
  }

  /**
   * @internal Lends the layer to `by` (an operation whose kernels run on other threads, on the
   * layer's buffers; its calls may hold it several times) until every returned release was called:
   * meanwhile checkIdle refuses writers and dispose waits for the last release.
   */
  hold(by: string): () => void {
    this.checkAlive(by);
    if (this.heldBy !== null && this.heldBy !== by) throw new ResourceError(`${by}: the ${this.name} layer is in use by ${this.heldBy}; await it first`);
    this.heldBy = by;
    this.holds++;
    return () => {
      if (--this.holds > 0) return;
      this.heldBy = null;
      if (this.disposeOnRelease) this.freeMemory();
    };
  }
}

/** @internal Checks that `layers` is a non-empty array of live layers (for optimizers and clipping). */
export function checkLayers(layers: unknown, where: string): readonly Layer[] {
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((layer) => layer instanceof Layer)) {
    throw new ShapeError(`${where}: give the layers (a non-empty array of layers)`);
  }
  for (const layer of layers) layer.checkAlive(where);
  return layers;
}

/** @internal Lets our own errors through; anything else (a RangeError from a typed array, a trap) becomes a ResourceError. */
export function wrapInternal(e: unknown, where: string): Error {
  if (e instanceof WasmRnnError) return e;
  return new ResourceError(`${where}: internal failure: ${e instanceof Error ? e.message : String(e)}`);
}

/**
 * @internal Builds layers in order; if one constructor throws (bad options, memory limit), disposes
 * the ones already built so a failed model constructor leaks no wasm memory.
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
