// The training data of brain.js's time-step nets (RNNTimeStep.prototype.setSize and formatData,
// 1.6.1), as sequences of float64 step vectors (the JavaScript numbers brain.js computes on): the net learns each step from the steps before it.
// Shapes, told apart by the first item as brain.js does:
//   [1, 2, 3]                      one sequence of numbers (inputSize 1)
//   [[1, 2, 3], [4, 5, 6]]         sequences of numbers (inputSize 1), or with inputSize n one
//                                  sequence whose steps are the n-wide arrays
//   [[[1, 3], [2, 2]], …]          sequences of vectors (inputSize taken from them when it is 1)
//   [{ input, output }, …]         input then output as one sequence, of numbers or of vectors
// brain.js's objects-as-vectors shapes (its lookup tables) are an UnsupportedError.

import { NumericError, ShapeError, UnsupportedError } from "../../index.js";
import { kindOf } from "./described.js";

export interface TimeStepSizes {
  inputSize: number;
  outputSize: number;
}

type Shape = "numbers" | "number sequences" | "vector sequences" | "number pairs" | "vector pairs";

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function isDatum(v: unknown): v is { input: unknown; output: unknown } {
  return v !== null && typeof v === "object" && !isList(v) && "input" in v;
}

/** brain.js's dataShape, from the first item. */
function shapeOf(data: ArrayLike<unknown>, where: string): Shape {
  const first = data[0];
  if (typeof first === "number") return "numbers";
  const inner = isList(first) ? first[0] : isDatum(first) && isList(first.input) ? first.input[0] : undefined;
  if (isList(first) && typeof inner === "number") return "number sequences";
  if (isList(first) && isList(inner)) return "vector sequences";
  if (isDatum(first) && typeof inner === "number") return "number pairs";
  if (isDatum(first) && isList(inner)) return "vector pairs";
  if (inner !== null && typeof inner === "object" || (first !== null && typeof first === "object" && !isList(first) && !isDatum(first))) {
    throw new UnsupportedError(`${where}: data of objects (brain.js's lookup tables for time-step nets) is not supported; give numbers or arrays of numbers`);
  }
  throw new ShapeError(`${where}: data must be an array of numbers, of arrays of numbers, of arrays of vectors, or of { input, output }; its first item is ${kindOf(first)}`);
}

/** One step as a vector of `width` values (float64: brain.js computes on the JavaScript numbers given). */
function stepVector(value: unknown, width: number, where: string): Float64Array {
  if (typeof value === "number" && !Number.isFinite(value)) throw new NumericError(`${where} is ${value}; the data must be finite`);
  const values = typeof value === "number" ? [value] : value;
  if (!isList(values)) throw new ShapeError(`${where} must be ${width === 1 ? "a number" : `an array of ${width} numbers`}; got ${kindOf(value)}`);
  if (values.length !== width) throw new ShapeError(`${where} must have ${width} values (the net's inputSize); got ${values.length}`);
  const out = new Float64Array(width);
  for (let i = 0; i < width; i++) {
    const v = values[i];
    if (typeof v !== "number") throw new ShapeError(`${where}[${i}] must be a number; got ${kindOf(v)}`);
    if (!Number.isFinite(v)) throw new NumericError(`${where}[${i}] is ${v}; the data must be finite`);
    out[i] = v;
  }
  return out;
}

/** A non-empty list of steps, each a vector of `width` numbers (a number when width is 1). */
export function steps(list: unknown, width: number, where: string): Float64Array[] {
  if (!isList(list) || list.length === 0) throw new ShapeError(`${where} must be a non-empty array; got ${kindOf(list)}`);
  return Array.from({ length: list.length }, (_, t) => stepVector(list[t], width, `${where}[${t}]`));
}

/**
 * The sequences of `data` for a net of `sizes`, and the sizes brain.js's setSize takes from vector
 * data when the net's inputSize is 1 (`fixed`: the net already has weights, so its sizes may not change).
 */
export function timeStepSequences(data: unknown, sizes: TimeStepSizes, fixed: boolean, where: string): { sequences: Float64Array[][]; sizes: TimeStepSizes } {
  if (!isList(data) || data.length === 0) throw new ShapeError(`${where}: data must be a non-empty array; got ${kindOf(data)}`);
  const shape = shapeOf(data, where);
  let { inputSize, outputSize } = sizes;
  if (inputSize === 1) {
    const first = data[0] as { input?: ArrayLike<unknown> } & ArrayLike<unknown>;
    const vector = shape === "vector sequences" ? first[0] : shape === "vector pairs" ? first.input![0] : null;
    if (vector !== null) inputSize = outputSize = (vector as ArrayLike<unknown>).length;
    if (fixed && inputSize !== sizes.inputSize) throw new ShapeError(`${where}: the data's steps have ${inputSize} values but the net's inputSize is ${sizes.inputSize}`);
  }
  const scalars = inputSize === 1 && outputSize === 1;
  const needScalars = () => {
    if (!scalars) throw new ShapeError(`${where}: data of numbers needs inputSize and outputSize 1; the net has ${inputSize} and ${outputSize}`);
  };
  let sequences: Float64Array[][];
  switch (shape) {
    case "numbers":
      needScalars();
      sequences = [steps(data, 1, `${where}: data`)];
      break;
    case "number sequences":
      // with inputSize n, brain.js reads [[…n], […n], …] as one sequence of n-wide steps
      sequences = scalars ? Array.from({ length: data.length }, (_, i) => steps(data[i], 1, `${where}: data[${i}]`)) : [steps(data, inputSize, `${where}: data`)];
      break;
    case "vector sequences":
      sequences = Array.from({ length: data.length }, (_, i) => steps(data[i], inputSize, `${where}: data[${i}]`));
      break;
    case "number pairs":
    case "vector pairs":
      if (shape === "number pairs") needScalars();
      sequences = Array.from({ length: data.length }, (_, i) => {
        const datum = data[i];
        if (!isDatum(datum)) throw new ShapeError(`${where}: data[${i}] must be { input, output } like data[0]; got ${kindOf(datum)}`);
        return [...steps(datum.input, inputSize, `${where}: data[${i}].input`), ...steps(datum.output, inputSize, `${where}: data[${i}].output`)];
      });
      break;
  }
  if (outputSize > inputSize) throw new ShapeError(`${where}: a time-step net learns each next step, so its outputSize (${outputSize}) cannot exceed its inputSize (${inputSize})`);
  return { sequences, sizes: { inputSize, outputSize } };
}
