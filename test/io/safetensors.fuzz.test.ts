// Property-based garbling of real safetensors files (fast-check, bounded runs): random byte edits,
// cuts and insertions, and random rewrites of the header's numbers, must each load or fail with a
// FormatError / UnsupportedError — never another exception, never a hang.

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readSafetensors, FormatError, UnsupportedError } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";

const seeds = ["recurrent/rnn_tanh_basic", "interop/char_lm_bf16", "training/optim_adam"].map((f) => new Uint8Array(readFileSync(`${FIXTURES}${f}.safetensors`)));

function loadsOrRefuses(bytes: Uint8Array): void {
  try {
    readSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof FormatError || e instanceof UnsupportedError)) throw e;
  }
}

describe("safetensors under garbling", () => {
  it("byte edits, cuts and insertions give a clean load or a typed error", () => {
    const edit = fc.record({
      file: fc.integer({ min: 0, max: seeds.length - 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.nat()),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 16 }))),
    });
    fc.assert(fc.property(edit, ({ file, flips, cut, insert }) => {
      let bytes = Uint8Array.from(seeds[file]);
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      if (insert) {
        const at = insert[0] % bytes.length;
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...insert[1], ...bytes.subarray(at)]);
      }
      if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
      loadsOrRefuses(bytes);
    }), { numRuns: 400, seed: 20261123 });
  });

  it("random numbers in the header (lengths, shapes, offsets) give a clean load or a typed error", () => {
    const text = new TextDecoder().decode(seeds[0].subarray(8, 8 + new DataView(seeds[0].buffer).getUint32(0, true)));
    const numbers = [...text.matchAll(/\d+/g)];
    expect(numbers.length).toBeGreaterThan(10);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(numbers.length - 1), fc.oneof(fc.nat(), fc.constant(2 ** 53), fc.integer({ min: -5, max: 5 }))), { minLength: 1, maxLength: 4 }), (changes) => {
      let header = text;
      for (const [which, value] of changes.sort((a, b) => b[0] - a[0])) {
        const m = numbers[which];
        header = header.slice(0, m.index) + String(value) + header.slice(m.index! + m[0].length);
      }
      const json = new TextEncoder().encode(header);
      const data = seeds[0].subarray(8 + new DataView(seeds[0].buffer).getUint32(0, true));
      const bytes = new Uint8Array(8 + json.length + data.length);
      new DataView(bytes.buffer).setUint32(0, json.length, true);
      bytes.set(json, 8);
      bytes.set(data, 8 + json.length);
      loadsOrRefuses(bytes);
    }), { numRuns: 400, seed: 7 });
  });
});
