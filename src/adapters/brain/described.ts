// What the adapter's error messages and JSON checks share: a value described briefly ("an array of
// 3", "undefined", "\"abc\""), and a JSON field read as a plain object or refused with a FormatError
// naming the field.

import { FormatError } from "../../index.js";

/** A plain object (a record of JSON), or a FormatError naming `field`. */
export function jsonObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new FormatError(`brain.js JSON: ${field} must be an object; got ${kindOf(value)}`);
  return value as Record<string, unknown>;
}

/** A value described for an error message. */
export function kindOf(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === "function" ? "a function" : "an object";
}
