// Crash safety of checkpoints: a real `wasm-rnn train` (from dist/) killed with SIGKILL at seeded
// random moments leaves a loadable checkpoint the run wrote, and resuming ends on the uninterrupted
// run's files bit for bit; a damaged checkpoint is refused naming it; a stale config.json is rewritten.

import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, SequenceClassifier } from "../../src/index.js";
import { Random } from "../../src/random.js";
import { CHECKPOINT_FILE, CONFIG_FILE, finishInterruptedSave, loadCheckpoint, readCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const STEPS = 150;
const work = mkdtempSync(join(tmpdir(), "wasm-rnn-kill-"));
const corpus = join(work, "corpus.txt");
const reference = join(work, "reference");
/** Kill moments as fractions of the uninterrupted run's time from its first checkpoint to its end. */
const random = new Random(8);
const KILL_POINTS = Array.from({ length: 6 }, () => Math.round(random.uniform() * 90) / 100);

/** Node arguments for `wasm-rnn train` into `out`: a small LSTM, about 1.7 epochs of a 3,000-character
 *  corpus, a noisy learning rate, and a validation and a checkpoint after every step (so many kills
 *  land inside a save). */
function trainArgs(out: string, steps: number, ...extra: string[]): string[] {
  return [CLI, "train", "--corpus", corpus, "--out", out, "--steps", String(steps), "--hidden", "16", "--embedding", "8", "--bptt", "8", "--batch", "4",
    "--lr", "0.05", "--sample-every", "1", "--seed", "5", "--quiet", ...extra];
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 });
}

/** Runs `wasm-rnn train` into `out`, killed with SIGKILL `killAfterMs` after its first checkpoint
 *  appears if still running then; returns its exit code and the time from that checkpoint to the exit. */
async function train(out: string, killAfterMs = Infinity): Promise<{ code: number | null; stderr: string; trainingMs: number }> {
  const child = spawn(process.execPath, trainArgs(out, STEPS), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  while (!existsSync(join(out, CHECKPOINT_FILE)) && child.exitCode === null) await sleep(2);
  const firstCheckpoint = performance.now();
  if (killAfterMs < Infinity) {
    await Promise.race([sleep(killAfterMs), exited]);
    child.kill("SIGKILL");
  }
  const code = await exited;
  return { code, stderr, trainingMs: performance.now() - firstCheckpoint };
}

let referenceMs = 0;

beforeAll(async () => {
  await init();
  writeFileSync(corpus, readFileSync(new URL("../../corpus/austen.txt", import.meta.url), "utf8").slice(0, 3000));
  const run = await train(reference);
  expect(run.code, run.stderr).toBe(0);
  referenceMs = run.trainingMs;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("a training process killed with SIGKILL", () => {
  it.each(KILL_POINTS)("at %f of the run leaves a checkpoint of the run that resumes to the uninterrupted run's files", async (point) => {
    const out = mkdtempSync(join(work, "killed-"));
    await train(out, point * referenceMs);

    const files = readdirSync(out);
    expect(files).toContain(CHECKPOINT_FILE);
    for (const file of files) expect([CHECKPOINT_FILE, CONFIG_FILE, `${CHECKPOINT_FILE}.tmp`, `${CONFIG_FILE}.tmp`]).toContain(file);
    const saved = loadCheckpoint(out, "language-model"); // verifies the checksum; leftover .tmp files are ignored
    saved.model.dispose();
    const step = saved.trainer.step as number;
    expect(step).toBeGreaterThanOrEqual(1);
    expect(step).toBeLessThanOrEqual(STEPS);
    // config.json is renamed after the checkpoint: it describes this save or the one before (or none yet).
    if (files.includes(CONFIG_FILE)) expect([step - 1, step]).toContain(JSON.parse(readFileSync(join(out, CONFIG_FILE), "utf8")).trainer.step);

    const resumed = runCli(trainArgs(out, STEPS, "--resume"));
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([CHECKPOINT_FILE, CONFIG_FILE]);
    for (const file of [CHECKPOINT_FILE, CONFIG_FILE]) {
      expect(readFileSync(join(out, file)).equals(readFileSync(join(reference, file))), `${file} after resuming from step ${step}`).toBe(true);
    }
  });
});

describe("checkpoint files that do not agree", () => {
  it("a checkpoint with a flipped byte in its tensor data is refused by resume and info, naming the file; a new run replaces it", () => {
    const dir = join(work, "damaged");
    cpSync(reference, dir, { recursive: true });
    const path = join(dir, CHECKPOINT_FILE);
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0x10;
    writeFileSync(path, bytes);
    for (const args of [trainArgs(dir, STEPS, "--resume"), [CLI, "info", "--model", dir]]) {
      const refused = runCli(args);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`FormatError: ${path}: checksum mismatch`);
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);

    const fresh = runCli(trainArgs(dir, 2));
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(readCheckpoint(dir).metadata.trainer).toMatch(/"step":2,/);
  });

  it("a config.json describing the previous checkpoint (a kill between the renames) is ignored by loading and rewritten before training writes again", () => {
    const dir = join(work, "stale-config");
    const configPath = join(dir, CONFIG_FILE);
    saveCheckpoint(dir, new SequenceClassifier({ inputSize: 2, hiddenSize: 4, numClasses: 2, seed: 1 }));
    const staleConfig = readFileSync(configPath);
    saveCheckpoint(dir, new SequenceClassifier({ inputSize: 2, hiddenSize: 4, numClasses: 2, seed: 2 }));
    const currentConfig = readFileSync(configPath);
    writeFileSync(configPath, staleConfig);
    const { metadata } = readCheckpoint(dir);
    expect(JSON.parse(staleConfig.toString()).checksum).not.toBe(metadata.checksum);
    expect(JSON.parse(currentConfig.toString()).checksum).toBe(metadata.checksum);
    loadCheckpoint(dir, "sequence-classifier").model.dispose();

    finishInterruptedSave(dir);
    expect(readFileSync(configPath).equals(currentConfig)).toBe(true);
    rmSync(configPath);
    finishInterruptedSave(dir);
    expect(readFileSync(configPath).equals(currentConfig)).toBe(true);
  });
});
