// Choosing the next token from a probability vector: temperature is applied by the caller's softmax;
// here top-k keeps the k most likely tokens, top-p (nucleus) the smallest set whose mass reaches p,
// and a seeded Random draws from what is left.

import { ShapeError } from "../errors.js";
import type { Random } from "../random.js";
import { describe } from "../validate.js";

export interface SamplingOptions {
  /** Softmax temperature (> 0; default 1). Lower is more conservative. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 = all). */
  topK?: number;
  /** Keep the smallest set of tokens whose probabilities sum to at least p (1 = all). */
  topP?: number;
}

/** @internal Most tokens one sampling or decoding call generates per sequence (a bound, so a typo cannot hang a server). */
export const MAX_GENERATED = 1_000_000;

/** @internal Validated sampling options with their defaults. */
export function checkSampling(options: SamplingOptions, where: string): Required<SamplingOptions> {
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  if (typeof temperature !== "number" || !(temperature > 0) || !Number.isFinite(temperature)) throw new ShapeError(`${where}: temperature must be a number > 0; got ${describe(temperature)}`);
  if (!Number.isInteger(topK) || topK < 0) throw new ShapeError(`${where}: topK must be an integer ≥ 0; got ${describe(topK)}`);
  if (typeof topP !== "number" || !(topP > 0 && topP <= 1)) throw new ShapeError(`${where}: topP must be in (0, 1]; got ${describe(topP)}`);
  return { temperature, topK, topP };
}

/** @internal Draws an index from `probs` (summing to ~1), restricted by top-k and top-p; `excluded` ids never win. */
export function drawToken(probs: Float32Array, topK: number, topP: number, random: Random, excluded: ReadonlySet<number>): number {
  let candidates = Array.from(probs.keys()).filter((i) => !excluded.has(i) && probs[i] > 0);
  if (candidates.length === 0) candidates = Array.from(probs.keys()).filter((i) => !excluded.has(i));
  candidates.sort((a, b) => probs[b] - probs[a] || a - b);
  if (topK > 0) candidates = candidates.slice(0, topK);
  if (topP < 1) {
    let mass = 0, keep = 0;
    const total = candidates.reduce((s, i) => s + probs[i], 0);
    while (keep < candidates.length && mass < topP * total) mass += probs[candidates[keep++]];
    candidates = candidates.slice(0, Math.max(1, keep));
  }
  const total = candidates.reduce((s, i) => s + probs[i], 0);
  let r = random.uniform() * total;
  for (const i of candidates) {
    r -= probs[i];
    if (r < 0) return i;
  }
  return candidates[candidates.length - 1];
}
