// Replays the committed fuzz corpora through their parsers: every seed in test/fixtures/fuzz/<target>/
// loads, and every saved crash in <target>/regressions/ loads or is refused with a deliberate
// WasmRnnError, each within the fuzzers' 2 s limit.

import { relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/index.js";
import { corpusFiles, FUZZ_FIXTURES, regressionsDir, target, type TargetName } from "./targets.js";
import { isDeliberateRefusal } from "../helpers/hostile.js";

beforeAll(async () => {
  await init();
});

describe.each(["safetensors", "onnx", "keras"] as TargetName[])("%s corpus", (name) => {
  const { run } = target(name);
  const inputs = corpusFiles(name).map(({ file, bytes }) => ({ file: relative(FUZZ_FIXTURES, file), bytes, regression: file.startsWith(regressionsDir(name)) }));

  it.each(inputs)("$file", async ({ bytes, regression }) => {
    const started = performance.now();
    try {
      await run(bytes);
    } catch (error) {
      if (!regression || !isDeliberateRefusal(error)) throw error;
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
