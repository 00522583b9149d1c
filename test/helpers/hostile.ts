// Hostile arguments for property-based tests of the public entry points (fast-check arbitraries):
// wrong types, NaN/±Inf, negative, huge and fractional sizes, malformed tensors and empty sequences,
// and the outcome check every such call must satisfy: it returns, or throws a WasmRnnError subclass.

import fc from "fast-check";
import { WasmRnnError } from "../../src/errors.js";
import { WasmRnnError as BuiltWasmRnnError } from "../../dist/errors.js";

/** Numbers no size, count or rate accepts everywhere. */
export const junkNumber = fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 1.5, 2 ** 31, 1e15, Number.MAX_SAFE_INTEGER, -(2 ** 40));

/** Anything a caller might pass by mistake: numbers above, other types, arrays and typed arrays. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  junkNumber,
  fc.integer({ min: -2, max: 9 }),
  fc.constantFrom(undefined, null, true, false, "", "3", "lstm", Symbol.for("x"), 10n),
  fc.constantFrom(() => [], () => ({}), () => [1, 2], () => new Float64Array(3), () => new Int32Array(2), () => new Float32Array(0), () => [[1], [2, 3]]).map((make) => make()),
);

/** A tensor-like value whose shape and data may disagree, with odd dims, dtypes and values. */
export const junkTensor: fc.Arbitrary<unknown> = fc.oneof(
  junkValue,
  fc.record({
    shape: fc.array(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: junkNumber }), { maxLength: 4 }),
    fill: fc.constantFrom(0.25, -1, NaN, Infinity, -Infinity, 3e38),
    extra: fc.integer({ min: -1, max: 1 }),
    dtype: fc.constantFrom("float32", "float32", "float32", "float64", "int32", "array"),
  }).map(({ shape, fill, extra, dtype }) => {
    const size = shape.reduce((n, d) => (Number.isInteger(d) && d >= 0 ? n * d : n), 1);
    const length = Math.max(0, Math.min(64, size + extra));
    const values = Array.from({ length }, (_, i) => (i === length >> 1 ? fill : Math.sin(i)));
    const data = dtype === "float32" ? Float32Array.from(values) : dtype === "float64" ? Float64Array.from(values) : dtype === "int32" ? Int32Array.from(values) : values;
    return { shape, data };
  }),
);

/** A record with some of `keys` set to junk (or to one of their valid values). */
export function junkOptions(keys: Record<string, readonly unknown[]>): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(Object.entries(keys).map(([key, valid]) => [key, valid.length ? fc.oneof(junkValue, fc.constantFrom(...valid)) : junkValue]));
  return fc.oneof({ weight: 1, arbitrary: junkValue }, { weight: 5, arbitrary: fc.record(fields, { requiredKeys: [] }) });
}

/** Whether a thrown value is one the library (sources or built package) threw on purpose; an internal
 *  failure wrapped as an error of ours does not count. */
export function isDeliberateRefusal(e: unknown): boolean {
  return (e instanceof WasmRnnError || e instanceof BuiltWasmRnnError) && !/wasm core aborted|internal failure/.test(e.message);
}

/** Runs `call`: it may succeed or throw a WasmRnnError; anything else fails the property. */
export function refusesOrRuns(call: () => unknown): "ran" | "refused" {
  try {
    call();
    return "ran";
  } catch (e) {
    if (isDeliberateRefusal(e)) return "refused";
    throw e;
  }
}

/** The same for async calls. */
export async function refusesOrRunsAsync(call: () => Promise<unknown>): Promise<"ran" | "refused"> {
  try {
    await call();
    return "ran";
  } catch (e) {
    if (isDeliberateRefusal(e)) return "refused";
    throw e;
  }
}

/** Fast-check's settings for these tests: a fixed seed (reproducible) and a bounded number of runs. */
export const PROPERTY_RUNS = { numRuns: 300, seed: 20261123, endOnFailure: true } as const;
