// Loss functions on Tensors, each returning the loss and its gradient in one pass (the fused wasm
// kernels of assembly/loss.ts): softmax cross-entropy over class logits and binary cross-entropy with
// logits. Models call the kernels on wasm-resident buffers directly; these are the public forms.

import { engine } from "../engine/engine.js";
import { ShapeError } from "../errors.js";
import { Tensor, formatShape } from "../tensor.js";
import { checkFinite, checkTensor, describe, type TensorLike } from "../validate.js";

export type Reduction = "sum" | "mean";

export interface CrossEntropyOptions {
  /** 'mean' (default) divides by the number of counted targets, like PyTorch; 'sum' adds them. */
  reduction?: Reduction;
  /** Targets equal to this count for nothing (padding). */
  ignoreIndex?: number;
}

export interface LossResult {
  loss: number;
  gradLogits: Tensor;
}

function checkReduction(value: unknown, where: string): Reduction {
  if (value === undefined) return "mean";
  if (value !== "sum" && value !== "mean") throw new ShapeError(`${where}: reduction must be "sum" or "mean"; got ${describe(value)}`);
  return value;
}

/**
 * Softmax cross-entropy of logits [N, V] against integer class targets [N]. With 'mean', the loss
 * is divided by the number of targets that are not ignoreIndex (0 when every target is ignored).
 */
export function crossEntropy(logits: TensorLike, targets: ArrayLike<number>, options: CrossEntropyOptions = {}): LossResult {
  const where = "crossEntropy";
  checkTensor(logits, `${where}: logits`);
  if (logits.shape.length !== 2) throw new ShapeError(`${where}: logits must be [N, V]; got ${formatShape(logits.shape)}`);
  const [N, V] = logits.shape;
  checkFinite(logits.data, `${where}: logits`);
  const reduction = checkReduction(options.reduction, where);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new ShapeError(`${where}: ignoreIndex must be an integer; got ${describe(ignoreIndex)}`);
  if (!targets || typeof targets.length !== "number" || targets.length !== N) {
    throw new ShapeError(`${where}: targets must hold one class per row (${N}); got ${describe(targets)}`);
  }
  const ids = new Int32Array(N);
  let counted = 0;
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (t === ignoreIndex) {
      ids[n] = t;
      continue;
    }
    if (!Number.isInteger(t) || t < 0 || t >= V) throw new ShapeError(`${where}: targets[${n}] must be a class from 0 to ${V - 1} or ignoreIndex; got ${describe(t)}`);
    ids[n] = t;
    counted++;
  }
  const scale = reduction === "mean" ? (counted ? 1 / counted : 0) : 1;
  const eng = engine();
  const logitsPtr = eng.allocFloats(N * V);
  const targetsPtr = eng.arena.alloc(N * 4);
  try {
    eng.write(logitsPtr, logits.data);
    eng.writeInt32(targetsPtr, ids);
    const total = eng.core.softmaxCrossEntropy(N, V, logitsPtr, targetsPtr, ignoreIndex, scale, logitsPtr, 0);
    return { loss: total * scale, gradLogits: new Tensor(eng.read(logitsPtr, N * V), [N, V]) };
  } finally {
    eng.release(logitsPtr);
    eng.release(targetsPtr);
  }
}

/** Binary cross-entropy with logits: targets in [0, 1], same shape as logits. */
export function binaryCrossEntropy(logits: TensorLike, targets: TensorLike, options: { reduction?: Reduction } = {}): LossResult {
  const where = "binaryCrossEntropy";
  checkTensor(logits, `${where}: logits`);
  checkTensor(targets, `${where}: targets`);
  if (formatShape(logits.shape) !== formatShape(targets.shape)) {
    throw new ShapeError(`${where}: targets must have the shape of logits ${formatShape(logits.shape)}; got ${formatShape(targets.shape)}`);
  }
  checkFinite(logits.data, `${where}: logits`);
  for (let i = 0; i < targets.data.length; i++) {
    const y = targets.data[i];
    if (!(y >= 0 && y <= 1)) throw new ShapeError(`${where}: targets must be in [0, 1]; targets[${i}] is ${y}`);
  }
  const n = logits.data.length;
  const scale = checkReduction(options.reduction, where) === "mean" ? 1 / Math.max(1, n) : 1;
  const eng = engine();
  const x = eng.allocFloats(n), y = eng.allocFloats(n);
  try {
    eng.write(x, logits.data);
    eng.write(y, targets.data);
    const total = eng.core.binaryCrossEntropy(n, x, y, scale, x);
    return { loss: total * scale, gradLogits: new Tensor(eng.read(x, n), [...logits.shape]) };
  } finally {
    eng.release(x);
    eng.release(y);
  }
}
