// The worker side of the pool: hosts rebuilt models and layers whose weights are the main thread's
// (adopted from the shared memory) or copies of them, and its own copies of imported ONNX and Keras
// models; runs the calls the pool sends, and reports the gradients of training shards. Runs inside a
// worker (worker.ts) — or in the main thread for a pool of size 1.

import { attachEngine, engine, type Attachment } from "../engine/engine.js";
import { ShapeError } from "../errors.js";
import type { Layer } from "../layers/layer.js";
import { Recurrent } from "../layers/recurrent.js";
import { recurrentLayer } from "../layers/recurrent-classes.js";
import { createModel } from "../models/registry.js";
import type { GradientsMessage, Hosted, HostedMethod, HostedSpec, WeightsMessage, WorkerApi } from "./protocol.js";
import { FLAG_INT8, type SequencePlan } from "../engine/abi.js";
import { TEAM_KERNELS, teamKernel, type TeamKernel } from "../engine/threads/team-control.js";
import { disposeImported, isImported, rebuildImported } from "./imported.js";


/**
 * Runs one of the pool's methods on a model or layer. Training methods start from zero gradients, so
 * the gradients afterwards are exactly this shard's.
 */
export function invoke(target: Hosted, method: HostedMethod, args: unknown[]): unknown {
  if (isImported(target)) return methodOf(target, method)(...args); // run or predict: nothing to train
  switch (method) {
    case "batchLoss":
    case "windowLoss":
      target.zeroGrad();
      return methodOf(target, method)(...args);
    case "decode":
    case "forward":
    case "predict":
    case "run":
    case "sample":
    case "logProb":
      return methodOf(target, method)(...args);
    default:
      throw new ShapeError(`unknown pool method ${String(method)}`);
  }
}

/** `target`'s method `name`, bound, or a ShapeError when it has none (a layer has no sample()). */
function methodOf(target: Hosted, name: HostedMethod): (...args: unknown[]) => unknown {
  const method: unknown = Reflect.get(target, name);
  if (typeof method !== "function") throw new ShapeError(`a ${target.constructor.name} has no ${name}()`);
  return (...args) => Reflect.apply(method, target, args);
}

/** The layers whose parameters a hosted object has, in the order weights messages use (none for an
 *  imported model: its weights travel with its spec). */
export function layersOf(hosted: Hosted): Layer[] {
  return hosted instanceof Recurrent ? [hosted] : isImported(hosted) ? [] : hosted.layers;
}

/** A worker's own model or layer of `spec` (its weights to come, unless it is imported). */
function build(spec: HostedSpec): Hosted {
  switch (spec.kind) {
    case "model":
      return createModel(spec.modelType, spec.config);
    case "layer":
      return recurrentLayer(spec.cell, spec.options as never, "WorkerPool");
    default:
      return rebuildImported(spec);
  }
}

export class Host implements WorkerApi {
  private readonly hosted = new Map<number, { object: Hosted; versions: number[] }>();

  async init(setup: Attachment): Promise<void> {
    await attachEngine(setup);
  }

  host(id: number, spec: HostedSpec, weights: WeightsMessage | null): void {
    this.hosted.set(id, { object: build(spec), versions: [] });
    if (weights) this.synchronise(id, weights);
  }

  drop(id: number): void {
    const object = this.hosted.get(id)?.object;
    if (object && isImported(object)) disposeImported(object);
    else object?.dispose();
    this.hosted.delete(id);
  }

  hostedIds(): number[] {
    return [...this.hosted.keys()];
  }

  /** Brings the hosted weights up to the owner's versions: adopt pointers, or load copies. */
  private synchronise(id: number, weights: WeightsMessage): void {
    const entry = this.get(id);
    const object = entry.object;
    if (isImported(object) || weights.versions.every((v, i) => v === entry.versions[i])) return;
    const layers = layersOf(object);
    if (weights.shared) layers.forEach((layer, i) => layer.params.adopt(weights.values[i], weights.versions[i]));
    else object.loadStateDict(weights.tensors);
    entry.versions = [...weights.versions];
  }

  private get(id: number) {
    const entry = this.hosted.get(id);
    if (!entry) throw new ShapeError(`worker: nothing hosted under id ${id}`);
    return entry;
  }

  call(id: number, method: HostedMethod, args: unknown[], weights: WeightsMessage | null): unknown {
    if (weights) this.synchronise(id, weights);
    return invoke(this.get(id).object, method, args);
  }

  runKernel(kernel: TeamKernel, plan: SequencePlan): void {
    if (!TEAM_KERNELS.includes(kernel)) throw new ShapeError(`worker: ${kernel} cannot run split`);
    const eng = engine();
    if (plan.flags & FLAG_INT8) eng.readyIntegerDot();
    teamKernel(eng.core, kernel)(eng.writePlan(plan));
  }

  gradients(id: number): GradientsMessage {
    const layers = layersOf(this.get(id).object);
    if (engine().shared) return { shared: true, pointers: layers.map((l) => l.params.gradsPtr), floats: layers.map((l) => l.params.totalFloats) };
    return { shared: false, arrays: layers.map((l) => engine().read(l.params.gradsPtr, l.params.totalFloats)) };
  }
}
