// Property-based argument checking of the `wasm-rnn` CLI (fast-check, real child processes of the
// built dist/cli/main.js): any command with any mix of its options set to junk (negative,
// fractional, huge, non-numeric, empty, missing files) ends with exit 0, 1 (a one-line error) or 2
// (usage) — never a stack trace, never a JavaScript exception escaping, never a hang — and leaves an
// existing checkpoint untouched.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { init, LanguageModel, CharTokenizer } from "../../src/index.js";
import { saveCheckpoint, CHECKPOINT_FILE } from "../../src/train/checkpoint.js";
import { PROPERTY_RUNS } from "../helpers/hostile.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wasm-rnn-cli-property-"));
const corpus = join(work, "corpus.txt");
const pairs = join(work, "pairs.tsv");
const model = join(work, "model");
writeFileSync(corpus, "It is a truth universally acknowledged, that a single man must be in want of a wife.\n".repeat(10));
writeFileSync(pairs, "1 2\tone two\n3\tthree\n2 1\ttwo one\n".repeat(4));

const COMMANDS: Record<string, string[]> = {
  train: ["corpus", "out", "cell", "hidden", "layers", "embedding", "tokens", "vocab", "epochs", "bptt", "batch", "lr", "schedule", "clip", "sample-every", "seed", "resume", "quiet"],
  sample: ["model", "length", "temperature", "top-k", "top-p", "seed", "prime"],
  eval: ["model", "text"],
  info: ["model"],
  "train-seq2seq": ["data", "out", "cell", "hidden", "layers", "embedding", "attention", "context", "bidirectional", "tokens", "epochs", "batch", "lr", "clip", "sampling-ratio", "seed", "quiet"],
  translate: ["model", "beam", "max-length", "batch"],
  quantize: ["model", "out", "text"],
};

/** Options given in every invocation (with junk values): without them most commands stop at "required". */
const REQUIRED: Record<string, string[]> = { train: ["corpus"], sample: ["model"], eval: ["model", "text"], info: ["model"], "train-seq2seq": ["data"], translate: ["model"], quantize: ["model", "out"] };
const FLAGS = new Set(["resume", "quiet", "bidirectional"]);
const PATH_OPTIONS = new Set(["corpus", "data", "model", "text", "out"]);

/** Values for a numeric or word option: numbers a size or rate refuses, words, empty, emoji. */
const junkArgument = fc.constantFrom("-1", "0", "-0", "1.5", "2", "1e9", "1e400", "NaN", "Infinity", "0x10", "abc", "", " ", "lstm", "gru", "cosine", "😺");
/** Paths: files that exist (of the right kind and not), directories, missing files, devices. */
const junkPath = fc.constantFrom(corpus, pairs, model, model, join(work, "missing"), work, "/dev/null", "");

function optionArguments(name: string): fc.Arbitrary<string[]> {
  if (FLAGS.has(name)) return fc.constant([`--${name}`]);
  return (PATH_OPTIONS.has(name) ? junkPath : junkArgument).map((value) => [`--${name}=${value}`]);
}

function optionalNames(command: string): fc.Arbitrary<string[]> {
  const names = COMMANDS[command].filter((name) => !REQUIRED[command].includes(name));
  return fc.shuffledSubarray(names, { maxLength: Math.min(4, names.length) });
}

const invocation = fc.constantFrom(...Object.keys(COMMANDS)).chain((command) =>
  fc.record({
    command: fc.constant(command),
    options: optionalNames(command)
      .chain((names) => fc.tuple(...[...REQUIRED[command], ...names].map(optionArguments))),
    // Now and then a malformed command line: an unknown option, a stray word, an option without its value.
    stray: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("--unknown", "extra", "--seed", "-x") }),
  }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000, encoding: "utf8", maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await init();
  const lm = new LanguageModel(CharTokenizer.fit(readFileSync(corpus, "utf8")), { hiddenSize: 8, embeddingDim: 4, seed: 1 });
  saveCheckpoint(model, lm);
  lm.dispose();
});

describe("wasm-rnn CLI under junk arguments", () => {
  it("exits 0, 1 or 2 with a readable message, and never damages a checkpoint", async () => {
    const checkpoint = readFileSync(join(model, CHECKPOINT_FILE));
    await fc.assert(fc.asyncProperty(invocation, async ({ command, options, stray }) => {
      const args = [command];
      for (const option of options) args.push(...option);
      // Bounded work: a valid training run takes a step or two, written to a scratch directory.
      if (command === "train") args.push("--steps", "2", "--out", join(work, "out"));
      if (command === "train-seq2seq") args.push("--epochs", "1", "--out", join(work, "out"));
      if (stray) args.push(stray);
      const { code, stdout, stderr } = await run(args);
      const context = `wasm-rnn ${args.join(" ")}\n${stderr}`;
      expect([0, 1, 2], context).toContain(code);
      expect(stderr, context).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // a stack trace
      expect(stderr, context).not.toMatch(/\b(TypeError|RangeError|ReferenceError|SyntaxError|RuntimeError)\b/);
      if (code === 2) expect(stdout + stderr, context).toMatch(/usage/i);
      if (code === 1) expect(stderr.trim().length, context).toBeGreaterThan(0);
      expect(readFileSync(join(model, CHECKPOINT_FILE)).equals(checkpoint), `${context}\nchanged the checkpoint`).toBe(true);
    }), { ...PROPERTY_RUNS, numRuns: 40 });
  }, 300_000);
});
