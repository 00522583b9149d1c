// Training against PyTorch (fixtures from test/fixtures/generate_training.py): the models' losses and
// every parameter gradient (LanguageModel over two carried windows, SequenceClassifier, SequenceTagger),
// SGD / Adam / AdamW over three steps, gradient clipping, and the cross-entropy and BCE losses with
// their gradients. References are float64 PyTorch from float32-representable inputs.

import { beforeAll, describe, expect, it } from "vitest";
import { Adam, AdamW, binaryCrossEntropy, CharTokenizer, clipGradNorm, clipGradValue, crossEntropy, Dense, init, LanguageModel, SequenceClassifier, SequenceTagger, SGD, tensor, type CellKind, type CrossEntropyOptions, type Optimizer, type Reduction, type Tensor } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { loadFixtures, withPrefix, type Fixture } from "../helpers/fixtures.js";

interface LmCase {
  kind: "lm";
  cell: CellKind;
  numLayers: number;
  embeddingDim: number;
  hiddenSize: number;
  batch: number;
  text: string;
  vocabSize: number;
  vocabulary: string[];
  ids: number[];
  windows: { steps: number; inputs: number[]; targets: number[]; count: number }[];
}

interface EncoderCase {
  vocabSize: number;
  embeddingDim: number;
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

interface ClassifierCase extends EncoderCase {
  kind: "classifier";
  numClasses: number;
  pooling: "last" | "mean";
  nonlinearity: "tanh" | "relu";
  examples: { input: number[]; label: number }[];
}

interface TaggerCase extends EncoderCase {
  kind: "tagger";
  numTags: number;
  count: number;
  examples: { input: number[]; tags: number[] }[];
}

interface OptimizerCase {
  kind: "optimizer";
  optimizer: "sgd" | "adam" | "adamw";
  options: { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; betas?: [number, number]; eps?: number };
  inFeatures: number;
  outFeatures: number;
  steps: number;
}

interface ClipCase {
  kind: "clip";
  mode: "norm" | "value";
  threshold: number;
  layers: { inFeatures: number; outFeatures: number }[];
}

interface LossCase {
  kind: "loss";
  fn: "ce" | "bce";
  options: { reduction: Reduction; ignoreIndex?: number };
  targets?: number[];
}

type TrainingCase = LmCase | ClassifierCase | TaggerCase | OptimizerCase | ClipCase | LossCase;

const fixtures = loadFixtures<TrainingCase>("training");

function ofKind<K extends TrainingCase["kind"]>(kind: K): Fixture<Extract<TrainingCase, { kind: K }>>[] {
  return fixtures.filter((f) => f.config.kind === kind) as Fixture<Extract<TrainingCase, { kind: K }>>[];
}

/** Gradients of named layers keyed like a model's state dict ("rnn.weight_ih_l0"). */
function prefixedGrads(layers: [string, { grads(): Record<string, Tensor> }][]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [prefix, layer] of layers) for (const [k, v] of Object.entries(layer.grads())) out[`${prefix}.${k}`] = v;
  return out;
}

/** Every expected gradient matches, and there are no others. */
function expectGrads(actual: Record<string, Tensor>, expected: Record<string, Tensor>, label: string): void {
  expect(Object.keys(actual).sort(), `${label}: gradient names`).toEqual(Object.keys(expected).sort());
  for (const [name, g] of Object.entries(expected)) {
    expect(actual[name].shape, `${label} grad ${name}: shape`).toEqual(g.shape);
    expectClose(actual[name].data, g.data, `${label} grad ${name}`);
  }
}

function expectScalar(actual: number, expected: Tensor, label: string): void {
  expectClose([actual], expected.data, label);
}

beforeAll(async () => {
  await init();
});

