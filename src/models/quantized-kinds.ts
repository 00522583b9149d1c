// The layer kinds quantizeDynamic selects by — its `layers` option, as PyTorch's qconfig_spec set of
// module types — and a model config's `quantized`: true for every kind, or a list of kinds. A kind is
// spelled as everywhere else: the cells' kinds ("lstm", as in configs and the CLI) and "dense". Reads
// and checks those lists (a config saved by 0.1, which spelled them "LSTM" and "Dense", still loads);
// knows nothing of the layers themselves.

import { CELL_KINDS, CELLS, type CellKind } from "../engine/cells.js";
import { ShapeError, UnsupportedError } from "../errors.js";
import { describe } from "../validate.js";

/** A layer kind quantizeDynamic can quantize: a cell's layer ("lstm"), or "dense". */
export type QuantizableKind = CellKind | "dense";

/** The layer kinds quantizeDynamic quantizes, the cells' then "dense" (for ONNX, "dense" is MatMul and
 *  Gemm with a constant B). */
export const QUANTIZABLE_KINDS: readonly QuantizableKind[] = [...CELL_KINDS, "dense"];

/** The layer class a kind names, for messages ("lstm" → "LSTM", "dense" → "Dense"). */
function layerName(kind: QuantizableKind): string {
  return kind === "dense" ? "Dense" : CELLS[kind].name;
}

/** What a model config's `quantized` holds: whether every quantizable layer is int8, or which kinds are. */
export type QuantizedConfig = boolean | readonly QuantizableKind[];

/** @internal A non-empty list of distinct kinds, or a ShapeError naming `what`. */
export function readKinds(value: unknown, what: string): ReadonlySet<QuantizableKind> {
  const expected = `a non-empty array of distinct kinds from ${QUANTIZABLE_KINDS.map((k) => `"${k}"`).join(", ")}`;
  if (!Array.isArray(value) || value.length === 0) throw new ShapeError(`${what} must be ${expected}; got ${describe(value)}`);
  const kinds = new Set<QuantizableKind>();
  value.forEach((kind, i) => {
    if (!(QUANTIZABLE_KINDS as readonly unknown[]).includes(kind)) throw new ShapeError(`${what}[${i}] must be one of ${QUANTIZABLE_KINDS.map((k) => `"${k}"`).join(", ")}; got ${describe(kind)}`);
    if (kinds.has(kind)) throw new ShapeError(`${what} names ${kind} twice`);
    kinds.add(kind);
  });
  return kinds;
}

/** @internal A config's `quantized` in today's spelling: a config saved by 0.1 names the kinds by
 *  layer class ("LSTM", "Dense"), read as the kinds they name; anything else as it is. */
export function currentQuantized(value: unknown): unknown {
  return Array.isArray(value) ? value.map((kind) => QUANTIZABLE_KINDS.find((k) => layerName(k) === kind) ?? kind) : value;
}

/** @internal The kinds a model config's `quantized` makes int8 (none when it is absent or false). */
export function quantizedKinds(value: unknown, what: string): ReadonlySet<QuantizableKind> {
  if (value === undefined || value === false) return new Set();
  if (value === true) return new Set(QUANTIZABLE_KINDS);
  if (!Array.isArray(value)) throw new ShapeError(`${what} must be true, false or an array of kinds (${QUANTIZABLE_KINDS.join(", ")}); got ${describe(value)}`);
  return readKinds(currentQuantized(value), what);
}

/** @internal The kinds of `selection` that the target has (`present`); an UnsupportedError naming the
 *  kinds it has when there are none, since nothing would be quantized. */
export function selectedKinds(present: ReadonlySet<QuantizableKind>, selection: ReadonlySet<QuantizableKind>, owner: string): ReadonlySet<QuantizableKind> {
  const selected = new Set(QUANTIZABLE_KINDS.filter((kind) => present.has(kind) && selection.has(kind)));
  if (selected.size > 0) return selected;
  const has = present.size > 0 ? `it has ${kindList(present)} layers` : `it has no ${QUANTIZABLE_KINDS.slice(0, -1).map(layerName).join(", ")} or Dense layer`;
  throw new UnsupportedError(`${owner}: layers [${[...selection].join(", ")}] selects none of its layers (${has}); nothing would be quantized`);
}

/** @internal "LSTM and Dense": the layers of these kinds, in QUANTIZABLE_KINDS order, for messages. */
export function kindList(kinds: ReadonlySet<QuantizableKind>): string {
  const names = QUANTIZABLE_KINDS.filter((kind) => kinds.has(kind)).map(layerName);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names.join("");
}
