// Optimizers over layers' flat parameter arrays: SGD (momentum, dampening, Nesterov, L2 decay),
// Adam (L2 decay) and AdamW (decoupled decay), following torch.optim's formulas. Each update is one
// wasm call per layer; the optimizer's own state (moments, step count) is saved with a checkpoint.

import { engine, type Engine } from "../engine/engine.js";
import { FormatError, ShapeError } from "../errors.js";
import { checkLayers, type Layer } from "../layers/layer.js";
import { Tensor } from "../tensor.js";
import { describe, optionalBool, optionsObject } from "../validate.js";

function nonNegative(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new ShapeError(`${what} must be a finite number ≥ 0; got ${describe(value)}`);
  return value;
}

export abstract class Optimizer {
  /** @internal The engine whose kernels run the updates. */
  protected readonly engine: Engine;
  /** Learning rate used by the next step (schedules set it). */
  lr: number;
  /** Steps taken so far. */
  steps = 0;
  /** Per layer, per state slot: a buffer the size of the layer's parameter array. */
  private readonly slots: number[][];

  /** @internal `slotCount` state buffers per layer (momentum, moments); `name` for messages. */
  protected constructor(protected readonly layers: readonly Layer[], lr: number, slotCount: number, private readonly name: string) {
    checkLayers(layers, name);
    for (const layer of layers) layer.refuseQuantized(name);
    if (typeof lr !== "number" || !Number.isFinite(lr) || lr <= 0) throw new ShapeError(`${name}: lr must be a finite number > 0; got ${describe(lr)}`);
    this.engine = engine();
    this.lr = lr;
    this.slots = layers.map((layer) =>
      Array.from({ length: slotCount }, () => {
        const ptr = this.engine.allocFloats(layer.params.totalFloats);
        this.engine.fill(ptr, layer.params.totalFloats);
        return ptr;
      }),
    );
  }

  /** Applies one update to every layer from its accumulated gradients. */
  step(): void {
    for (const layer of this.layers) layer.checkIdle(`step (${this.name})`);
    this.steps++;
    this.layers.forEach((layer, i) => {
      this.update(layer, this.slots[i]);
      layer.params.version++;
    });
  }

  /** @internal Updates one layer's parameters; `slots` are its state buffers (wasm addresses). */
  protected abstract update(layer: Layer, slots: number[]): void;

  zeroGrad(): void {
    for (const layer of this.layers) layer.zeroGrad();
  }

  /** The optimizer's state: moments per layer and slot, and the step count. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = { steps: new Tensor(Float32Array.of(this.steps), [1]) };
    this.layers.forEach((layer, i) =>
      this.slots[i].forEach((ptr, s) => {
        out[`layer${i}.slot${s}`] = new Tensor(this.engine.read(ptr, layer.params.totalFloats), [layer.params.totalFloats]);
      }),
    );
    return out;
  }

  loadStateDict(record: Record<string, { shape: readonly number[]; data: ArrayLike<number> }>): void {
    if (record === null || typeof record !== "object") throw new FormatError("optimizer state: expected an object of named tensors");
    const steps = record.steps?.data?.[0];
    if (!Number.isInteger(steps) || steps! < 0) throw new FormatError("optimizer state: missing or invalid step count");
    this.layers.forEach((layer, i) =>
      this.slots[i].forEach((_, s) => {
        const t = record[`layer${i}.slot${s}`];
        if (!t || t.data.length !== layer.params.totalFloats) throw new FormatError(`optimizer state: layer${i}.slot${s} is missing or has the wrong size`);
      }),
    );
    this.steps = steps!;
    this.layers.forEach((_, i) => this.slots[i].forEach((ptr, s) => this.engine.write(ptr, record[`layer${i}.slot${s}`].data)));
  }

  dispose(): void {
    for (const slots of this.slots) for (const ptr of slots) this.engine.release(ptr);
    this.slots.length = 0;
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(layers: readonly Layer[], options: SGDOptions) {
    super(layers, optionsObject(options, "SGD: options", false).lr, 1, "SGD");
    this.momentum = nonNegative(options.momentum, 0, "SGD: momentum");
    this.dampening = nonNegative(options.dampening, 0, "SGD: dampening");
    this.weightDecay = nonNegative(options.weightDecay, 0, "SGD: weightDecay");
    this.nesterov = optionalBool(options.nesterov, false, "SGD: nesterov");
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new ShapeError("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
  }

  /** @internal SGD with momentum on one layer. */
  protected update(layer: Layer, [velocity]: number[]): void {
    const p = layer.params;
    this.engine.core.sgdStep(p.totalFloats, p.valuesPtr, p.gradsPtr, velocity, this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov ? 1 : 0, this.steps === 1 ? 1 : 0);
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** @internal AdamW: weight decay decoupled from the gradient. */
  protected decoupled = false;

  constructor(layers: readonly Layer[], options: AdamOptions = {}, defaultDecay = 0) {
    super(layers, optionsObject(options, `${new.target.name}: options`).lr ?? 1e-3, 2, new.target.name);
    const betas = options.betas ?? [0.9, 0.999];
    const [b1, b2] = Array.isArray(betas) && betas.length === 2 ? betas : [NaN, NaN];
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new ShapeError(`${new.target.name}: betas must be in [0, 1); got ${describe(options.betas)}`);
    this.beta1 = b1;
    this.beta2 = b2;
    this.eps = nonNegative(options.eps, 1e-8, `${new.target.name}: eps`);
    this.weightDecay = nonNegative(options.weightDecay, defaultDecay, `${new.target.name}: weightDecay`);
  }

  /** @internal Adam (or AdamW) on one layer. */
  protected update(layer: Layer, [m, v]: number[]): void {
    const p = layer.params;
    const bc1 = 1 - this.beta1 ** this.steps, bc2 = 1 - this.beta2 ** this.steps;
    this.engine.core.adamStep(p.totalFloats, p.valuesPtr, p.gradsPtr, m, v, this.lr, this.beta1, this.beta2, this.eps, this.weightDecay, this.decoupled ? 1 : 0, bc1, bc2);
  }
}

/** Adam with decoupled weight decay (p ← p·(1 − lr·wd) before the Adam step); default decay 0.01. */
export class AdamW extends Adam {
  constructor(layers: readonly Layer[], options: AdamOptions = {}) {
    super(layers, options, 0.01);
    this.decoupled = true;
  }
}
