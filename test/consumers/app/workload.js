// The job every consumer runs, the same in each runtime and bundle (test/package/consumers.test.ts compares
// the numbers across them): a forward with lengths and its backward, a few training steps, sampling,
// checkpoint files where there is a file system, and the thread team and the worker pool where there
// are workers. It imports nothing: each entry passes the library as it loaded it.

/** A few values of a long array, and its sum: enough to tell two results apart. */
export function digest(data) {
  let sum = 0;
  for (const v of data) sum += v;
  return { sum, head: Array.from(data.slice(0, 4)), length: data.length };
}

export function maxDifference(a, b) {
  let worst = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * @param lib the wasm-rnn module
 * @param options threads / pool: run the team and the pool (2 threads); checkpointDir: a directory
 *   to save and load a checkpoint in (runtimes with files)
 */
export async function run(lib, { threads = false, pool = false, checkpointDir = null } = {}) {
  const info = await lib.init({ threads: 1 });
  const out = { relaxedSimd: info.relaxedSimd, sharedMemory: info.sharedMemory };
  const random = new lib.Random(3);

  const lstm = new lib.LSTM({ inputSize: 5, hiddenSize: 8, numLayers: 2, bidirectional: true, seed: 1 });
  const x = lib.tensor(random.uniformArray(7 * 3 * 5, -1, 1), [7, 3, 5]);
  const { output, hN, cN } = lstm.forward(x, { lengths: [7, 4, 2] });
  out.forward = { output: digest(output.data), hN: digest(hN.data), cN: digest(cN.data) };
  const { gradInput, gradH0 } = lstm.backward(output, { gradHN: hN });
  out.backward = { gradInput: digest(gradInput.data), gradH0: digest(gradH0.data), weightHh: digest(lstm.grads().weight_hh_l1_reverse.data) };
  lstm.dispose();

  const text = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. ".repeat(8);
  const tokenizer = lib.CharTokenizer.fit(text);
  const lm = new lib.LanguageModel(tokenizer, { hiddenSize: 32, embeddingDim: 8, seed: 1 });
  const data = lib.streamData(lm, tokenizer.encode(text, { bos: true }), { batchSize: 4, bptt: 16 });
  const losses = [];
  await new lib.Trainer(lm, { lr: 1e-2, maxSteps: 6, seed: 1, progressEvery: 1, onProgress: (p) => losses.push(p.loss) }).fit(data);
  out.losses = losses;
  out.sample = lm.sample({ length: 40, seed: 2, temperature: 0.8 });
  out.perplexity = lm.perplexity("a single man in possession");
  if (checkpointDir) {
    lib.saveCheckpoint(checkpointDir, lm);
    const { model } = lib.loadCheckpoint(checkpointDir, "language-model");
    out.checkpoint = { sampleAgain: model.sample({ length: 40, seed: 2, temperature: 0.8 }) === out.sample };
    model.dispose();
  }
  lm.dispose();

  if (threads || pool) {
    const big = new lib.LSTM({ inputSize: 32, hiddenSize: 96, seed: 3 }); // large enough to split
    const xBig = lib.tensor(random.uniformArray(30 * 5 * 32, -1, 1), [30, 5, 32]);
    const alone = big.forward(xBig).output.data.slice();
    out.split = { output: digest(alone) };
    if (threads) {
      const team = await lib.init({ threads: 2 });
      const together = big.forward(xBig).output.data;
      out.split.team = { threads: team.threads, splitKernels: lib.engineInfo().splitKernels, difference: maxDifference(alone, together) };
      await lib.init({ threads: 1 });
    }
    if (pool) {
      const workers = await lib.WorkerPool.create({ size: 2 });
      const { output: pooled } = await workers.forward(big, xBig);
      out.split.pool = { workers: workers.size, sharedMemory: workers.sharedMemory, difference: maxDifference(alone, pooled.data) };
      await workers.close();
    }
    big.dispose();
  }
  return out;
}
