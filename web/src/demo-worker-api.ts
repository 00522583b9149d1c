// What the demo's worker (demo-worker.ts) offers the page through Comlink: a language model to sample
// from, and training of a fresh one on a text, with progress reports and a stop.

export interface ModelSummary {
  cell: string;
  hiddenSize: number;
  parameters: number;
  vocabulary: number;
}

export interface GenerateSettings {
  prime: string;
  temperature: number;
  /** 0: no top-k filter. */
  topK: number;
  length: number;
  seed: number;
}

export interface TrainSettings {
  text: string;
  hiddenSize: number;
  steps: number;
}

export interface TrainPoint {
  step: number;
  totalSteps: number;
  /** Mean loss per character (nats) since the previous point. */
  loss: number;
  tokensPerSecond: number;
}

export interface TrainOutcome {
  steps: number;
  loss: number;
  stoppedBy: string;
  seconds: number;
  parameters: number;
  /** Text the trained model wrote. */
  sample: string;
}

export interface DemoWorkerApi {
  /** Loads a language-model checkpoint (replacing the current model only when it loads). */
  loadLanguageModel(bytes: Uint8Array, source: string): Promise<ModelSummary>;
  /** Samples text from the loaded model, sending each new piece to onText (a Comlink proxy, so each
   *  call returns a promise); resolves once every piece has been delivered. */
  generate(settings: GenerateSettings, onText: (piece: string) => void | Promise<void>): Promise<string>;
  /** Trains a new character LSTM on settings.text, reporting progress, until done or stopped. */
  train(settings: TrainSettings, onProgress: (point: TrainPoint) => void): Promise<TrainOutcome>;
  /** Stops the training run at its next step. */
  stop(): void;
}
