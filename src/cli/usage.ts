// The command's usage text, the error type for argument mistakes, and typed readers of option values.

import { CELL_KINDS } from "../engine/cells.js";
import { describe } from "../validate.js";

const CELLS_CHOICE = CELL_KINDS.join("|");
const LAYERS_CHOICE = [...CELL_KINDS, "dense"].join(",");

/** Each command's synopsis (its options) and what it does: `wasm-rnn CMD --help` prints its own. */
export const COMMAND_HELP: Record<string, { synopsis: string; about: string }> = {
  train: {
    synopsis: `wasm-rnn train  [--corpus FILE] [--out DIR] [--cell ${CELLS_CHOICE}] [--hidden N] [--layers N]
                [--embedding N] [--tokens char|word] [--vocab N] [--steps N] [--epochs N]
                [--bptt K] [--batch N] [--lr X] [--schedule constant|step|exponential|inverse|cosine]
                [--clip X] [--sample-every N] [--seed S] [--resume] [--quiet]`,
    about: `trains a language model (default: character-level LSTM on the bundled Pride and Prejudice)
and saves checkpoints to --out (default ./wasm-rnn-model); --resume continues from there. Every
--sample-every steps (default 200) it prints the validation perplexity and a sample at temperature
0.7 continuing the start of a line of the validation text, and one more sample at the end.`,
  },
  sample: {
    synopsis: "wasm-rnn sample --model DIR [--length N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--prime TEXT]",
    about: `prints generated text to stdout, at temperature 0.8 by default: continuing --prime, or without
it from a line start the model reaches on its own (it writes from its start token, unprinted, up to
a line break).`,
  },
  eval: { synopsis: "wasm-rnn eval   --model DIR --text FILE", about: `prints "perplexity: X" for a text file.` },
  info: { synopsis: "wasm-rnn info   --model DIR", about: "prints a checkpoint's model type, config and parameter count." },
  "train-seq2seq": {
    synopsis: `wasm-rnn train-seq2seq --data PAIRS.tsv --out DIR [--cell ${CELLS_CHOICE}] [--hidden N] [--layers N]
                [--embedding N] [--attention none|dot|general|additive] [--context init|every-step]
                [--bidirectional] [--tokens char|word] [--epochs N] [--batch N] [--lr X] [--clip X]
                [--sampling-ratio P] [--seed S] [--quiet]`,
    about: "trains an encoder–decoder on tab-separated source/target pairs.",
  },
  translate: {
    synopsis: "wasm-rnn translate --model DIR [--beam K] [--max-length N] [--batch N]   (stdin → stdout, one per line)",
    about: "decodes one source per line from stdin (greedy, or beam search with --beam).",
  },
  quantize: {
    synopsis: `wasm-rnn quantize --model DIR --out DIR2 [--layers ${LAYERS_CHOICE}] [--text FILE]`,
    about: `saves the model with int8 weights (inference only; sample, eval, info and translate take it)
and prints both sizes; --layers: only those kinds of layer (default all), the others float32;
--text: a language model's perplexity before and after.`,
  },
  serve: {
    synopsis: `wasm-rnn serve  --model DIR|FILE.onnx|model.json [--name NAME] [--host 127.0.0.1] [--port 8000] [--max-batch N]
                [--max-delay-ms X] [--max-body-bytes N] [--threads N] [--workers N] [--drain-delay-ms N]
                [--state INPUT=OUTPUT ...]`,
    about: `serves the model over HTTP on the Open Inference Protocol (KServe v2): /v2/health/live,
/v2/health/ready, /v2/models/NAME[/ready|/infer|/generate|/generate_stream], /metrics;
concurrent requests share batches where that pays. Prints "listening on http://HOST:PORT" when
ready; SIGTERM turns readiness to 503, serves --drain-delay-ms more (default 0), then stops
accepting, finishes in-flight requests and exits 0. An ONNX model with state inputs (found by
name, e.g. Silero's state → stateN, or named by --state) keeps each stream's state by
parameters.sequence_id/sequence_start/sequence_end and runs the frames of concurrent streams
together.`,
  },
};

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

/** `text` as lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}

/** One command's usage: its synopsis and what it does. */
export function commandUsage(name: string): string {
  const { synopsis, about } = COMMAND_HELP[name];
  return `Usage:\n  ${indent(synopsis, "  ")}\n\n${wrap(about, 96)}\n`;
}

/** Every command's synopsis, then what each does. */
export const USAGE = `Usage:
${Object.values(COMMAND_HELP).map((c) => `  ${indent(c.synopsis, "  ")}`).join("\n")}
  wasm-rnn CMD --help   (one command's usage)

${Object.entries(COMMAND_HELP).map(([name, c]) => `${name.padEnd(14)} ${indent(wrap(c.about, 81), " ".repeat(15))}`).join("\n")}
`;

/** A mistake in the command line: printed with the usage text (the command's, when known), exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

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
