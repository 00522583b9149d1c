// PyTorch models saved as safetensors the way PyTorch users save them (model.state_dict(), their own
// module names, F32/F16/BF16) load by name into wasm-rnn layers and models and give PyTorch's outputs
// (fixtures from test/fixtures/generate_interop.py); and what wasm-rnn exports reads back by name.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, CharTokenizer, LanguageModel, GRU, readSafetensors, writeSafetensors, renamePrefixes, FormatError } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { FIXTURES } from "../helpers/fixtures.js";

const read = (name: string) => readSafetensors(readFileSync(`${FIXTURES}interop/${name}.safetensors`)).tensors;

beforeAll(async () => {
  await init();
});

describe("PyTorch state dicts through safetensors", () => {
  for (const dtype of ["f32", "f16", "bf16"]) {
    it(`a character LM saved as ${dtype.toUpperCase()} loads with a prefix mapping and matches PyTorch`, () => {
      const lm = new LanguageModel(CharTokenizer.fit("abcdefgh"), { hiddenSize: 8, embeddingDim: 5, numLayers: 2 });
      expect(lm.vocabSize).toBe(12);
      lm.loadStateDict(read(`char_lm_${dtype}`), { mapping: { "embed.": "embedding.", "lstm.": "rnn.", "out.": "fc." } });
      const expected = read(`char_lm_${dtype}_expected`);
      const [T, B] = expected.ids.shape;
      const x = lm.embedding.forward(Array.from(expected.ids.data), [T, B]);
      const logits = lm.fc.forward(lm.rnn.forward(x).output);
      expectClose(logits.data, expected.logits.data, `${dtype} logits`);
      lm.dispose();
    });
  }

  it("a submodule of a bigger model loads by prefix; unknown names are refused by default", () => {
    const record = read("tagger");
    const gru = new GRU({ inputSize: 4, hiddenSize: 6, bidirectional: true, batchFirst: true });
    gru.loadStateDict(record, { prefix: "encoder.gru." });
    const { x, y, h } = read("tagger_expected");
    const out = gru.forward(x);
    expectClose(out.output.data, y.data, "output");
    expectClose(out.hN.data, h.data, "h_n");
    expect(() => gru.loadStateDict(record)).toThrow(FormatError);
    expect(() => gru.loadStateDict(record)).toThrow(/unexpected encoder\.gru\.weight_ih_l0/);
  });

  it("exports with PyTorch names that map back", () => {
    const lm = new LanguageModel(CharTokenizer.fit("abcdefgh"), { hiddenSize: 8, embeddingDim: 5, seed: 1 });
    const exported = readSafetensors(writeSafetensors(renamePrefixes(lm.stateDict(), { "embedding.": "embed.", "rnn.": "lstm.", "fc.": "out." }))).tensors;
    expect(Object.keys(exported)).toContain("lstm.weight_hh_l0");
    const copy = new LanguageModel(CharTokenizer.fit("abcdefgh"), { hiddenSize: 8, embeddingDim: 5, seed: 2 });
    copy.loadStateDict(exported, { mapping: { "embed.": "embedding.", "lstm.": "rnn.", "out.": "fc." } });
    expect(copy.stateDict()["rnn.weight_hh_l0"].data).toEqual(lm.stateDict()["rnn.weight_hh_l0"].data);
  });
});
