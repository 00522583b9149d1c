// Typed reading of the JSON in a tfjs-layers model.json (layer configs, manifests, node lists): each
// accessor checks the value's type and throws a FormatError naming where the value is, what was
// expected and what was found. Knows nothing about layers or weights.

import { FormatError, UnsupportedError } from "../../errors.js";
import { describe } from "../../validate.js";

export type JsonObject = { readonly [key: string]: unknown };

/** @internal Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** @internal Parses JSON text; a SyntaxError becomes a FormatError naming `what`. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** @internal A dimension list: integers ≥ 0, or null for "any size" when `nullable`. */
export function readDims(value: unknown, where: string, nullable: boolean): (number | null)[] {
  const ok = Array.isArray(value) && value.every((d) => (nullable && d === null) || (Number.isSafeInteger(d) && (d as number) >= 0));
  if (!ok) throw new FormatError(`${where} must be a list of ${nullable ? "sizes (integers ≥ 0 or null)" : "integers ≥ 0"}; got ${JSON.stringify(value) ?? describe(value)}`);
  return value as (number | null)[];
}

/** @internal The fields of one JSON object, read with their expected types. `where` prefixes every message. */
export class JsonReader {
  constructor(readonly where: string, readonly object: JsonObject) {}

  static of(value: unknown, where: string): JsonReader {
    if (!isObject(value)) throw new FormatError(`${where} must be a JSON object; got ${describe(value)}`);
    return new JsonReader(where, value);
  }

  /** The raw value (undefined when absent). */
  get(key: string): unknown {
    return Object.hasOwn(this.object, key) ? this.object[key] : undefined;
  }

  /** A FormatError about `key`. */
  invalid(key: string, expected: string): FormatError {
    const value = this.get(key);
    return new FormatError(`${this.where}: ${key} must be ${expected}; got ${JSON.stringify(value) ?? describe(value)}`);
  }

  /** An UnsupportedError about this object. */
  unsupported(message: string): UnsupportedError {
    return new UnsupportedError(`${this.where}: ${message}`);
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.get(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") throw this.invalid(key, "true or false");
    return value;
  }

  number(key: string, fallback?: number): number {
    const value = this.get(key);
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value)) throw this.invalid(key, "a finite number");
    return value;
  }

  /** An integer in [min, 2³⁰]. */
  int(key: string, min: number, fallback?: number): number {
    const value = this.get(key);
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 2 ** 30) throw this.invalid(key, `an integer ≥ ${min}`);
    return value;
  }

  string(key: string, fallback?: string): string {
    const value = this.get(key);
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== "string") throw this.invalid(key, "a string");
    return value;
  }

  /** A string, or null when the key is absent or null. */
  optionalString(key: string): string | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw this.invalid(key, "a string or null");
    return value;
  }

  array(key: string): unknown[] {
    const value = this.get(key);
    if (!Array.isArray(value)) throw this.invalid(key, "a list");
    return value;
  }

  /** A nested object, read with a reader whose messages say where it is. */
  reader(key: string, label = key): JsonReader {
    const value = this.get(key);
    if (!isObject(value)) throw this.invalid(key, "a JSON object");
    return new JsonReader(`${this.where}: ${label}`, value);
  }
}
