// The weights of a layers model: decoding the concatenated weight files against the manifest (float32
// or uint8/uint16-quantized), and handing each layer its weights by name as tf.loadLayersModel does —
// the exact name, or the name with one path component less ("lstm/lstm_cell/kernel" for
// "lstm/kernel", as Keras writes them) — with their shapes checked. Every weight must find a layer.

import { FormatError, NumericError } from "../../errors.js";
import { formatShape, shapeSize } from "../../tensor.js";
import { firstNonFinite } from "../../validate.js";
import type { WeightGroup } from "./model-json.js";

export interface NamedWeight {
  shape: number[];
  data: Float32Array;
}

/** Decodes `data` (every weight file, concatenated in manifest order) into float32 weights by name. */
export function decodeWeights(manifest: readonly WeightGroup[], data: Uint8Array, source: string): Map<string, NamedWeight> {
  const out = new Map<string, NamedWeight>();
  let offset = 0;
  for (const spec of manifest.flatMap((group) => group.weights)) {
    const count = shapeSize(spec.shape);
    const bytes = count * (spec.encoding.kind === "float32" ? 4 : spec.encoding.bytesPerValue);
    if (offset + bytes > data.length) {
      throw new FormatError(`model.json: weight "${spec.name}" ${formatShape(spec.shape)} needs bytes ${offset}–${offset + bytes} of the weight data, but ${source} hold only ${data.length} bytes (truncated or missing weight file?)`);
    }
    const raw = data.slice(offset, offset + bytes).buffer; // an aligned copy
    offset += bytes;
    let values: Float32Array;
    if (spec.encoding.kind === "float32") {
      values = new Float32Array(raw);
    } else {
      const { scale, min } = spec.encoding;
      const quantized = spec.encoding.bytesPerValue === 1 ? new Uint8Array(raw) : new Uint16Array(raw);
      values = Float32Array.from(quantized, (q) => q * scale + min);
    }
    out.set(spec.name, { shape: spec.shape, data: values });
  }
  if (offset !== data.length) {
    throw new FormatError(`model.json: weightsManifest describes ${offset} bytes of weights but ${source} hold ${data.length} bytes`);
  }
  return out;
}

/** One path component less: "a/b/c" → "a/c" (tfjs's fallback when a weight's full name is not found). */
function shortened(name: string): string | null {
  const parts = name.split("/");
  return parts.length < 3 ? null : [...parts.slice(0, -2), parts[parts.length - 1]].join("/");
}

export class WeightStore {
  private readonly weights: ReadonlyMap<string, NamedWeight>;
  /** Short name → the given names that shorten to it. */
  private readonly byShortName = new Map<string, string[]>();
  private readonly taken = new Set<string>();

  constructor(weights: ReadonlyMap<string, NamedWeight>) {
    this.weights = weights;
    for (const name of weights.keys()) {
      const short = shortened(name);
      if (short !== null) this.byShortName.set(short, [...(this.byShortName.get(short) ?? []), name]);
    }
  }

  /**
   * The weight a layer names `name` ("lstm/kernel"), whose shape must match `expected` (null: any
   * size ≥ 1). `owner` describes the layer for messages.
   */
  take(name: string, expected: readonly (number | null)[], owner: string): NamedWeight {
    let given = name;
    if (!this.weights.has(name)) {
      const candidates = this.byShortName.get(name) ?? [];
      if (candidates.length === 0) throw new FormatError(`model.json: ${owner} needs the weight "${name}", which the weights manifest does not have`);
      if (candidates.length > 1) throw new FormatError(`model.json: ${owner}: the weights ${candidates.map((c) => `"${c}"`).join(" and ")} both stand for "${name}"`);
      given = candidates[0];
    }
    if (this.taken.has(given)) throw new FormatError(`model.json: the weight "${given}" is claimed by two layers`);
    const weight = this.weights.get(given)!;
    const fits = weight.shape.length === expected.length && expected.every((d, i) => (d === null ? weight.shape[i] >= 1 : d === weight.shape[i]));
    if (!fits) {
      const want = `[${expected.map((d) => d ?? "*").join(", ")}]`;
      throw new FormatError(`model.json: weight "${given}" has shape ${formatShape(weight.shape)} but ${owner} needs ${want}`);
    }
    const bad = firstNonFinite(weight.data);
    if (bad >= 0) throw new NumericError(`model.json: weight "${given}" has a non-finite value (${weight.data[bad]}) at flat index ${bad}`);
    this.taken.add(given);
    return weight;
  }

  /** Throws when a weight was given that no layer took (tf.loadLayersModel's strict loading). */
  checkAllTaken(): void {
    const left = [...this.weights.keys()].filter((name) => !this.taken.has(name));
    if (left.length) throw new FormatError(`model.json: ${left.length} weight(s) belong to no layer of the model: ${left.slice(0, 5).map((n) => `"${n}"`).join(", ")}`);
  }
}