describe("training matches PyTorch", () => {
  it("has fixtures of every kind", () => {
    for (const kind of ["lm", "classifier", "tagger", "optimizer", "clip", "loss"] as const) expect(ofKind(kind).length, kind).toBeGreaterThan(0);
  });

  describe("LanguageModel: loss and gradients over two windows (the second carrying the first's final state)", () => {
    for (const { name, config, tensors } of ofKind("lm")) {
      it(name, () => {
        const tokenizer = CharTokenizer.fit(config.text);
        expect(tokenizer.size).toBe(config.vocabSize);
        expect(Array.from(tokenizer.encode(config.text))).toEqual(config.ids);
        const lm = new LanguageModel(tokenizer, { cell: config.cell, hiddenSize: config.hiddenSize, numLayers: config.numLayers, embeddingDim: config.embeddingDim });
        try {
          const params = withPrefix(tensors, "param.");
          expect(Object.keys(lm.stateDict()).sort()).toEqual(Object.keys(params).sort());
          lm.loadStateDict(params);
          const B = config.batch;
          config.windows.forEach((w, i) => {
            const expected = withPrefix(tensors, `expect.w${i}.`);
            lm.zeroGrad();
            const result = lm.windowLoss(Int32Array.from(w.inputs), Int32Array.from(w.targets), w.steps, B, true, i > 0);
            expect(result.count, `${name} window ${i} count`).toBe(w.count);
            expectScalar(result.loss, expected.loss, `${name} window ${i} loss`);
            expectScalar(result.sum, expected.sum, `${name} window ${i} sum`);
            const grads = prefixedGrads([["embedding", lm.embedding], ["rnn", lm.rnn], ["fc", lm.fc]]);
            expectGrads(grads, withPrefix(expected, "grad."), `${name} window ${i}`);
          });
        } finally {
          lm.dispose();
        }
      });
    }
  });

  describe("SequenceClassifier: loss and gradients over variable-length batches", () => {
    for (const { name, config, tensors } of ofKind("classifier")) {
      it(name, () => {
        const classifier = new SequenceClassifier({
          vocabSize: config.vocabSize, embeddingDim: config.embeddingDim, cell: config.cell, hiddenSize: config.hiddenSize,
          numLayers: config.numLayers, bidirectional: config.bidirectional, numClasses: config.numClasses,
          pooling: config.pooling, nonlinearity: config.nonlinearity,
        });
        try {
          const params = withPrefix(tensors, "param.");
          expect(Object.keys(classifier.stateDict()).sort()).toEqual(Object.keys(params).sort());
          classifier.loadStateDict(params);
          const expected = withPrefix(tensors, "expect.");
          const logits = classifier.forward(config.examples.map((e) => e.input));
          expect(logits.shape).toEqual(expected.logits.shape);
          expectClose(logits.data, expected.logits.data, `${name} logits`);
          classifier.zeroGrad();
          const { loss } = classifier.batchLoss(config.examples, true);
          expectScalar(loss, expected.loss, `${name} loss`);
          const grads = prefixedGrads([["embedding", classifier.encoder.embedding!], ["rnn", classifier.encoder.rnn], ["fc", classifier.head]]);
          expectGrads(grads, withPrefix(expected, "grad."), name);
        } finally {
          classifier.dispose();
        }
      });
    }
  });

  describe("SequenceTagger: loss and gradients over variable-length batches", () => {
    for (const { name, config, tensors } of ofKind("tagger")) {
      it(name, () => {
        const tagger = new SequenceTagger({
          vocabSize: config.vocabSize, embeddingDim: config.embeddingDim, cell: config.cell, hiddenSize: config.hiddenSize,
          numLayers: config.numLayers, bidirectional: config.bidirectional, numTags: config.numTags,
        });
        try {
          const params = withPrefix(tensors, "param.");
          expect(Object.keys(tagger.stateDict()).sort()).toEqual(Object.keys(params).sort());
          tagger.loadStateDict(params);
          const expected = withPrefix(tensors, "expect.");
          tagger.zeroGrad();
          const result = tagger.batchLoss(config.examples, true);
          expect(result.count).toBe(config.count);
          expectScalar(result.loss, expected.loss, `${name} loss`);
          const grads = prefixedGrads([["embedding", tagger.encoder.embedding!], ["rnn", tagger.encoder.rnn], ["fc", tagger.head]]);
          expectGrads(grads, withPrefix(expected, "grad."), name);
        } finally {
          tagger.dispose();
        }
      });
    }
  });

  describe("optimizers: parameters after each of three steps", () => {
    function build(config: OptimizerCase, layer: Dense): Optimizer {
      const o = config.options;
      if (config.optimizer === "sgd") return new SGD([layer], { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov });
      if (config.optimizer === "adam") return new Adam([layer], { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
      return new AdamW([layer], { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
    }

    for (const { name, config, tensors } of ofKind("optimizer")) {
      it(name, () => {
        const layer = new Dense({ inFeatures: config.inFeatures, outFeatures: config.outFeatures });
        const optimizer = build(config, layer);
        try {
          layer.loadStateDict(withPrefix(tensors, "param."));
          for (let k = 0; k < config.steps; k++) {
            const expected = withPrefix(tensors, `expect.step${k}.`);
            layer.zeroGrad();
            layer.forward(tensors[`step${k}.x`]);
            layer.backward(tensors[`step${k}.grad_y`]);
            expectGrads(layer.grads(), withPrefix(expected, "grad."), `${name} step ${k}`);
            const before = layer.stateDict();
            optimizer.step();
            const after = layer.stateDict();
            for (const [param, want] of Object.entries(withPrefix(expected, "param."))) {
              expectClose(after[param].data, want.data, `${name} step ${k} ${param}`);
              // The update itself, judged against its own (much smaller) scale.
              const wantDelta = want.data.map((v, i) => v - before[param].data[i]);
              const delta = after[param].data.map((v, i) => v - before[param].data[i]);
              expectClose(delta, wantDelta, `${name} step ${k} ${param} update`);
            }
          }
          expect(optimizer.steps).toBe(config.steps);
        } finally {
          optimizer.dispose();
          layer.dispose();
        }
      });
    }
  });

  describe("gradient clipping", () => {
    for (const { name, config, tensors } of ofKind("clip")) {
      it(name, () => {
        const layers = config.layers.map((shape) => new Dense(shape));
        try {
          layers.forEach((layer, j) => {
            const own = withPrefix(tensors, `layer${j}.`);
            layer.loadStateDict(withPrefix(own, "param."));
            layer.zeroGrad();
            layer.forward(own.x);
            layer.backward(own.grad_y);
            expectGrads(layer.grads(), withPrefix(own, "expect.before.grad."), `${name} layer ${j} before`);
          });
          if (config.mode === "norm") {
            const norm = clipGradNorm(layers, config.threshold);
            expectScalar(norm, tensors["expect.norm"], `${name} norm`);
          } else {
            clipGradValue(layers, config.threshold);
          }
          layers.forEach((layer, j) => expectGrads(layer.grads(), withPrefix(tensors, `layer${j}.expect.after.grad.`), `${name} layer ${j} after`));
        } finally {
          for (const layer of layers) layer.dispose();
        }
      });
    }
  });

  describe("loss functions: loss and gradient of the logits", () => {
    for (const { name, config, tensors } of ofKind("loss")) {
      it(name, () => {
        const logits = tensor(tensors.logits.data, tensors.logits.shape);
        const result =
          config.fn === "ce"
            ? crossEntropy(logits, config.targets!, config.options as CrossEntropyOptions)
            : binaryCrossEntropy(logits, tensors.targets, { reduction: config.options.reduction });
        expectScalar(result.loss, tensors["expect.loss"], `${name} loss`);
        expect(result.gradLogits.shape).toEqual(logits.shape);
        expectClose(result.gradLogits.data, tensors["expect.grad_logits"].data, `${name} grad logits`);
      });
    }
  });
});
