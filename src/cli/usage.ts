// The command's usage text, the error type for argument mistakes, and typed readers of option values.

import { describe } from "../validate.js";

export const USAGE = `Usage:
  wasm-rnn train  [--corpus FILE] [--out DIR] [--cell lstm|gru|rnn] [--hidden N] [--layers N]
                  [--embedding N] [--tokens char|word] [--vocab N] [--steps N] [--epochs N]
                  [--bptt K] [--batch N] [--lr X] [--schedule constant|step|exponential|inverse|cosine]
                  [--clip X] [--sample-every N] [--seed S] [--resume] [--quiet]
  wasm-rnn sample --model DIR [--length N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--prime TEXT]
  wasm-rnn eval   --model DIR --text FILE
  wasm-rnn info   --model DIR
  wasm-rnn train-seq2seq --data PAIRS.tsv --out DIR [--cell lstm|gru|rnn] [--hidden N] [--layers N]
                  [--embedding N] [--attention none|dot|general|additive] [--context init|every-step]
                  [--bidirectional] [--tokens char|word] [--epochs N] [--batch N] [--lr X] [--clip X]
                  [--sampling-ratio P] [--seed S] [--quiet]
  wasm-rnn translate --model DIR [--beam K] [--max-length N] [--batch N]   (stdin → stdout, one per line)
  wasm-rnn quantize --model DIR --out DIR2 [--layers lstm,gru,rnn,dense] [--text FILE]
  wasm-rnn serve  --model DIR|FILE.onnx|model.json [--name NAME] [--host 127.0.0.1] [--port 8000] [--max-batch N]
                  [--max-delay-ms X] [--max-body-bytes N] [--threads N] [--workers N] [--drain-delay-ms N]
                  [--state INPUT=OUTPUT ...]

train   trains a language model (default: character-level LSTM on the bundled Pride and Prejudice)
        and saves checkpoints to --out (default ./wasm-rnn-model); --resume continues from there.
sample  prints generated text to stdout.
eval    prints "perplexity: X" for a text file.
info    prints a checkpoint's model type, config and parameter count.
train-seq2seq  trains an encoder–decoder on tab-separated source/target pairs.
translate      decodes one source per line from stdin (greedy, or beam search with --beam).
quantize       saves the model with int8 weights (inference only; sample, eval, info and translate
               take it) and prints both sizes; --layers: only those kinds of layer (default all),
               the others float32; --text: a language model's perplexity before and after.
serve          serves the model over HTTP on the Open Inference Protocol (KServe v2): /v2/health/live,
               /v2/health/ready, /v2/models/NAME[/ready|/infer|/generate|/generate_stream], /metrics;
               concurrent requests share batches. Prints "listening on http://HOST:PORT" when ready;
               SIGTERM turns readiness to 503, serves --drain-delay-ms more (default 0), then stops
               accepting, finishes in-flight requests and exits 0. An ONNX model with state inputs
               (found by name, e.g. Silero's state → stateN, or named by --state) keeps each
               stream's state by parameters.sequence_id/sequence_start/sequence_end and runs the
               frames of concurrent streams together.
`;

/** A mistake in the command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

export type Values = Record<string, string | boolean | undefined>;

export function stringOption(values: Values, name: string, fallback?: string): string {
  const v = values[name];
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  return String(v);
}

function numberOption(values: Values, name: string, fallback: number, check: (n: number) => boolean, expected: string): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === "" || !check(n)) throw new UsageError(`--${name} must be ${expected}; got ${describe(v)}`);
  return n;
}

export function intOption(values: Values, name: string, fallback: number, min = 1): number {
  return numberOption(values, name, fallback, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`);
}

export function positiveOption(values: Values, name: string, fallback: number): number {
  return numberOption(values, name, fallback, (n) => Number.isFinite(n) && n > 0, "a number > 0");
}

export function unitOption(values: Values, name: string, fallback: number): number {
  return numberOption(values, name, fallback, (n) => n > 0 && n <= 1, "a number in (0, 1]");
}

export function choiceOption<T extends string>(values: Values, name: string, choices: readonly T[], fallback: T): T {
  const v = values[name] ?? fallback;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(", ")}; got ${describe(v)}`);
  return v as T;
}
