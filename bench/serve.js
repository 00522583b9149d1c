// The serving load benchmark (`node serve.js`, after `npm run build`): 1, 8 and 64 concurrent clients
// (autocannon) sending single-sequence infer requests for an LSTM classifier (vocabulary 2000,
// embedding 64, H 256, T 64–128, 2 classes) to
//   (a) `wasm-rnn serve` with dynamic batching (float32, and the same model quantized to int8), set
//       for this load: --max-batch 64 (the most clients: a request waits at most for the batch in
//       flight and its own) and --max-delay-ms 20 (a batch gathers the whole burst of requests that
//       come back after the last one; it goes sooner once they stop) — on 2 workers, batches of at
//       most 32 (each worker's share of the clients); and with the defaults (32, 2),
//   (b) the same with --max-batch 1 (every request alone),
//   (c) serve-ort.js: a minimal Node HTTP server around onnxruntime-node running the same model (an
//       ONNX graph of the same weights) per request on 2 intra-op threads;
// req/s, p50 and p99 latency and the ratios, from one run each; plus the language model's generate
// (tokens/s across clients), a small char LM's scores of 50-character texts batched against
// --max-batch 1 at 1–64 clients (batching must never be slower), /v2/health/live's latency while 64 clients load the batched server (its
// batches in the server's thread, and on 2 workers), the batches' mean size and compute time as the
// server measured them (its metrics), and the targets. Never exits non-zero for a missed target.

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { modelBytes, node, tensorProto, valueInfo } from "../scripts/onnx-writer.mjs";
import { layerWeights } from "./onnx-rnn.js";
import { median } from "./timing.js";

const api = await import("../dist/node.js");
await api.init({ threads: 1 });
const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wasm-rnn-serve-bench-"));
const V = 2000, E = 64, H = 256, C = 2, SECONDS = Number(process.env.SERVE_SECONDS ?? 5);
const MAX_BATCH = Number(process.env.SERVE_MAX_BATCH ?? 64), MAX_DELAY_MS = Number(process.env.SERVE_MAX_DELAY_MS ?? 20);

// The model, saved three ways: checkpoint (float32), checkpoint (int8), ONNX.
const classifier = new api.SequenceClassifier({ vocabSize: V, embeddingDim: E, hiddenSize: H, numClasses: C, seed: 1 });
api.saveCheckpoint(join(work, "classifier"), classifier);
api.saveCheckpoint(join(work, "classifier-int8"), api.quantizeDynamic(classifier));
const sd = Object.fromEntries(Object.entries(classifier.stateDict()).map(([k, v]) => [k.replace(/^rnn\./, ""), v]));
writeFileSync(join(work, "classifier.onnx"), modelBytes({
  nodes: [
    node("Gather", ["embedding", "ids"], ["embedded"]),
    node("Transpose", ["embedded"], ["x"], { perm: [1, 0, 2] }),
    node("LSTM", ["x", "W0", "R0", "B0", "lengths"], ["y", "h"], { hidden_size: H }),
    node("Squeeze", ["h", "zero"], ["last"]),
    node("Gemm", ["last", "fc_weight", "fc_bias"], ["logits"], { transB: 1 }),
    node("Softmax", ["logits"], ["probabilities"], { axis: 1 }),
  ],
  initializers: [
    tensorProto("embedding", [V, E], sd["embedding.weight"].data),
    ...layerWeights({ cell: "lstm", H, I: E, layers: 1, bidirectional: false }, sd, 0),
    tensorProto("zero", [1], BigInt64Array.of(0n)),
    tensorProto("fc_weight", [C, H], sd["fc.weight"].data),
    tensorProto("fc_bias", [C], sd["fc.bias"].data),
  ],
  inputs: [valueInfo("ids", ["B", "T"], new BigInt64Array(0)), valueInfo("lengths", ["B"], new Int32Array(0))],
  outputs: [valueInfo("probabilities", ["B", C])],
}));

// Request bodies: single sequences of 64–128 tokens.
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const bodies = Array.from({ length: 64 }, () => {
  const T = 64 + Math.floor(random() * 65);
  const ids = Array.from({ length: T }, () => 1 + Math.floor(random() * (V - 1)));
  return JSON.stringify({ inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, T], data: ids }] });
});

/** Starts a server process; resolves with its URL and a stop function. */
async function start(command, args) {
  const child = spawn(process.execPath, [command, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`${command} exited with ${code}`)));
  });
  return { url, stop: () => new Promise((resolve) => { child.on("exit", resolve); child.kill("SIGTERM"); }) };
}

