// Training behaviour that must hold whatever the data: clipping stops an exploding run from
// diverging, truncated BPTT with k = T is full BPTT and with k < T stops gradients at window edges,
// seeded runs repeat bit for bit, checkpoints resume to the same weights, a NaN stops training
// without touching the last checkpoint, early stopping stops, and schedules give their formulas.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  init, CharTokenizer, LanguageModel, SequenceClassifier, Trainer, Random, streamData, exampleData,
  NumericError, FormatError, ShapeError, stepDecay, exponentialDecay, inverseTimeDecay, cosineDecay, withWarmup,
  type LabelledSequence, type Model,
} from "../../src/index.js";
import { saveCheckpoint, loadCheckpoint } from "../../src/train/checkpoint.js";
import { checkpointFromBytes, checkpointToBytes } from "../../src/train/checkpoint-format.js";

const TEXT = "the quick brown fox jumps over the lazy dog. a stitch in time saves nine. ".repeat(40);

beforeAll(async () => {
  await init();
});

function languageModel(seed = 1): LanguageModel {
  return new LanguageModel(CharTokenizer.fit(TEXT), { hiddenSize: 24, embeddingDim: 8, seed });
}

function weights(model: Model): Float32Array[] {
  return Object.values(model.stateDict()).map((t) => t.data);
}

function temporaryDir(): string {
  return mkdtempSync(join(tmpdir(), "wasm-rnn-test-"));
}

/** Two-class sequences whose label is the sign of the first feature, 30 steps long. */
function firstStepTask(count: number, seed: number): LabelledSequence[] {
  const r = new Random(seed);
  return Array.from({ length: count }, () => {
    const label = r.below(2);
    return { input: Array.from({ length: 30 }, (_, t) => [t === 0 ? label : r.uniformIn(-1, 1), r.uniformIn(-1, 1)]), label };
  });
}

describe("gradient clipping", () => {
  /** A ReLU RNN whose recurrent weights are tripled: gradients explode through 30 steps. */
  function explodingModel(): SequenceClassifier {
    const model = new SequenceClassifier({ inputSize: 2, cell: "rnn", nonlinearity: "relu", hiddenSize: 16, numClasses: 2, seed: 1 });
    const rnn = model.encoder.rnn;
    const state = rnn.stateDict();
    state.weight_hh_l0.data.forEach((v, i, a) => (a[i] = v * 3));
    rnn.loadStateDict(state);
    return model;
  }

  it("without clipping the run diverges to NaN; with clipping by norm it stays finite and the loss falls", async () => {
    const data = firstStepTask(512, 2);
    const unclipped = explodingModel();
    await expect(new Trainer(unclipped, { optimizer: "sgd", lr: 0.05, epochs: 3, seed: 1 }).fit(exampleData(unclipped, data, 32))).rejects.toThrow(NumericError);
    const clipped = explodingModel();
    const norms: number[] = [];
    const losses: number[] = [];
    const result = await new Trainer(clipped, { optimizer: "sgd", lr: 0.05, epochs: 3, clipNorm: 1, seed: 1, progressEvery: 1, onProgress: (p) => (norms.push(p.gradNorm), losses.push(p.loss)) })
      .fit(exampleData(clipped, data, 32));
    expect(Number.isFinite(result.trainLoss)).toBe(true);
    expect(Math.max(...norms)).toBeGreaterThan(1000); // the gradients really did explode …
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 100); // … and clipping tamed them
  });

  it("clipping by value also keeps the run finite", async () => {
    const model = explodingModel();
    const result = await new Trainer(model, { optimizer: "sgd", lr: 0.001, epochs: 2, clipValue: 0.5, seed: 1 }).fit(exampleData(model, firstStepTask(256, 3), 32));
    expect(Number.isFinite(result.trainLoss)).toBe(true);
  });
});

