// The attention kernels (through the Attention layer's resident forward and backward, as Seq2Seq calls
// them) against the float64 reference (test/reference/attention.ts), one case table of score kinds
// and shapes: h̃, the alignments, ∂dec, ∂enc and every parameter gradient, with the arena's guard
// bytes checked after every call.

import { beforeAll, describe, expect, it } from "vitest";
import { Attention, Random, type AttentionKind } from "../../src/index.js";
import { engine } from "../../src/engine/engine.js";
import { expectClose } from "../helpers/compare.js";
import { guardsIntact, initWithGuards } from "../helpers/guards.js";
import { attentionBackward, attentionForward, type AttentionInputs, type AttentionSpec } from "../reference/attention.js";

interface AttentionCase {
  name: string;
  kind: AttentionKind;
  querySize: number;
  valueSize: number;
  attentionSize?: number;
  Td: number;
  Ts: number;
  B: number;
  /** Source lengths (absent: every source has Ts steps). */
  lengths?: number[];
}

const CASES: AttentionCase[] = [
  { name: "dot, source lengths", kind: "dot", querySize: 6, valueSize: 6, Td: 4, Ts: 5, B: 3, lengths: [5, 2, 4] },
  { name: "dot, batch 1, full sources", kind: "dot", querySize: 9, valueSize: 9, Td: 3, Ts: 7, B: 1 },
  { name: "general, source lengths (one of 1 step)", kind: "general", querySize: 5, valueSize: 7, Td: 3, Ts: 6, B: 2, lengths: [6, 1] },
  { name: "general, larger than a GEMM tile", kind: "general", querySize: 20, valueSize: 33, Td: 9, Ts: 17, B: 5, lengths: [17, 3, 12, 17, 8] },
  { name: "additive, source lengths", kind: "additive", querySize: 5, valueSize: 8, attentionSize: 4, Td: 3, Ts: 5, B: 3, lengths: [3, 5, 2] },
  { name: "additive, attention size not a multiple of 4", kind: "additive", querySize: 6, valueSize: 4, attentionSize: 7, Td: 5, Ts: 4, B: 2 },
];

beforeAll(() => initWithGuards());

describe("attention kernels match the float64 reference and write only their own buffers", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const eng = engine();
      const random = new Random(7);
      const uniform = (n: number) => random.uniformArray(n, -1, 1);
      const layer = new Attention({ kind: c.kind, querySize: c.querySize, valueSize: c.valueSize, attentionSize: c.attentionSize, seed: 3 });
      const { Td, Ts, B } = c, Hd = c.querySize, He = c.valueSize;
      const spec: AttentionSpec = { kind: c.kind, querySize: Hd, valueSize: He, attentionSize: layer.attentionSize };
      // Weights of U(−1, 1) rather than the default ±1/√fan-in, so that the alignments are far from uniform.
      layer.loadStateDict(Object.fromEntries(Object.entries(layer.parameterShapes()).map(([name, shape]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return [name, { shape, data: uniform(n) }];
      })));
      const params = Object.fromEntries(Object.entries(layer.stateDict()).map(([name, t]) => [name, t.data]));
      const inputs: AttentionInputs = { Td, Ts, B, dec: uniform(Td * B * Hd), enc: uniform(Ts * B * He), lengths: c.lengths };
      const gradOut = uniform(Td * B * Hd);
      const dec = eng.allocFloats(Td * B * Hd), enc = eng.allocFloats(Ts * B * He), lengths = c.lengths ? eng.arena.alloc(4 * B) : 0;
      try {
        eng.write(dec, inputs.dec);
        eng.write(enc, inputs.enc);
        if (c.lengths) eng.writeInt32(lengths, c.lengths);

        const expected = attentionForward(spec, params, inputs);
        const out = eng.read(layer.forwardResident(dec, enc, Td, Ts, B, lengths), Td * B * Hd);
        guardsIntact(`${c.name} forward`);
        expectClose(out, expected.out, `${c.name} output`);
        expectClose(layer.alignments(), expected.alignments, `${c.name} alignments`);

        const dOut = eng.allocFloats(Td * B * Hd);
        eng.write(dOut, gradOut);
        const back = layer.backwardResident(dOut);
        guardsIntact(`${c.name} backward`);
        const grads = attentionBackward(spec, params, inputs, expected, gradOut);
        expectClose(eng.read(back.dDec, Td * B * Hd), grads.dec, `${c.name} grad dec`);
        expectClose(eng.read(back.dEnc, Ts * B * He), grads.enc, `${c.name} grad enc`);
        const actual = layer.grads();
        expect(Object.keys(actual).sort()).toEqual(Object.keys(grads.params).sort());
        for (const [name, g] of Object.entries(grads.params)) expectClose(actual[name].data, g, `${c.name} grad ${name}`);
        eng.release(dOut);
      } finally {
        for (const ptr of [dec, enc, lengths]) eng.release(ptr);
        layer.dispose();
      }
      guardsIntact(`${c.name} dispose`);
    });
  }
});
