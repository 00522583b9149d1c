// The `wasm-rnn` command (the built dist/cli/main.js) end to end in child processes: train → checkpoint files, sample, eval, info,
// resume, quantize (all layers or --layers); samples continue a line of the validation text (train) or a line start the model reaches
// on its own (sample without --prime); every command answers --help with its usage and exit 0; argument mistakes print usage and exit 2; bad corpora and wrong checkpoints exit 1 with a
// clear message and write nothing.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { init, SequenceClassifier } from "../../src/index.js";
import { saveCheckpoint } from "../../src/train/checkpoint.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wasm-rnn-cli-"));
const corpus = join(work, "corpus.txt");
const model = join(work, "model");
writeFileSync(corpus, "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.\n".repeat(30));

function cli(...args: string[]) {
  return cliWithInput("", ...args);
}

function cliWithInput(input: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await init();
});

describe("wasm-rnn CLI", () => {
  it("trains, checkpoints, samples, evaluates, reports and resumes", () => {
    const train = cli("train", "--corpus", corpus, "--out", model, "--hidden", "32", "--embedding", "16", "--steps", "20", "--bptt", "16", "--batch", "4", "--sample-every", "10", "--seed", "3");
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/char-level LSTM language model/);
    expect(train.stdout).toMatch(/step 10: validation perplexity \d/);
    expect(train.stderr).toMatch(/step 20\/20/); // the progress bar
    // Samples continue the start of a line of the validation text (here every line is the same), one at each evaluation and one after "done".
    const samples = train.stdout.split("(a sample at temperature 0.7, continuing a line of the validation text)\n").slice(1);
    expect(samples).toHaveLength(3);
    for (const sample of samples) expect(sample.startsWith("It is a truth universally acknowledged, that a ")).toBe(true);
    expect(train.stdout.indexOf("done: 20 steps")).toBeLessThan(train.stdout.lastIndexOf("(a sample at"));
    expect(existsSync(join(model, "checkpoint.safetensors"))).toBe(true);
    expect(existsSync(join(model, "config.json"))).toBe(true);

    const a = cli("sample", "--model", model, "--length", "60", "--seed", "1", "--prime", "It is");
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.startsWith("It is")).toBe(true);
    expect(cli("sample", "--model", model, "--length", "60", "--seed", "1", "--prime", "It is").stdout).toBe(a.stdout);
    // Without a prime: from a line start the model reaches on its own (the warm-up is not printed).
    const own = cli("sample", "--model", model, "--length", "60", "--seed", "2");
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout.length).toBeGreaterThan(1);
    expect(cli("sample", "--model", model, "--length", "60", "--seed", "2").stdout).toBe(own.stdout);

    const evaluation = cli("eval", "--model", model, "--text", corpus);
    expect(evaluation.code, evaluation.stderr).toBe(0);
    expect(evaluation.stdout).toMatch(/^perplexity: \d+\.\d+\n$/);

    const info = cli("info", "--model", model);
    expect(info.stdout).toMatch(/model type: language-model/);
    expect(info.stdout).toMatch(/trained: step 20/);

    const resumed = cli("train", "--corpus", corpus, "--out", model, "--steps", "30", "--bptt", "16", "--batch", "4", "--sample-every", "10", "--resume", "--quiet");
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(cli("info", "--model", model).stdout).toMatch(/trained: step 30/);
  }, 120_000);

  it("quantizes a checkpoint to int8 beside it; sample, eval and info take the int8 one", () => {
    const int8 = join(work, "model-int8");
    const original = readFileSync(join(model, "checkpoint.safetensors"));
    const q = cli("quantize", "--model", model, "--out", int8, "--text", corpus);
    expect(q.code, q.stderr).toBe(0);
    const sizes = /checkpoint: ([\d.]+) MB float32 → ([\d.]+) MB int8/.exec(q.stdout);
    expect(sizes, q.stdout).not.toBeNull();
    const [, f32Perplexity, int8Perplexity] = /perplexity: ([\d.]+) float32, ([\d.]+) int8/.exec(q.stdout)!.map(Number);
    expect(Math.abs(int8Perplexity / f32Perplexity - 1)).toBeLessThan(0.01);
    expect(readFileSync(join(model, "checkpoint.safetensors")).equals(original)).toBe(true);
    expect(cli("info", "--model", int8).stdout).toMatch(/weights: int8 with per-row scales/);
    expect(cli("info", "--model", model).stdout).toMatch(/weights: float32/);
    const sample = cli("sample", "--model", int8, "--length", "40", "--seed", "1", "--prime", "It is");
    expect(sample.code, sample.stderr).toBe(0);
    expect(sample.stdout.startsWith("It is")).toBe(true);
    expect(cli("eval", "--model", int8, "--text", corpus).stdout).toBe(`perplexity: ${int8Perplexity.toFixed(4)}\n`);
    const twice = cli("quantize", "--model", int8, "--out", join(work, "never-int8"));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/UnsupportedError: quantizeDynamic\(language-model\): it is quantized already/);
    expect(existsSync(join(work, "never-int8"))).toBe(false);
    const same = cli("quantize", "--model", model, "--out", model);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--out must be another directory than --model/);
    const resume = cli("train", "--corpus", corpus, "--out", int8, "--steps", "40", "--resume", "--quiet");
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/UnsupportedError: .*quantized/);
  }, 120_000);

  it("quantize --layers: only those kinds int8 (any case), the others float32; a kind the model lacks exits 1", () => {
    const lstmOnly = join(work, "model-int8-lstm");
    const q = cli("quantize", "--model", model, "--out", lstmOnly, "--layers", "Lstm", "--text", corpus);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/quantized language-model \(LSTM layers; the others float32\)/);
    const [, f32Perplexity, int8Perplexity] = /perplexity: ([\d.]+) float32, ([\d.]+) int8/.exec(q.stdout)!.map(Number);
    expect(int8Perplexity).not.toBe(f32Perplexity);
    expect(Math.abs(int8Perplexity / f32Perplexity - 1)).toBeLessThan(0.01);
    expect(cli("info", "--model", lstmOnly).stdout).toMatch(/weights: int8 with per-row scales in the LSTM layers, float32 elsewhere/);
    expect(cli("eval", "--model", lstmOnly, "--text", corpus).stdout).toBe(`perplexity: ${int8Perplexity.toFixed(4)}\n`);
    const all = cli("quantize", "--model", model, "--out", join(work, "model-int8-all"), "--layers", "dense,LSTM");
    expect(all.stdout).toMatch(/quantized language-model → /);
    const none = cli("quantize", "--model", model, "--out", join(work, "never-int8-gru"), "--layers", "gru");
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/UnsupportedError: quantizeDynamic\(language-model\): layers \[gru\] selects none of its layers \(it has LSTM and Dense layers\)/);
    expect(existsSync(join(work, "never-int8-gru"))).toBe(false);
  }, 120_000);

  it("trains a seq2seq model on a TSV and translates stdin to stdout, greedy and with a beam", () => {
    const random = (n: number) => Math.floor(Math.abs(Math.sin(n * 12.9898) * 43758.5453) % 1 * 10);
    const lines = Array.from({ length: 1500 }, (_, i) => {
      const s = Array.from({ length: 2 + (i % 5) }, (_, j) => random(i * 7 + j)).join("");
      return `${s}\t${[...s].reverse().join("")}`;
    });
    const data = join(work, "pairs.tsv");
    writeFileSync(data, lines.join("\n"));
    const dir = join(work, "s2s");
    const train = cli("train-seq2seq", "--data", data, "--out", dir, "--hidden", "48", "--attention", "dot", "--epochs", "6", "--seed", "2");
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/exact match \d+\.\d%/);
    expect(train.stderr).toMatch(/pairs\/s/);
    const greedy = cliWithInput("123\n98765\n\n42\n", "translate", "--model", dir);
    expect(greedy.code, greedy.stderr).toBe(0);
    expect(greedy.stdout).toBe("321\n56789\n\n24\n");
    expect(cliWithInput("123\n98765\n", "translate", "--model", dir, "--beam", "3").stdout).toBe("321\n56789\n");
    const int8 = join(work, "s2s-int8");
    expect(cli("quantize", "--model", dir, "--out", int8).code).toBe(0);
    expect(cliWithInput("123\n98765\n\n42\n", "translate", "--model", int8, "--beam", "2").stdout).toBe("321\n56789\n\n24\n");
    const bad = join(work, "bad.tsv");
    writeFileSync(bad, "1\t1\nno tab here\n");
    const refused = cli("train-seq2seq", "--data", bad, "--out", join(work, "never-s2s"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad\.tsv:2: expected "source<TAB>target"; found no tab/);
    expect(existsSync(join(work, "never-s2s"))).toBe(false);
    expect(cli("translate", "--model", model).stderr).toMatch(/holds a language-model, not a seq2seq/);
  }, 120_000);

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["sample"], /--model is required/],
    [["train", "--steps", "abc"], /--steps must be an integer ≥ 1; got "abc"/],
    [["train", "--bptt", "0"], /--bptt must be an integer ≥ 1; got "0"/],
    [["train", "--lr", "nan"], /--lr must be a number > 0; got "nan"/],
    [["train", "--cell", "transformer"], /--cell must be one of lstm, gru, rnn/],
    [["train", "--steps", "5", "--epochs", "1"], /give --steps or --epochs, not both/],
    [["train", "--frob"], /Unknown option '--frob'/],
    [["quantize", "--model", "m", "--out", "q", "--layers", "lstm,conv1d"], /--layers must be a comma-separated list of lstm, gru, rnn, dense; got "conv1d"/],
    [["quantize", "--model", "m", "--out", "q", "--layers", "dense,Dense"], /--layers names Dense twice/],
  ])("argument mistake %j prints usage and exits 2", (args, message) => {
    const r = cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage:/);
  });

  it.each(["train", "sample", "eval", "info", "train-seq2seq", "translate", "quantize", "serve"])("%s --help prints its usage and exits 0", (command) => {
    for (const flag of ["--help", "-h"]) {
      const r = cli(command, flag);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage:\\n  wasm-rnn ${command} `));
      expect(r.stdout.split("wasm-rnn ").length).toBe(2); // its own synopsis only
    }
  });

  it.each([
    ["an empty corpus", "", /is empty/],
    ["a binary corpus", "\u0000\u0001\u0002binary\u0000", /binary/],
    ["a vocabulary of one symbol", "aaaaaaaaaa", /at least two distinct tokens/],
  ])("%s exits 1 with a clear message and writes nothing", (_label, content, message) => {
    const file = join(work, `bad-${Math.random()}.txt`);
    writeFileSync(file, content);
    const out = join(work, `never-${Math.random()}`);
    const r = cli("train", "--corpus", file, "--out", out, "--steps", "2");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it("a checkpoint of another model type is refused by sample and eval", () => {
    const dir = join(work, "classifier");
    const classifier = new SequenceClassifier({ inputSize: 2, hiddenSize: 4, numClasses: 2 });
    saveCheckpoint(dir, classifier);
    const r = cli("sample", "--model", dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds a sequence-classifier, not a language-model/);
    expect(cli("eval", "--model", dir, "--text", corpus).code).toBe(1);
    expect(cli("sample", "--model", join(work, "nothing-here")).stderr).toMatch(/no checkpoint here/);
  });
});
