// Property-based validation of every in-process public entry point (fast-check): random shapes,
// dtypes, NaN/Inf, negative/huge/fractional sizes, empty sequences and wrong option types must either
// run or throw a WasmRnnError subclass — never a RangeError/TypeError, never a wasm trap or abort —
// and the object must compute exactly what it did before with valid input afterwards.

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  init, LSTM, GRU, RNN, Dense, Embedding, tensor, crossEntropy, binaryCrossEntropy, SGD, Adam, AdamW, clipGradNorm, clipGradValue,
  SequenceClassifier, SequenceTagger, LanguageModel, Seq2Seq, CharTokenizer, WordTokenizer, tokenizerFromJSON, Trainer,
  exampleData, streamData, readSafetensors, checkpointFromBytes, checkpointToBytes, onnx, createModel, stepDecay, cosineDecay, loadLayersModel, fromTfjs,
  type Recurrent,
} from "../../src/index.js";
import { junkNumber, junkOptions, junkTensor, junkValue, PROPERTY_RUNS, refusesOrRuns, refusesOrRunsAsync } from "../helpers/hostile.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { unpackKeras } from "../fuzz/targets.js";

beforeAll(async () => {
  await init();
});

const T = 4, B = 2, I = 3, H = 5;
const x = tensor(Float32Array.from({ length: T * B * I }, (_, i) => Math.cos(i)), [T, B, I]);
const SIZES = [1, 2, 3, 5];

/** A deterministic fingerprint of what an object computes on valid input. */
type Probe = () => unknown;

/** Asserts the probe still gives exactly the result it gave before any hostile call. */
function staysCorrect(probe: Probe): () => void {
  const before = JSON.stringify(probe());
  return () => expect(JSON.stringify(probe())).toBe(before);
}

function floats(t: { data: Float32Array }): number[] {
  return Array.from(t.data);
}

describe("layers", () => {
  const layerOptions = junkOptions({
    inputSize: SIZES, hiddenSize: SIZES, numLayers: [1, 2], bias: [true, false], batchFirst: [true, false], bidirectional: [true, false],
    projSize: [0, 1], nonlinearity: ["tanh", "relu"], resetAfter: [true, false], seed: [1],
  });

  it.each([["LSTM", LSTM], ["GRU", GRU], ["RNN", RNN]] as const)("new %s(options)", (_, Layer) => {
    fc.assert(fc.property(layerOptions, (options) => {
      let layer: Recurrent | undefined;
      refusesOrRuns(() => (layer = new Layer(options as never)));
      layer?.dispose();
    }), PROPERTY_RUNS);
  });

  it.each([["LSTM", LSTM], ["GRU", GRU], ["RNN", RNN]] as const)("%s forward / backward", (_, Layer) => {
    const layer = new Layer({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 4 });
    const check = staysCorrect(() => {
      const out = layer.forward(x, { lengths: [T, 2] });
      return [floats(out.output), floats(layer.backward(out.output, { gradHN: out.hN }).gradInput)];
    });
    const forwardOptions = junkOptions({ lengths: [[T, 1], [1, T], [0, 1], [T + 1, 1], [2.5, 1]], h0: [], c0: [] });
    const extra = fc.record({ h0: junkTensor, c0: junkTensor }, { requiredKeys: [] });
    fc.assert(fc.property(junkTensor, fc.oneof(forwardOptions, extra), junkTensor, junkOptions({ gradHN: [], gradCN: [] }), (input, options, grad, backwardOptions) => {
      const ran = refusesOrRuns(() => layer.forward(input as never, options as never));
      refusesOrRuns(() => layer.backward(grad as never, backwardOptions as never));
      if (ran === "refused") check();
    }), PROPERTY_RUNS);
    check();
    layer.dispose();
  });

  it("Dense and Embedding: constructors, forward, backward", () => {
    const dense = new Dense({ inFeatures: I, outFeatures: 2, seed: 2 });
    const embedding = new Embedding({ numEmbeddings: 6, embeddingDim: 3, paddingIdx: 0, seed: 2 });
    const check = staysCorrect(() => [floats(dense.forward(tensor(x.data.slice(0, 6), [2, I]))), floats(embedding.forward([1, 5, 0]))]);
    fc.assert(fc.property(
      junkOptions({ inFeatures: SIZES, outFeatures: SIZES, bias: [true, false], seed: [1] }),
      junkOptions({ numEmbeddings: SIZES, embeddingDim: SIZES, paddingIdx: [0, 1, -1, 7], seed: [1] }),
      junkTensor, fc.oneof(junkValue, fc.array(fc.oneof(fc.integer({ min: -2, max: 8 }), junkNumber), { maxLength: 5 })), junkValue, junkTensor,
      (denseOptions, embeddingOptions, input, ids, shape, grad) => {
        refusesOrRuns(() => new Dense(denseOptions as never).dispose());
        refusesOrRuns(() => new Embedding(embeddingOptions as never).dispose());
        refusesOrRuns(() => dense.forward(input as never));
        refusesOrRuns(() => dense.backward(grad as never));
        refusesOrRuns(() => embedding.forward(ids as never, shape as never));
        refusesOrRuns(() => embedding.backward(grad as never));
        check();
      }), PROPERTY_RUNS);
  });

  it("loadStateDict with random records keeps the old weights when it refuses", () => {
    const layer = new LSTM({ inputSize: I, hiddenSize: H, projSize: 2, seed: 5 });
    const check = staysCorrect(() => floats(layer.forward(x).output));
    const names = Object.keys(layer.stateDict());
    const record = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 6 })), junkTensor, { maxKeys: names.length + 1 });
    fc.assert(fc.property(fc.oneof(junkValue, record), junkOptions({ strict: [true, false], prefix: ["", "rnn."] }), (state, options) => {
      if (refusesOrRuns(() => layer.loadStateDict(state as never, options as never)) === "refused") check();
    }), PROPERTY_RUNS);
  });
});

