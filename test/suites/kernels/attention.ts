// The attention family (test/cases/attention.json): per row, the Attention layer's resident forward and
// backward as Seq2Seq calls them — the score kernels (dotScores or additiveScores), maskedSoftmax,
// attendContext, the combining dense layer and their backwards — against the float64 reference
// (test/reference/attention.ts): h̃, the alignments, ∂dec, ∂enc and every parameter gradient, guard
// bytes checked after every call. Runs on the suite's engine (the layer takes the engine of its realm).
// No team path: attention's kernels always run on the calling thread.

import { expect } from "vitest";
import { Attention } from "../../../src/index.js";
import { expectClose } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { ATTENTION_CASES, attentionData, type AttentionCase } from "../../cases/attention.js";
import { attentionBackward, attentionForward, type AttentionInputs, type AttentionSpec } from "../../reference/attention.js";
import type { KernelFamily } from "./family.js";

function check(row: AttentionCase, kit: KernelKit): void {
  const { Td, Ts, B, querySize: Hd, valueSize: He } = row;
  const layer = new Attention({ kind: row.kind, querySize: Hd, valueSize: He, attentionSize: row.attentionSize, seed: row.seed });
  try {
    const spec: AttentionSpec = { kind: row.kind, querySize: Hd, valueSize: He, attentionSize: layer.attentionSize };
    const d = attentionData(row, layer.parameterShapes());
    layer.loadStateDict(d.weights);
    const params = Object.fromEntries(Object.entries(layer.stateDict()).map(([name, t]) => [name, t.data]));
    const inputs: AttentionInputs = { Td, Ts, B, dec: d.dec, enc: d.enc, lengths: row.lengths };
    const dec = kit.floats(d.dec), enc = kit.floats(d.enc), lengths = row.lengths ? kit.int32s(row.lengths) : 0;

    const expected = attentionForward(spec, params, inputs);
    const out = kit.read(layer.forwardResident(dec, enc, Td, Ts, B, lengths), Td * B * Hd);
    kit.guardsIntact("forward");
    expectClose(out, expected.out, "output");
    expectClose(layer.alignments(), expected.alignments, "alignments");

    const back = layer.backwardResident(kit.floats(d.gradOut));
    kit.guardsIntact("backward");
    const grads = attentionBackward(spec, params, inputs, expected, d.gradOut);
    expectClose(kit.read(back.dDec, Td * B * Hd), grads.dec, "grad dec");
    expectClose(kit.read(back.dEnc, Ts * B * He), grads.enc, "grad enc");
    const actual = layer.grads();
    expect(Object.keys(actual).sort()).toEqual(Object.keys(grads.params).sort());
    for (const [name, g] of Object.entries(grads.params)) expectClose(actual[name].data, g, `grad ${name}`);
  } finally {
    layer.dispose();
  }
  kit.guardsIntact("dispose");
}

export const attentionFamily: KernelFamily<AttentionCase> = { name: "attention", rows: ATTENTION_CASES, check };
