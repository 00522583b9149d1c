// Property-based garbling of real safetensors files and of one holding int8 (I8) tensors (fast-check,
// bounded runs): random byte edits, cuts and insertions, and random rewrites of the header's numbers,
// must each load or fail with a FormatError / UnsupportedError — never another exception, never a hang.

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors, tensor, FormatError, UnsupportedError } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";

/** A quantized layer's entries: int8 weights of odd sizes beside their float32 scales. */
const int8File = writeSafetensors({
  weight_ih_l0: tensor(Int8Array.from({ length: 15 }, (_, i) => (i * 37) % 256 - 128), [5, 3]),
  weight_ih_l0_scale: tensor(Float32Array.from({ length: 5 }, (_, i) => 0.01 * (i + 1)), [5]),
  weight_hh_l0: tensor(Int8Array.from({ length: 25 }, (_, i) => 127 - i), [5, 5]),
  weight_hh_l0_scale: tensor(new Float32Array(5).fill(0.02), [5]),
});
const seeds = [...["recurrent/rnn_tanh_basic", "interop/char_lm_bf16", "training/optim_adam"].map((f) => new Uint8Array(readFileSync(`${FIXTURES}${f}.safetensors`))), int8File];

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

  it.each([["a PyTorch file", seeds[0]], ["a file of I8 tensors", int8File]])("random numbers in the header of %s (lengths, shapes, offsets) give a clean load or a typed error", (_label, seed) => {
    const headerLength = new DataView(seed.buffer, seed.byteOffset).getUint32(0, true);
    const text = new TextDecoder().decode(seed.subarray(8, 8 + headerLength));
    const numbers = [...text.matchAll(/\d+/g)];
    expect(numbers.length).toBeGreaterThan(10);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(numbers.length - 1), fc.oneof(fc.nat(), fc.constant(2 ** 53), fc.integer({ min: -5, max: 5 }))), { minLength: 1, maxLength: 4 }), (changes) => {
      let header = text;
      for (const [which, value] of changes.sort((a, b) => b[0] - a[0])) {
        const m = numbers[which];
        header = header.slice(0, m.index) + String(value) + header.slice(m.index! + m[0].length);
      }
      const json = new TextEncoder().encode(header);
      const data = seed.subarray(8 + headerLength);
      const bytes = new Uint8Array(8 + json.length + data.length);
      new DataView(bytes.buffer).setUint32(0, json.length, true);
      bytes.set(json, 8);
      bytes.set(data, 8 + json.length);
      loadsOrRefuses(bytes);
    }), { numRuns: 400, seed: 7 });
  });
});