describe("losses, optimizers, clipping, schedules", () => {
  it("crossEntropy and binaryCrossEntropy", () => {
    fc.assert(fc.property(junkTensor, fc.oneof(junkValue, fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), junkNumber), { maxLength: 6 })),
      junkOptions({ reduction: ["sum", "mean"], ignoreIndex: [0, -100] }), junkTensor, (logits, targets, options, probabilities) => {
        refusesOrRuns(() => crossEntropy(logits as never, targets as never, options as never));
        refusesOrRuns(() => binaryCrossEntropy(logits as never, probabilities as never, options as never));
      }), PROPERTY_RUNS);
  });

  it("optimizers, clipping and schedules", () => {
    const layer = new GRU({ inputSize: I, hiddenSize: H, seed: 6 });
    const check = staysCorrect(() => floats(layer.forward(x).output));
    const optimizerOptions = junkOptions({ lr: [0.1], momentum: [0, 0.9], nesterov: [true, false], weightDecay: [0, 0.01], beta1: [0.9], beta2: [0.999], eps: [1e-8], dampening: [0] });
    fc.assert(fc.property(fc.constantFrom(SGD, Adam, AdamW), fc.oneof(junkValue, fc.constant([layer])), optimizerOptions, junkValue, junkValue, junkValue,
      (Optimizer, layers, options, norm, epoch, decay) => {
        refusesOrRuns(() => new Optimizer(layers as never, options as never));
        refusesOrRuns(() => clipGradNorm(layers as never, norm as never));
        refusesOrRuns(() => clipGradValue(layers as never, norm as never));
        refusesOrRuns(() => stepDecay(norm as never, decay as never, epoch as never));
        refusesOrRuns(() => cosineDecay(norm as never, decay as never, epoch as never));
      }), PROPERTY_RUNS);
    layer.zeroGrad();
    check();
  });
});

const TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(4);

