// The imported models a WorkerPool runs — an ONNX InferenceSession (`run`) and a Keras LayersModel
// (`predict`), float or quantized: what a worker makes its own copy from (what the model was made
// from; an imported model's weights never change, so a worker makes its copy once per model and
// nothing is synchronised afterwards), the check that one is still usable, and the classes its
// results lose on the way back from a worker. Knows nothing of queues or workers.

import { ResourceError } from "../errors.js";
import { LayersModel } from "../io/keras/model.js";
import { InferenceSession } from "../io/onnx/session.js";
import { OnnxTensor } from "../io/onnx/tensor.js";
import { Tensor } from "../tensor.js";
import type { HostedSpec } from "./protocol.js";

export type Imported = InferenceSession | LayersModel;

/** @internal The specs of imported models. */
export type ImportedSpec = Extract<HostedSpec, { kind: "onnx" | "keras" }>;

export function isImported(target: unknown): target is Imported {
  return target instanceof InferenceSession || target instanceof LayersModel;
}

/** Whether the session was released or the model disposed. */
export function isReleased(target: Imported): boolean {
  return target instanceof InferenceSession ? target.isReleased : target.isDisposed;
}

/** A ResourceError naming `owner` when the session was released or the model disposed. */
export function checkUsable(target: Imported, owner: string): void {
  if (!isReleased(target)) return;
  throw new ResourceError(target instanceof InferenceSession ? `${owner}: the InferenceSession was released` : `${owner}: the LayersModel was disposed`);
}

/** @internal What a worker makes its copy of `target` from. */
export function importedSpec(target: Imported): ImportedSpec {
  return target instanceof InferenceSession ? { kind: "onnx", source: target.source } : { kind: "keras", source: target.source };
}

/** @internal A worker's own copy of the model `spec` describes. */
export function rebuildImported(spec: ImportedSpec): Imported {
  return spec.kind === "onnx" ? InferenceSession.fromSource(spec.source) : LayersModel.fromSource(spec.source);
}

/** Frees the wasm memory of a worker's copy. */
export function disposeImported(target: Imported): void {
  if (target instanceof InferenceSession) void target.release();
  else target.dispose();
}

/** A result from a worker with the classes structured cloning dropped: `run`'s outputs OnnxTensors
 *  again, `predict`'s Tensors. */
export function importedResult(target: Imported, value: unknown): unknown {
  if (target instanceof InferenceSession) {
    const outputs = value as Record<string, OnnxTensor>;
    return Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, new OnnxTensor(t.type, t.data, t.dims)]));
  }
  const asTensor = (t: Tensor) => new Tensor(t.data, t.shape);
  return Array.isArray(value) ? value.map(asTensor) : asTensor(value as Tensor);
}
