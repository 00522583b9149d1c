import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The browser tests' Chromium, found or unpacked from npm once for the whole run.
    globalSetup: ["test/helpers/chromium-setup.ts"],
    testTimeout: 60_000,
    // Two test files at a time: the long ones (seq2seq tasks, fuzzers, browsers) are single-threaded,
    // so on the 2-core CI machine this halves the run (~8 → ~4 min) without starving either.
    maxWorkers: 2,
    // Kernels on one thread by default: two test files already use both cores, and tests importing
    // src/ cannot start workers (they run dist/parallel/worker.js). The thread team has its own tests
    // (threads.test.ts), which ask for threads explicitly.
    env: { WASM_RNN_THREADS: "1" },
  },
});
