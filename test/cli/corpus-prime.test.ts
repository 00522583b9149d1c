// corpusPrimes, the primes of the samples `wasm-rnn train` prints: the start of a line of the text
// (lines of 40 characters or more), cut after the last whole word, chosen by the seed.

import { describe, expect, it } from "vitest";
import { corpusPrimes } from "../../src/cli/corpus-prime.js";

describe("corpusPrimes", () => {
  const text = "Chapter 1\n\nIt is a truth universally acknowledged, that a single man in possession\nshort line\nHowever little known the feelings or views of such a man may be\n";

  it("starts at the start of a long line and ends after a whole word, the same for the same seed", () => {
    const prime = corpusPrimes(text)!;
    const seen = new Set(Array.from({ length: 40 }, (_, seed) => prime(seed)));
    expect([...seen].sort()).toEqual(["However little known the feelings or views of ", "It is a truth universally acknowledged, that a "]);
    expect(prime(7)).toBe(prime(7));
    expect(["It is a ", "However "]).toContain(corpusPrimes(text, 12)!(0));
  });

  it("is null for a text without a line long enough", () => {
    expect(corpusPrimes("a\nshort\ntext\n")).toBeNull();
  });
});