describe("truncated BPTT", () => {
  const tokens = CharTokenizer.fit(TEXT).encode(TEXT, { bos: true });

  function gradientsOf(model: LanguageModel, run: () => void): Float32Array[] {
    model.zeroGrad();
    model.resetState();
    run();
    return model.layers.flatMap((layer) => Object.values(layer.grads()).map((t) => t.data));
  }

  it("with k equal to the sequence length gives exactly the full-BPTT gradients", () => {
    const model = languageModel();
    const T = 48, B = 4;
    const inputs = new Int32Array(T * B), targets = new Int32Array(T * B);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      inputs[t * B + b] = tokens[b * T + t];
      targets[t * B + b] = tokens[b * T + t + 1];
    }
    const full = gradientsOf(model, () => model.windowLoss(inputs, targets, T, B, true, false));
    const windows = streamData(model, tokens.subarray(0, B * T + 1), { batchSize: B, bptt: T });
    expect(windows.batchesPerEpoch).toBe(1);
    const truncated = gradientsOf(model, () => windows.epoch(new Random(0))[0].run(true));
    full.forEach((g, i) => expect(truncated[i]).toEqual(g));
  });

  it("with k < T stops gradients at window edges: the second window's gradient ignores the first window", () => {
    const model = languageModel();
    const data = streamData(model, tokens.subarray(0, 4 * 40 + 1), { batchSize: 4, bptt: 20 });
    const [first, second] = data.epoch(new Random(0));
    // Window 2 after window 1 (its state carried, detached) …
    const afterFirst = gradientsOf(model, () => {
      first.run(false);
      second.run(true);
    });
    // … equals window 2's gradient when window 1 ran with gradients too and they were then discarded.
    model.zeroGrad();
    model.resetState();
    first.run(true);
    model.zeroGrad();
    second.run(true);
    const discarded = model.layers.flatMap((layer) => Object.values(layer.grads()).map((t) => t.data));
    afterFirst.forEach((g, i) => expect(discarded[i]).toEqual(g));
    // And it differs from window 2 started from zeros: the carried state matters to the forward pass.
    const fromZeros = gradientsOf(model, () => second.run(true));
    expect(fromZeros[1]).not.toEqual(afterFirst[1]);
  });
});

describe("reproducibility and checkpoints", () => {
  const tokens = CharTokenizer.fit(TEXT).encode(TEXT, { bos: true });
  const options = { lr: 5e-3, epochs: 2, clipNorm: 1, seed: 7 };

  async function run(model: LanguageModel, extra: Record<string, unknown> = {}) {
    const losses: number[] = [];
    await new Trainer(model, { ...options, progressEvery: 1, onProgress: (p) => losses.push(p.loss), ...extra }).fit(streamData(model, tokens, { batchSize: 4, bptt: 16 }));
    return losses;
  }

  it("a seeded run repeats bit for bit", async () => {
    const a = languageModel(), b = languageModel();
    expect(await run(a)).toEqual(await run(b));
    expect(weights(a)).toEqual(weights(b));
  });

  it("resuming from a mid-run checkpoint reaches the same weights as the uninterrupted run", async () => {
    const reference = languageModel();
    await run(reference);
    const dir = temporaryDir();
    const interrupted = languageModel();
    const stepsPerEpoch = streamData(interrupted, tokens, { batchSize: 4, bptt: 16 }).batchesPerEpoch;
    const half = Math.floor(stepsPerEpoch * 1.5); // inside the second epoch, with carried state
    await run(interrupted, { maxSteps: half, checkpointDir: dir, checkpointEvery: half });
    const saved = loadCheckpoint(dir, "language-model");
    const resumed = saved.model as LanguageModel;
    const trainer = new Trainer(resumed, { ...options });
    trainer.resume(saved);
    expect(trainer.step).toBe(half);
    await trainer.fit(streamData(resumed, tokens, { batchSize: 4, bptt: 16 }));
    expect(weights(resumed)).toEqual(weights(reference));
  });

  it("a NaN stops training with a NumericError naming the step; the last checkpoint stays as it was", async () => {
    const dir = temporaryDir();
    const model = languageModel();
    await run(model, { epochs: 1, checkpointDir: dir });
    const before = readFileSync(join(dir, "checkpoint.safetensors"));
    // An absurd learning rate overflows float32 in the update or in the next forward pass.
    const trainer = new Trainer(model, { optimizer: "sgd", lr: 1e38, epochs: 1, checkpointDir: dir });
    await expect(trainer.fit(streamData(model, tokens, { batchSize: 4, bptt: 16 }))).rejects.toThrow(/training step \d+: .*(NaN|infinite)/);
    expect(readFileSync(join(dir, "checkpoint.safetensors")).equals(before)).toBe(true);
    expect(() => loadCheckpoint(dir)).not.toThrow();
  });

  it("a damaged checkpoint is refused by its checksum, naming the file", () => {
    const dir = temporaryDir();
    const model = languageModel();
    saveCheckpoint(dir, model);
    const path = join(dir, "checkpoint.safetensors");
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    expect(() => loadCheckpoint(dir)).toThrow(FormatError);
    expect(() => loadCheckpoint(dir)).toThrow(/checkpoint\.safetensors: checksum mismatch/);
  });

  it("the checksum covers the metadata too: a changed digit in the saved trainer state is refused", () => {
    const dir = temporaryDir();
    saveCheckpoint(dir, languageModel(), { trainer: { step: 120, epoch: 3 } });
    const path = join(dir, "checkpoint.safetensors");
    const bytes = readFileSync(path);
    const at = bytes.indexOf("120");
    expect(at).toBeGreaterThan(0);
    bytes[at] = "7".charCodeAt(0); // still valid JSON: step 720
    writeFileSync(path, bytes);
    expect(() => loadCheckpoint(dir)).toThrow(/checkpoint\.safetensors: checksum mismatch/);
  });

  it("checkpoint bytes (the browser's way) hold the same model as the files, and damage is refused naming the source", () => {
    const dir = temporaryDir();
    const model = languageModel();
    saveCheckpoint(dir, model);
    const { bytes, info } = checkpointToBytes(model);
    expect(info.modelType).toBe("language-model");
    expect(Buffer.from(bytes).equals(readFileSync(join(dir, "checkpoint.safetensors")))).toBe(true);
    const restored = checkpointFromBytes(bytes, { expectedType: "language-model", source: "lm.safetensors" }).model as LanguageModel;
    expect(weights(restored)).toEqual(weights(model));
    const damaged = bytes.slice();
    damaged[damaged.length - 5] ^= 0xff;
    expect(() => checkpointFromBytes(damaged, { source: "lm.safetensors" })).toThrow(/^lm\.safetensors: checksum mismatch/);
    expect(() => checkpointFromBytes(bytes.subarray(0, 100), { source: "cut.safetensors" })).toThrow(FormatError);
  });

  it("a checkpoint of another model type is refused", () => {
    const dir = temporaryDir();
    const classifier = new SequenceClassifier({ inputSize: 2, hiddenSize: 4, numClasses: 2 });
    saveCheckpoint(dir, classifier);
    expect(() => loadCheckpoint(dir, "language-model")).toThrow(/holds a sequence-classifier, not a language-model/);
  });
});

