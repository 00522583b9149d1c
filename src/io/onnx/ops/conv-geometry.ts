// Where a Conv or ConvTranspose node's outputs fall: its attributes (kernel_shape, strides,
// dilations, pads, auto_pad, group; ConvTranspose's output_padding and output_shape) read and checked
// once, and per input shape the output's spatial size and the padding before each axis, by the ONNX
// formulas (auto_pad SAME_UPPER puts the odd padding at the end, SAME_LOWER at the start).

import { FormatError, ShapeError } from "../../../errors.js";
import type { Attributes } from "../attributes.js";

export type AutoPad = "NOTSET" | "SAME_UPPER" | "SAME_LOWER" | "VALID";

/** A convolution's attributes, per spatial axis where they are lists (null: not given, defaults apply). */
export interface ConvAttributes {
  kernelShape: number[] | null;
  strides: number[] | null;
  dilations: number[] | null;
  pads: number[] | null;
  autoPad: AutoPad;
  group: number;
  /** ConvTranspose only. */
  outputPadding: number[] | null;
  outputShape: number[] | null;
}

/** One input shape's geometry: sizes per spatial axis. */
export interface ConvShape {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before and after each spatial axis. */
  before: number[];
  after: number[];
  /** The input's and the output's spatial sizes. */
  input: number[];
  output: number[];
}

export function readConvAttributes(attrs: Attributes, where: string, transpose: boolean): ConvAttributes {
  const autoPad = attrs.string("auto_pad", "NOTSET") as AutoPad;
  if (!["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].includes(autoPad)) throw new FormatError(`ONNX: ${where}: auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID; got "${autoPad}"`);
  const positive = (name: string) => {
    const v = attrs.ints(name);
    if (v && v.some((x) => !Number.isInteger(x) || x < 1)) throw new FormatError(`ONNX: ${where}: ${name} [${v.join(", ")}] must be positive integers`);
    return v;
  };
  const group = attrs.int("group", 1);
  if (!Number.isInteger(group) || group < 1) throw new FormatError(`ONNX: ${where}: group must be a positive integer; got ${group}`);
  const pads = attrs.ints("pads");
  if (pads && pads.some((p) => !Number.isInteger(p) || p < 0)) throw new FormatError(`ONNX: ${where}: pads [${pads.join(", ")}] must be non-negative integers`);
  const outputPadding = transpose ? attrs.ints("output_padding") : null;
  if (outputPadding && outputPadding.some((p) => !Number.isInteger(p) || p < 0)) throw new FormatError(`ONNX: ${where}: output_padding [${outputPadding.join(", ")}] must be non-negative integers`);
  const outputShape = transpose ? positive("output_shape") : null;
  return { kernelShape: positive("kernel_shape"), strides: positive("strides"), dilations: positive("dilations"), pads, autoPad, group, outputPadding, outputShape };
}

/** A per-axis list of n values, or a ShapeError naming the attribute. */
function perAxis(values: number[] | null, n: number, fallback: number, name: string, where: string): number[] {
  if (!values) return new Array<number>(n).fill(fallback);
  if (values.length !== n) throw new ShapeError(`${where}: ${name} has ${values.length} values for ${n} spatial axes`);
  return values;
}

/** Conv's geometry for an input of spatial sizes `input` and a weight of spatial sizes `kernel`. */
export function convShape(a: ConvAttributes, input: readonly number[], kernel: readonly number[], where: string): ConvShape {
  const n = input.length;
  if (a.kernelShape && a.kernelShape.some((k, i) => k !== kernel[i])) throw new ShapeError(`${where}: kernel_shape [${a.kernelShape.join(", ")}] does not match W's [${kernel.join(", ")}]`);
  const strides = perAxis(a.strides, n, 1, "strides", where), dilations = perAxis(a.dilations, n, 1, "dilations", where);
  const pads = perAxis(a.pads, 2 * n, 0, "pads", where);
  const before = pads.slice(0, n), after = pads.slice(n);
  const output = input.map((size, i) => {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    if (a.autoPad === "SAME_UPPER" || a.autoPad === "SAME_LOWER") {
      const out = Math.ceil(size / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + span - size);
      before[i] = a.autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2);
      after[i] = total - before[i];
      return out;
    }
    if (a.autoPad === "VALID") before[i] = after[i] = 0;
    const out = Math.floor((size + before[i] + after[i] - span) / strides[i]) + 1;
    if (out < 1) throw new ShapeError(`${where}: input size ${size} (padded by ${before[i]} and ${after[i]}) is smaller than the kernel's span ${span} on spatial axis ${i}`);
    return out;
  });
  return { kernel: [...kernel], strides, dilations, before, after, input: [...input], output };
}

/** ConvTranspose's geometry for an input of spatial sizes `input` and a weight of spatial sizes `kernel`. */
export function convTransposeShape(a: ConvAttributes, input: readonly number[], kernel: readonly number[], where: string): ConvShape {
  const n = input.length;
  if (a.kernelShape && a.kernelShape.some((k, i) => k !== kernel[i])) throw new ShapeError(`${where}: kernel_shape [${a.kernelShape.join(", ")}] does not match W's [${kernel.join(", ")}]`);
  const strides = perAxis(a.strides, n, 1, "strides", where), dilations = perAxis(a.dilations, n, 1, "dilations", where);
  const outputPadding = perAxis(a.outputPadding, n, 0, "output_padding", where);
  outputPadding.forEach((p, i) => {
    if (p >= strides[i] && p >= dilations[i]) throw new ShapeError(`${where}: output_padding ${p} must be smaller than the stride or the dilation on spatial axis ${i}`);
  });
  const pads = perAxis(a.pads, 2 * n, 0, "pads", where);
  const before = pads.slice(0, n), after = pads.slice(n);
  const wanted = a.outputShape ? a.outputShape.slice(-n) : a.autoPad === "SAME_UPPER" || a.autoPad === "SAME_LOWER" ? input.map((s, i) => s * strides[i]) : null;
  const output = input.map((size, i) => {
    const full = strides[i] * (size - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
    if (wanted) {
      // A negative total pads the output out past what the input reaches (those places get the bias alone).
      const total = full - wanted[i];
      const half = Math.floor(total / 2);
      [before[i], after[i]] = a.autoPad === "SAME_UPPER" ? [half, total - half] : [total - half, half];
      return wanted[i];
    }
    if (a.autoPad === "VALID") before[i] = after[i] = 0;
    const out = full - before[i] - after[i];
    if (out < 1) throw new ShapeError(`${where}: pads [${before.join(", ")}, ${after.join(", ")}] leave no output on spatial axis ${i}`);
    return out;
  });
  return { kernel: [...kernel], strides, dilations, before, after, input: [...input], output };
}