describe("tokenizers", () => {
  it("fit, encode, decode and fromJSON", () => {
    const chars = CharTokenizer.fit(TEXT);
    const words = WordTokenizer.fit(TEXT);
    const check = staysCorrect(() => [chars.encode("the cat 😺"), words.encode("the cat sat"), chars.decode([4, 5, 6]), chars.toJSON(), words.toJSON()]);
    const json = fc.oneof(junkValue, fc.record({ kind: fc.oneof(junkValue, fc.constantFrom("char", "word")), tokens: fc.oneof(junkValue, fc.array(fc.oneof(junkValue, fc.string({ maxLength: 2 })), { maxLength: 8 })), lowercase: junkValue }, { requiredKeys: [] }));
    fc.assert(fc.property(fc.oneof(junkValue, fc.string({ maxLength: 20 })), junkOptions({ maxSize: [2, 10], lowercase: [true, false], bos: [true], eos: [true], skipSpecial: [true, false] }),
      fc.oneof(junkValue, fc.array(fc.oneof(fc.integer({ min: -3, max: 60 }), junkNumber), { maxLength: 6 })), json, (text, options, ids, record) => {
        refusesOrRuns(() => CharTokenizer.fit(text as never, options as never));
        refusesOrRuns(() => WordTokenizer.fit(text as never, options as never));
        refusesOrRuns(() => chars.encode(text as never, options as never));
        refusesOrRuns(() => words.decode(ids as never, options as never));
        refusesOrRuns(() => tokenizerFromJSON(record));
        check();
      }), PROPERTY_RUNS);
  });
});

describe("models", () => {
  const sequences = fc.oneof(junkValue, fc.array(fc.oneof(junkValue, fc.array(fc.oneof(fc.integer({ min: -2, max: 12 }), junkNumber, fc.array(junkNumber, { maxLength: 3 })), { maxLength: 5 })), { maxLength: 4 }));
  const encoderConfig = { cell: ["lstm", "gru", "rnn"], hiddenSize: SIZES, numLayers: [1, 2], bidirectional: [true, false], vocabSize: [8], embeddingDim: [2], inputSize: [2], numClasses: [3], numTags: [3], pooling: ["last", "mean"], projSize: [0, 1] };

  it("SequenceClassifier and SequenceTagger: constructors, predict, batchLoss", () => {
    const classifier = new SequenceClassifier({ vocabSize: 8, embeddingDim: 3, hiddenSize: 4, numClasses: 3, pooling: "mean", seed: 1 });
    const tagger = new SequenceTagger({ inputSize: 2, hiddenSize: 4, numTags: 3, bidirectional: true, seed: 1 });
    const check = staysCorrect(() => [classifier.predict([[1, 2, 3], [4]]), tagger.predict([[[0.5, 1], [1, 0]]])]);
    fc.assert(fc.property(junkOptions(encoderConfig), sequences, fc.oneof(junkValue, fc.array(fc.record({ input: junkValue, label: junkValue, tags: junkValue }, { requiredKeys: [] }), { maxLength: 3 })), (config, inputs, examples) => {
      refusesOrRuns(() => new SequenceClassifier(config as never).dispose());
      refusesOrRuns(() => new SequenceTagger(config as never).dispose());
      refusesOrRuns(() => classifier.predict(inputs as never));
      refusesOrRuns(() => tagger.predict(inputs as never));
      refusesOrRuns(() => classifier.batchLoss(examples as never, true));
      refusesOrRuns(() => tagger.batchLoss(examples as never, false));
      classifier.zeroGrad();
      tagger.zeroGrad();
      check();
    }), PROPERTY_RUNS);
  });

  it("LanguageModel: constructor, sample, logProb, perplexity", () => {
    const tokenizer = CharTokenizer.fit(TEXT);
    const lm = new LanguageModel(tokenizer, { hiddenSize: 6, embeddingDim: 3, seed: 2 });
    const check = staysCorrect(() => [lm.sample({ length: 12, seed: 3, prime: "the " }), lm.logProb("the cat")]);
    const sampleOptions = junkOptions({ length: [0, 5], temperature: [0, 0.5, 1], topK: [0, 2], topP: [0.5, 1], seed: [1], prime: ["", "the", "zzz"] });
    fc.assert(fc.property(junkOptions({ cell: ["lstm", "gru", "rnn"], hiddenSize: SIZES, embeddingDim: SIZES, numLayers: [1, 2], reduction: ["sum", "mean"], seed: [1] }), sampleOptions, fc.oneof(junkValue, fc.string({ maxLength: 8 })),
      (config, options, text) => {
        refusesOrRuns(() => new LanguageModel(tokenizer, config as never).dispose());
        refusesOrRuns(() => lm.sample(options as never));
        refusesOrRuns(() => lm.logProb(text as never));
        refusesOrRuns(() => lm.perplexity(text as never));
        check();
      }), { ...PROPERTY_RUNS, numRuns: 150 });
  });

  it("Seq2Seq: constructor, decode and batchLoss", () => {
    const tokens = CharTokenizer.fit("0123456789-/ abc");
    const model = new Seq2Seq(tokens, tokens, { hiddenSize: 6, embeddingDim: 3, attention: "dot", seed: 3 });
    const check = staysCorrect(() => model.decode(["12/3", "ab"], { strategy: "beam", beamWidth: 2, maxLength: 5 }));
    const decodeOptions = junkOptions({ strategy: ["greedy", "sample", "beam"], beamWidth: [1, 3], maxLength: [0, 4], lengthPenalty: [0, 1], temperature: [0, 1], topK: [0, 2], topP: [0.5], seed: [1] });
    fc.assert(fc.property(junkOptions({ hiddenSize: SIZES, embeddingDim: SIZES, attention: ["none", "dot", "general", "additive"], attentionSize: [2], reduction: ["sum", "mean"], bidirectional: [true, false], cell: ["lstm", "gru"], context: ["init", "every-step"] }),
      fc.oneof(junkValue, fc.array(fc.oneof(junkValue, fc.string({ maxLength: 6 })), { maxLength: 3 })), decodeOptions, fc.oneof(junkValue, fc.array(fc.record({ source: junkValue, target: junkValue }, { requiredKeys: [] }), { maxLength: 3 })),
      (config, sources, options, pairs) => {
        refusesOrRuns(() => new Seq2Seq(tokens, tokens, config as never).dispose());
        refusesOrRuns(() => model.decode(sources as never, options as never));
        refusesOrRuns(() => model.batchLoss(pairs as never, true));
        model.zeroGrad();
        check();
      }), { ...PROPERTY_RUNS, numRuns: 150 });
  });

  it("createModel and checkpoints from random configs and bytes", () => {
    const lm = new LanguageModel(CharTokenizer.fit(TEXT), { hiddenSize: 4, embeddingDim: 2, seed: 2 });
    const { bytes } = checkpointToBytes(lm);
    fc.assert(fc.property(fc.oneof(junkValue, fc.constantFrom("language-model", "classifier", "tagger", "seq2seq")), junkValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), (type, config, flips) => {
      refusesOrRuns(() => createModel(type as never, config as never).dispose());
      const damaged = Uint8Array.from(bytes);
      for (const [at, value] of flips) damaged[at % damaged.length] = value;
      refusesOrRuns(() => checkpointFromBytes(damaged).model.dispose());
    }), { ...PROPERTY_RUNS, numRuns: 150 });
  });
});