describe("early stopping and options", () => {
  it("stops after `patience` validations without improvement", async () => {
    const model = new SequenceClassifier({ inputSize: 2, hiddenSize: 8, numClasses: 2, seed: 1 });
    // Validation labels are noise: after the first evaluation nothing improves for long.
    const noise = new Random(5);
    const validation = firstStepTask(64, 9).map((e) => ({ ...e, label: noise.below(2) }));
    const result = await new Trainer(model, { lr: 0.05, epochs: 50, evaluateEvery: 4, patience: 2, seed: 1 })
      .fit(exampleData(model, firstStepTask(64, 8), 16), exampleData(model, validation, 16, false));
    expect(result.stoppedBy).toBe("early-stopping");
    expect(result.steps).toBeLessThan(50 * 4);
  });

  it("rejects a NaN learning rate and other bad options before training", () => {
    const model = new SequenceClassifier({ inputSize: 2, hiddenSize: 4, numClasses: 2 });
    expect(() => new Trainer(model, { lr: NaN })).toThrow(ShapeError);
    expect(() => new Trainer(model, { epochs: 0 })).toThrow(/epochs must be a positive integer/);
    expect(() => new Trainer(model, { clipNorm: -1 })).toThrow(/clipNorm must be a finite number > 0/);
    expect(() => new Trainer(model, { optimizer: "rmsprop" as "adam" })).toThrow(/optimizer must be/);
  });
});

describe("learning-rate schedules", () => {
  it("give the documented values", () => {
    const halve = stepDecay(0.1, 3);
    expect([0, 2, 3, 6, 7].map(halve)).toEqual([0.1, 0.1, 0.05, 0.025, 0.025]);
    expect(exponentialDecay(1, 0.5)(3)).toBeCloseTo(0.125, 12);
    expect(inverseTimeDecay(1, 0.5)(2)).toBeCloseTo(0.5, 12);
    const cosine = cosineDecay(1, 10, 0.1);
    expect(cosine(0)).toBeCloseTo(1, 12);
    expect(cosine(5)).toBeCloseTo(0.55, 12);
    expect(cosine(20)).toBeCloseTo(0.1, 12);
    const warm = withWarmup(stepDecay(1, 10), 4);
    expect([0, 1, 3, 4].map(warm)).toEqual([0.25, 0.5, 1, 1]);
    expect(() => stepDecay(0.1, 0)).toThrow(ShapeError);
  });
});