/** Loads `url + path` with `connections` clients for SECONDS; req/s and latency percentiles (ms). */
async function load(url, path, connections, requestBodies = bodies) {
  let i = 0;
  const result = await autocannon({
    url, connections, duration: SECONDS, pipelining: 1,
    requests: [{ method: "POST", path, headers: { "content-type": "application/json" }, setupRequest: (req) => ({ ...req, body: requestBodies[i++ % requestBodies.length] }) }],
  });
  if (result.non2xx) throw new Error(`${url}${path}: ${result.non2xx} answers were not 2xx`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** Batches, their calls and their compute seconds so far, from the server's histograms. */
async function batchTotals(url) {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const read = (what) => Number(new RegExp(`wasm_rnn_batch_${what}\\{model="classifier"\\} (\\S+)`).exec(metrics)?.[1] ?? 0);
  return { batches: read("size_count"), calls: read("size_sum"), seconds: read("duration_seconds_sum") };
}

/** /v2/health/live's latency, polled while `during` runs. */
async function healthLatency(url, during) {
  const samples = [];
  let running = true;
  const poll = (async () => {
    while (running) {
      const t = performance.now();
      await fetch(`${url}/v2/health/live`);
      samples.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await during();
  running = false;
  await poll;
  return { result, p50: median(samples), max: Math.max(...samples) };
}

const CLIENTS = [1, 8, 64];
const batching = ["--max-batch", String(MAX_BATCH), "--max-delay-ms", String(MAX_DELAY_MS)];
const perWorker = ["--max-batch", String(Math.ceil(MAX_BATCH / 2)), "--max-delay-ms", String(MAX_DELAY_MS)]; // the clients shared by 2 workers
const servers = [
  ["wasm-rnn serve, batched", CLI, ["serve", "--model", join(work, "classifier"), "--name", "classifier", ...batching]],
  ["wasm-rnn serve, batched, 2 workers (batches ≤ 32)", CLI, ["serve", "--model", join(work, "classifier"), "--name", "classifier", ...perWorker, "--workers", "2"]],
  ["wasm-rnn serve, batched, defaults (32, 2 ms)", CLI, ["serve", "--model", join(work, "classifier"), "--name", "classifier"]],
  ["wasm-rnn serve, --max-batch 1", CLI, ["serve", "--model", join(work, "classifier"), "--name", "classifier", "--max-batch", "1"]],
  ["wasm-rnn serve int8, batched", CLI, ["serve", "--model", join(work, "classifier-int8"), "--name", "classifier", ...batching]],
  ["onnxruntime-node f32 (2 threads), per request", fileURLToPath(new URL("./serve-ort.js", import.meta.url)), [join(work, "classifier.onnx")]],
];
const table = new Map();
const health = new Map();
for (const [label, command, args] of servers) {
  const server = await start(command, args);
  await load(server.url, "/v2/models/classifier/infer", 64, bodies); // warm-up at the most clients: the cells measure steady state (buffers for full batches exist)
  const rows = [];
  for (const n of CLIENTS) {
    if (n === 64 && label.startsWith("wasm-rnn serve, batched")) {
      const before = await batchTotals(server.url);
      const probed = await healthLatency(server.url, () => load(server.url, "/v2/models/classifier/infer", n));
      const after = await batchTotals(server.url);
      const batches = after.batches - before.batches;
      health.set(label, { ...probed, meanBatch: (after.calls - before.calls) / batches, batchMs: (1000 * (after.seconds - before.seconds)) / batches });
      rows.push(probed.result);
    } else rows.push(await load(server.url, "/v2/models/classifier/infer", n));
  }
  table.set(label, rows);
  await server.stop();
}

// The language model's generate, tokens/s across clients (a small char LM, 50 tokens a request).
const lmDir = join(work, "lm");
const text = "It is a truth universally acknowledged, that a single man in possession of a good fortune. ";
api.saveCheckpoint(lmDir, new api.LanguageModel(api.CharTokenizer.fit(text), { hiddenSize: 256, embeddingDim: 64, seed: 1 }));
const lmServer = await start(CLI, ["serve", "--model", lmDir, "--name", "lm"]);
const generateBodies = Array.from({ length: 16 }, (_, i) => JSON.stringify({ text_input: "It is", parameters: { max_tokens: 50, seed: i, temperature: 2 } }));
const generation = [];
for (const n of CLIENTS) generation.push(await load(lmServer.url, "/v2/models/lm/generate", n, generateBodies));
await lmServer.stop();

// A small char LM scoring 50-character texts (the Batcher's "score"), batched (defaults) and with
// --max-batch 1, at 1, 8, 32 and 64 clients: batching must never be slower — where batches do not pay
// (short texts on a small model), the Batcher measures it and sends calls alone.
const scoreDir = join(work, "lm-score");
api.saveCheckpoint(scoreDir, new api.LanguageModel(api.CharTokenizer.fit(text), { hiddenSize: 128, embeddingDim: 32, seed: 2 }));
const scoreBodies = Array.from({ length: 16 }, (_, i) => JSON.stringify({ inputs: [{ name: "text", datatype: "BYTES", shape: [1], data: [text.slice(i, i + 50)] }] }));
const SCORE_CLIENTS = [1, 8, 32, 64], SCORE_ROUNDS = 3;
const scoreServers = [["batched (defaults)", []], ["--max-batch 1", ["--max-batch", "1"]]];
const scoring = new Map(scoreServers.map(([label]) => [label, SCORE_CLIENTS.map(() => [])]));
// Both servers up at once (an idle one takes no CPU), measured alternately, SCORE_ROUNDS times per
// client count: the ratio is of medians, not of two moments of a noisy machine.
const running = await Promise.all(scoreServers.map(([, extra]) => start(CLI, ["serve", "--model", scoreDir, "--name", "lm", "--port", "0", ...extra])));
for (const server of running) await load(server.url, "/v2/models/lm/infer", 32, scoreBodies);
for (const [i, n] of SCORE_CLIENTS.entries()) {
  for (let round = 0; round < SCORE_ROUNDS; round++) {
    for (const [k, [label]] of scoreServers.entries()) scoring.get(label)[i].push((await load(running[k].url, "/v2/models/lm/infer", n, scoreBodies)).rps);
  }
}
for (const server of running) await server.stop();

const cpu = (await import("node:os")).cpus()[0]?.model ?? "?";
console.log(`\n=== serving: ${cpu}, ${(await import("node:os")).availableParallelism()} cores, Node ${process.version}, ${SECONDS} s per cell ===`);
console.log(`LSTM classifier V${V} E${E} H${H}, T 64–128, single-sequence requests; maxBatch ${MAX_BATCH}, maxDelayMs ${MAX_DELAY_MS}`);
console.log(`${"server".padEnd(48)} ${CLIENTS.map((n) => `${n} clients: req/s   p50   p99 ms`.padStart(34)).join("")}`);
for (const [label, rows] of table) {
  console.log(`${label.padEnd(48)} ${rows.map((r) => `${r.rps.toFixed(0).padStart(22)} ${String(r.p50).padStart(5)} ${String(r.p99).padStart(5)}`).join("")}`);
}
const [batched, onWorkers, , single, int8, ortNode] = [...table.values()];
for (const [label, h] of health) {
  console.log(`while 64 clients load "${label}": /v2/health/live median ${h.p50.toFixed(1)} ms, max ${h.max.toFixed(1)} ms; batches of ${h.meanBatch.toFixed(1)} requests computed in ${h.batchMs.toFixed(1)} ms (means, from the server's metrics)`);
}
// One (near-)full batch's compute in the server under this load, in its thread and on a worker.
const batchMs = health.get("wasm-rnn serve, batched").batchMs;
const workerBatchMs = health.get("wasm-rnn serve, batched, 2 workers (batches ≤ 32)").batchMs;
console.log(`char-LM generate (H256, 50 tokens a request), tokens/s: ${CLIENTS.map((n, i) => `${n} clients ${(generation[i].rps * 50).toFixed(0)}`).join(", ")}`);
console.log(`char-LM score (H128, 50-character texts), median req/s of ${SCORE_ROUNDS} alternating runs: ${[...scoring].map(([label, rows]) => `${label}: ${rows.map((r, i) => `${SCORE_CLIENTS[i]} clients ${median(r).toFixed(0)}`).join(", ")}`).join("; ")}`);
const [scoreBatched, scoreSingle] = [...scoring.values()].map((rows) => rows.map((r) => ({ rps: median(r) })));
const targets = [
  ...SCORE_CLIENTS.map((n, i) => [`char-LM score at ${n} clients, batched ≥ 0.95× --max-batch 1 req/s (never slower, within noise)`, scoreBatched[i].rps / scoreSingle[i].rps, 0.95]),
  ["at 64 clients, batched ≥ 1.25× unbatched req/s", batched[2].rps / single[2].rps, 1.25],
  ["at 64 clients, batched on 2 workers ≥ 1.25× unbatched req/s", onWorkers[2].rps / single[2].rps, 1.25],
  ["at 64 clients, int8 batched ≥ onnxruntime-node f32 req/s", int8[2].rps / ortNode[2].rps, 1.0],
  [`at 64 clients, batched p99 ≤ maxDelayMs + 2 × one batch's compute (${MAX_DELAY_MS} + 2 × ${batchMs.toFixed(1)} = ${(MAX_DELAY_MS + 2 * batchMs).toFixed(0)} ms)`, (MAX_DELAY_MS + 2 * batchMs) / batched[2].p99, 1.0],
  [`at 64 clients, batched on 2 workers p99 ≤ maxDelayMs + 2 × one batch's compute (${MAX_DELAY_MS} + 2 × ${workerBatchMs.toFixed(1)} = ${(MAX_DELAY_MS + 2 * workerBatchMs).toFixed(0)} ms)`, (MAX_DELAY_MS + 2 * workerBatchMs) / onWorkers[2].p99, 1.0],
];
console.log("targets:");
for (const [label, value, goal] of targets) console.log(`  ${value >= goal ? "PASS" : "FAIL"}  ${label}: ${value.toFixed(2)}×`);
process.exit(0);