describe("trainer and data", () => {
  it("Trainer options, data builders and fit", async () => {
    const lm = new LanguageModel(CharTokenizer.fit(TEXT), { hiddenSize: 6, embeddingDim: 3, seed: 2 });
    const classifier = new SequenceClassifier({ vocabSize: 8, embeddingDim: 3, hiddenSize: 4, numClasses: 2, seed: 1 });
    const ids = lm.tokenizer.encode(TEXT);
    const trainerOptions = junkOptions({
      optimizer: ["adam", "sgd", "adamw"], lr: [0.01], momentum: [0.9], weightDecay: [0], clipNorm: [1], clipValue: [1], epochs: [1], maxSteps: [1, 2],
      evaluateEvery: [1], patience: [1], checkpointEvery: [1], progressEvery: [1], seed: [1], scheduleUnit: ["epoch", "step"], nesterov: [true],
    });
    await fc.assert(fc.asyncProperty(trainerOptions, junkOptions({ batchSize: [1, 4], bptt: [1, 8], seqLength: [8] }), junkValue, fc.oneof(junkValue, fc.constant([{ input: [1, 2], label: 1 }])),
      async (options, streamOptions, batchSize, examples) => {
        const step = () => new Trainer(classifier, { maxSteps: 1, seed: 1 }).fit(exampleData(classifier, [{ input: [1, 2], label: 1 }], 1));
        await refusesOrRunsAsync(async () => {
          const opts = options as Record<string, unknown> | null;
          // Bounded: a hostile option set that is valid must still end after a step or two.
          const bounded = opts && typeof opts === "object" ? { ...opts, maxSteps: 2, checkpointDir: undefined } : opts;
          await new Trainer(lm, bounded as never).fit(streamData(lm, ids, { batchSize: 2, bptt: 4 }));
        });
        refusesOrRuns(() => streamData(lm, ids, streamOptions as never));
        refusesOrRuns(() => exampleData(classifier, examples as never, batchSize as never));
        await step();
      }), { ...PROPERTY_RUNS, numRuns: 100 });
    const check = staysCorrect(() => classifier.predict([[1, 2, 3]]));
    check();
  });
});

