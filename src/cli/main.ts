#!/usr/bin/env node
// The `wasm-rnn` command: train a language model on a corpus (the bundled one by default), sample
// from it, evaluate perplexity, show a checkpoint's details; train and run seq2seq models; quantize a
// checkpoint to int8; serve a model over HTTP. Argument parsing is Node's util.parseArgs;
// each subcommand lives in its own file. Errors print one line (and usage for argument mistakes) and
// exit non-zero.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { WasmRnnError } from "../errors.js";
import { init } from "../engine/init.js";
import { train, TRAIN_OPTIONS } from "./train.js";
import { sample, SAMPLE_OPTIONS } from "./sample.js";
import { evaluateText, EVAL_OPTIONS } from "./eval.js";
import { info, INFO_OPTIONS } from "./info.js";
import { trainSeq2seq, TRAIN_SEQ2SEQ_OPTIONS } from "./train-seq2seq.js";
import { translate, TRANSLATE_OPTIONS } from "./translate.js";
import { quantize, QUANTIZE_OPTIONS } from "./quantize.js";
import { serve, SERVE_OPTIONS } from "./serve.js";
import { commandUsage, UsageError, USAGE, type Values } from "./usage.js";

const COMMANDS = {
  train: { options: TRAIN_OPTIONS, run: train },
  sample: { options: SAMPLE_OPTIONS, run: sample },
  eval: { options: EVAL_OPTIONS, run: evaluateText },
  info: { options: INFO_OPTIONS, run: info },
  "train-seq2seq": { options: TRAIN_SEQ2SEQ_OPTIONS, run: trainSeq2seq },
  translate: { options: TRANSLATE_OPTIONS, run: translate },
  quantize: { options: QUANTIZE_OPTIONS, run: quantize },
  serve: { options: SERVE_OPTIONS, run: serve },
} as const;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(commandUsage(name));
    return 0;
  }
  let values: Values;
  try {
    values = parseArgs({ args: rest, options: command.options as ParseArgsConfig["options"], strict: true, allowPositionals: false }).values as Values;
  } catch (e) {
    throw new UsageError((e as Error).message, name);
  }
  await init();
  try {
    await command.run(values);
  } catch (e) {
    if (e instanceof UsageError && !e.command) throw new UsageError(e.message, name);
    throw e;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`wasm-rnn: ${e.message}\n\n${e.command ? commandUsage(e.command) : USAGE}`);
      process.exit(2);
    }
    if (e instanceof WasmRnnError) {
      process.stderr.write(`wasm-rnn: ${e.name}: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`wasm-rnn: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
