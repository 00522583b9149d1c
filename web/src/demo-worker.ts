// The demo's worker: sampling from a language model and training one on pasted text, off the page's
// thread so the page stays responsive. Driven through Comlink (demo-worker-api.ts).

import * as Comlink from "comlink";
import { CharTokenizer, checkpointFromBytes, cosineDecay, init, LanguageModel, streamData, Trainer, UnsupportedError } from "wasm-rnn";
import type { DemoWorkerApi, GenerateSettings, ModelSummary, TrainOutcome, TrainPoint, TrainSettings } from "./demo-worker-api.js";

const BPTT = 32;
const EMBEDDING = 32;
const LEARNING_RATE = 3e-3;

function summarise(model: LanguageModel): ModelSummary {
  const config = model.config() as { cell: string; hiddenSize: number };
  return { cell: config.cell, hiddenSize: config.hiddenSize, parameters: model.parameterCount, vocabulary: model.vocabSize };
}

class DemoWorker implements DemoWorkerApi {
  private model: LanguageModel | null = null;
  private running: AbortController | null = null;

  async loadLanguageModel(bytes: Uint8Array, source: string): Promise<ModelSummary> {
    await init();
    const loaded = checkpointFromBytes(bytes, { expectedType: "language-model", source }).model as LanguageModel;
    this.model?.dispose();
    this.model = loaded;
    return summarise(loaded);
  }

  async generate(settings: GenerateSettings, onText: (piece: string) => void | Promise<void>): Promise<string> {
    if (!this.model) throw new UnsupportedError("no language model is loaded yet");
    const { prime, temperature, topK, length, seed } = settings;
    // The pieces travel on the callback's own channel: waiting for each to be taken before returning
    // keeps the page from seeing the whole text before the pieces it streams.
    const delivered: Promise<void>[] = [];
    const text = this.model.sample({ prime, temperature, topK: topK > 0 ? topK : undefined, length, seed, onText: (piece) => void delivered.push(Promise.resolve(onText(piece))) });
    await Promise.all(delivered);
    return text;
  }

  async train(settings: TrainSettings, onProgress: (point: TrainPoint) => void): Promise<TrainOutcome> {
    await init();
    const { text, hiddenSize, steps } = settings;
    const tokenizer = CharTokenizer.fit(text);
    const model = new LanguageModel(tokenizer, { cell: "lstm", hiddenSize, embeddingDim: EMBEDDING, seed: 1 });
    try {
      const tokens = tokenizer.encode(text, { bos: true });
      // Up to 16 streams, each at least two windows long.
      const batchSize = Math.max(1, Math.min(16, Math.floor((tokens.length - 1) / (2 * BPTT))));
      const data = streamData(model, tokens, { batchSize, bptt: BPTT });
      this.running = new AbortController();
      const trainer = new Trainer(model, {
        schedule: cosineDecay(LEARNING_RATE, steps, LEARNING_RATE / 10),
        scheduleUnit: "step",
        clipNorm: 1,
        epochs: Math.ceil(steps / data.batchesPerEpoch),
        maxSteps: steps,
        progressEvery: 5,
        seed: 1,
        signal: this.running.signal,
        onProgress: (p) => onProgress({ step: p.step, totalSteps: p.totalSteps, loss: p.loss, tokensPerSecond: p.throughput }),
      });
      const started = performance.now();
      const result = await trainer.fit(data);
      const seconds = (performance.now() - started) / 1000;
      const sample = model.sample({ length: 300, temperature: 0.6, seed: 1, prime: "\n" });
      return { steps: result.steps, loss: result.trainLoss, stoppedBy: result.stoppedBy, seconds, parameters: model.parameterCount, sample };
    } finally {
      this.running = null;
      model.dispose();
    }
  }

  stop(): void {
    this.running?.abort();
  }
}

Comlink.expose(new DemoWorker());
