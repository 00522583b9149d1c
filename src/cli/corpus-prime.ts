// Primes for the samples `wasm-rnn train` prints: the start of a line of the validation text, so a
// sample continues real text from a state the model knows (sampling from a lone line break left the
// state where training never put it, and samples began with noise).

import { Random } from "../random.js";

/** Lines shorter than this are not primes (headings, blank lines). */
const MIN_LINE = 40;

/** A picker of primes from `text`: each call, with a seed, the start of one of its lines — up to
 *  `length` characters, cut after the last whole word. Null when the text has no line long enough. */
export function corpusPrimes(text: string, length = 48): ((seed: number) => string) | null {
  const starts: number[] = [];
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf("\n", at);
    const stop = end < 0 ? text.length : end;
    if (stop - at >= MIN_LINE) starts.push(at);
    at = stop + 1;
  }
  if (starts.length === 0) return null;
  return (seed) => {
    const start = starts[new Random(seed).below(starts.length)];
    const piece = text.slice(start, start + length);
    const space = piece.lastIndexOf(" ");
    return space > 0 ? piece.slice(0, space + 1) : piece;
  };
}
