// The model-type registry (models/registry.ts) and what derives from it: every type rebuilds from its
// config with the same name, weights' names and shapes; an unknown type is a FormatError listing the
// types; the server has an adapter for every type (platform "wasm-rnn <type>"); the Batcher takes any
// model and refuses anything else; StatefulSessions takes the types that run in pieces, naming them
// when refusing another.

import { beforeAll, describe, expect, it } from "vitest";
import {
  Batcher, CharTokenizer, createModel, FormatError, init, LanguageModel, Seq2Seq, SequenceClassifier, SequenceTagger, ShapeError, StatefulSessions,
  type Model,
} from "../../src/index.js";
import { MODEL_TYPE_NAMES } from "../../src/models/registry.js";
import { servedModel } from "../../src/serving/oip/served-model.js";

beforeAll(async () => {
  await init();
});

const chars = CharTokenizer.fit("abcdefgh ");

/** One small model of each type, by type. */
const MAKE: Record<string, () => Model> = {
  "language-model": () => new LanguageModel(chars, { hiddenSize: 8, embeddingDim: 4, seed: 1 }),
  "sequence-classifier": () => new SequenceClassifier({ vocabSize: 12, embeddingDim: 4, hiddenSize: 8, numClasses: 3, seed: 2 }),
  "sequence-tagger": () => new SequenceTagger({ inputSize: 3, cell: "gru", hiddenSize: 8, numTags: 4, seed: 3 }),
  seq2seq: () => new Seq2Seq(chars, chars, { hiddenSize: 8, embeddingDim: 4, seed: 4 }),
};

/** A state dict's names and shapes. */
function shapes(model: Model): Record<string, number[]> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([name, t]) => [name, [...t.shape]]));
}

describe("model types", () => {
  it("the table holds the four types, and a test model of each", () => {
    expect(MODEL_TYPE_NAMES).toEqual(["language-model", "sequence-classifier", "sequence-tagger", "seq2seq"]);
    expect(Object.keys(MAKE).sort()).toEqual([...MODEL_TYPE_NAMES].sort());
  });

  it.each(MODEL_TYPE_NAMES)("%s rebuilds from its config: same type, same weights' names and shapes", (type) => {
    const model = MAKE[type]();
    expect(model.modelType).toBe(type);
    const rebuilt = createModel(type, model.config());
    expect(rebuilt.modelType).toBe(type);
    expect(rebuilt.constructor).toBe(model.constructor);
    expect(shapes(rebuilt)).toEqual(shapes(model));
    model.dispose();
    rebuilt.dispose();
  });

  it("an unknown type is a FormatError listing the types", () => {
    for (const type of ["transformer", undefined, 3]) {
      expect(() => createModel(type, {})).toThrow(FormatError);
      expect(() => createModel(type, {})).toThrow(/unknown model type .*; expected "language-model", "sequence-classifier", "sequence-tagger", "seq2seq"$/);
    }
  });

  it.each(MODEL_TYPE_NAMES)("the server has an adapter for %s", (type) => {
    const model = MAKE[type]();
    const served = servedModel(model, {});
    expect(served.platform).toBe(`wasm-rnn ${type}`);
    expect(served.batcher).toBeInstanceOf(Batcher);
    served.dispose();
    expect(() => model.stateDict()).toThrow(/was disposed/);
  });

  it("the Batcher takes a model of any type and refuses anything else, naming what it takes", () => {
    for (const type of MODEL_TYPE_NAMES) {
      const model = MAKE[type]();
      new Batcher(model as ConstructorParameters<typeof Batcher>[0]).close();
      model.dispose();
    }
    expect(() => new Batcher({} as never)).toThrow(ShapeError);
    expect(() => new Batcher({} as never)).toThrow(/Batcher: the target must be a recurrent layer or one of the library's models; got /);
  });

  it("StatefulSessions takes the types that run in pieces, and names them when refusing another", () => {
    const tagger = MAKE["sequence-tagger"]() as SequenceTagger, lm = MAKE["language-model"]();
    const sessions = new StatefulSessions(tagger);
    expect(sessions.feed("a", [[0, 1, 2]]).length).toBe(1);
    sessions.close();
    expect(() => new StatefulSessions(lm as never)).toThrow(ShapeError);
    expect(() => new StatefulSessions(lm as never)).toThrow(/StatefulSessions: the target must be a recurrent layer, a SequenceClassifier or a SequenceTagger; got /);
    tagger.dispose();
    lm.dispose();
  });
});