describe("importers", () => {
  it("readSafetensors and an ONNX session's create and run with random arguments", async () => {
    const session = await onnx.InferenceSession.create(new Uint8Array(readFileSync(`${FIXTURES}onnx/torch_lstm/model.onnx`)));
    const name = session.inputNames[0];
    const X = new onnx.Tensor("int64", BigInt64Array.from([3n, 1n, 4n, 1n, 5n, 9n]), [2, 3]);
    const probe = async () => JSON.stringify(Object.values(await session.run({ [name]: X })).map((t) => Array.from(t.data as Float32Array)));
    const before = await probe();
    const feeds = fc.oneof(junkValue, fc.dictionary(fc.oneof(fc.constant(name), fc.string({ maxLength: 3 })), fc.oneof(junkValue, junkTensor,
      fc.tuple(fc.constantFrom("float32", "int64", "int32", "string", "bool"), fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 })).map(([type, dims]) => {
        const size = dims.reduce((n, d) => n * Math.max(d, 0), 1);
        try {
          return new onnx.Tensor(type as never, type === "int64" ? new BigInt64Array(size) : type === "string" ? Array(size).fill("a") : type === "bool" ? new Uint8Array(size) : new Float32Array(size), dims);
        } catch {
          return dims;
        }
      })), { maxKeys: 2 }));
    await fc.assert(fc.asyncProperty(junkValue, feeds, junkValue, async (bytes, given, fetches) => {
      refusesOrRuns(() => readSafetensors(bytes as never));
      await refusesOrRunsAsync(() => onnx.InferenceSession.create(bytes as never));
      await refusesOrRunsAsync(() => session.run(given as never, fetches as never));
    }), { ...PROPERTY_RUNS, numRuns: 200 });
    expect(await probe()).toBe(before);
  });

  it("loadLayersModel, fromTfjs and a Keras model's predict with random arguments", async () => {
    const { modelJson, weights } = unpackKeras(new Uint8Array(readFileSync(`${FIXTURES}fuzz/keras/sequential_embedding_lstm_gru.bin`)));
    const model = await loadLayersModel({ modelJson: new TextDecoder().decode(modelJson), weights });
    const ids = tensor(Float32Array.from({ length: 2 * 4 }, (_, i) => i % 6), [2, 4]);
    const probe = () => floats(model.predict(ids) as { data: Float32Array });
    const before = JSON.stringify(probe());
    const source = fc.oneof(junkValue, fc.record({ modelJson: fc.oneof(junkValue, fc.constant("{}"), fc.string({ maxLength: 8 })), weights: fc.oneof(junkValue, fc.constant(new ArrayBuffer(8))) }, { requiredKeys: [] }));
    await fc.assert(fc.asyncProperty(source, junkValue, fc.oneof(junkTensor, fc.array(junkTensor, { maxLength: 2 })), async (given, live, input) => {
      await refusesOrRunsAsync(async () => (await loadLayersModel(given as never)).dispose());
      refusesOrRuns(() => fromTfjs(live as never).dispose());
      refusesOrRuns(() => model.predict(input as never));
    }), { ...PROPERTY_RUNS, numRuns: 200 });
    expect(JSON.stringify(probe())).toBe(before);
    model.dispose();
  });
});
