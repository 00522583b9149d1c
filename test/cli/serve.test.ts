// `wasm-rnn serve` (the built dist/cli/main.js) as a real process, spoken to over real HTTP with Node's
// fetch: the Open Inference Protocol routes for a language model (the demo's Austen model), a
// classifier, a tagger and a seq2seq model (the demo's dates model), each answer checked against the
// same model run in this process, and an ONNX file and a Keras model.json with their own inputs and
// outputs; generation whole and streamed; batching of concurrent requests
// (seen in /metrics); the client's mistakes answered 4xx while the server goes on serving; a body
// over the limit refused unread; a stalled client holding no one else up; a worker ended mid-batch
// from outside (through the inspector) failing only its batch; SIGTERM finishing what
// is in flight, then exiting 0 (after a drain delay with readiness 503, when one is asked for).

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, loadCheckpoint, loadLayersModel, onnx, saveCheckpoint, SequenceClassifier, SequenceTagger, tensor, type LanguageModel, type Seq2Seq, type Tensor } from "../../dist/node.js";
import { readTensorProto } from "../../dist/io/onnx/tensor-proto.js";
import { randomize, save, tf } from "../fixtures/keras/tfjs-models.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const MODELS = fileURLToPath(new URL("../../web/models/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wasm-rnn-serve-"));

interface Served {
  process: ChildProcess;
  url: string;
  exit: Promise<number | null>;
  /** What it has written to stderr so far. */
  stderr(): string;
}

const running: Served[] = [];

/** Starts `wasm-rnn serve` and resolves once it prints where it listens. */
function start(...args: string[]): Promise<Served> {
  return launch([], args);
}

/** Starts `wasm-rnn serve ARGS` under node NODE_FLAGS. */
async function launch(nodeFlags: string[], args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [...nodeFlags, CLI, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let out = "", err = "";
  child.stderr!.on("data", (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exit.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    setTimeout(() => reject(new Error(`serve did not start: ${out} ${err}`)), 30_000);
  });
  const served = { process: child, url, exit, stderr: () => err };
  running.push(served);
  return served;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

type Outputs = { name: string; datatype: string; shape: number[]; data: (number | string)[] }[];

let lm: LanguageModel, dates: Seq2Seq, classifier: SequenceClassifier, tagger: SequenceTagger;
let lmServer: Served, classifierServer: Served;
const classifierDir = join(work, "classifier"), taggerDir = join(work, "tagger");

beforeAll(async () => {
  await init();
  lm = loadCheckpoint(join(MODELS, "austen")).model as LanguageModel;
  dates = loadCheckpoint(join(MODELS, "dates")).model as Seq2Seq;
  classifier = new SequenceClassifier({ vocabSize: 30, embeddingDim: 8, hiddenSize: 16, numClasses: 3, seed: 1 });
  tagger = new SequenceTagger({ vocabSize: 30, embeddingDim: 8, hiddenSize: 12, numTags: 5, seed: 2 });
  saveCheckpoint(classifierDir, classifier);
  saveCheckpoint(taggerDir, tagger);
  [lmServer, classifierServer] = await Promise.all([start("--model", join(MODELS, "austen")), start("--model", classifierDir, "--name", "sentiment", "--max-delay-ms", "25", "--max-body-bytes", "2000")]);
}, 60_000);

afterAll(async () => {
  for (const s of running) s.process.kill("SIGKILL");
});

function softmax(row: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(row));
  const e = Array.from(row, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

describe("wasm-rnn serve", () => {
  it("answers health, server and model metadata", async () => {
    expect((await fetch(`${lmServer.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${lmServer.url}/v2/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${lmServer.url}/v2`)).json()).toMatchObject({ name: "wasm-rnn", extensions: ["generate"] });
    expect(await (await fetch(`${lmServer.url}/v2/models/austen`)).json()).toEqual({
      name: "austen", versions: ["1"], platform: "wasm-rnn language-model",
      inputs: [{ name: "text", datatype: "BYTES", shape: [-1] }],
      outputs: [{ name: "log_prob", datatype: "FP32", shape: [-1] }, { name: "perplexity", datatype: "FP32", shape: [-1] }],
    });
    expect((await fetch(`${classifierServer.url}/v2/models/sentiment/ready`)).status).toBe(200);
  });

  it("a language model: log_prob and perplexity of each text, the id echoed, outputs selected", async () => {
    const texts = ["It is a truth universally acknowledged", "Mr. Darcy"];
    const { status, json } = await post(`${lmServer.url}/v2/models/austen/infer`, { id: "r-1", inputs: [{ name: "text", datatype: "BYTES", shape: [2], data: texts }] });
    expect(status).toBe(200);
    expect(json).toMatchObject({ model_name: "austen", id: "r-1" });
    const [logProb, perplexity] = json.outputs as Outputs;
    texts.forEach((t, b) => {
      expect(logProb.data[b] as number).toBeCloseTo(lm.logProb(t), 3);
      expect(perplexity.data[b] as number).toBeCloseTo(lm.perplexity(t), 3);
    });
    const only = await post(`${lmServer.url}/v2/models/austen/infer`, { inputs: [{ name: "text", datatype: "BYTES", shape: [1], data: ["Mr. Darcy"] }], outputs: [{ name: "perplexity" }] });
    expect((only.json.outputs as Outputs).map((o) => o.name)).toEqual(["perplexity"]);
  });

  it("keeps a sequence between requests (sequence_id): its chunks' log_probs add up to the whole text's", async () => {
    const url = `${lmServer.url}/v2/models/austen/infer`;
    const chunks = ["It is a truth ", "universally ", "acknowledged"];
    const whole = lm.logProb(chunks.join(""));
    let sum = 0;
    for (const [i, text] of chunks.entries()) {
      const parameters = { sequence_id: "reader-1", sequence_start: i === 0, sequence_end: i === chunks.length - 1 };
      const r = await post(url, { inputs: [{ name: "text", datatype: "BYTES", shape: [1], data: [text] }], parameters });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      sum += (r.json.outputs as Outputs)[0].data[0] as number;
      if (i === 0) expect(await (await fetch(`${lmServer.url}/metrics`)).text()).toMatch(/wasm_rnn_sessions 1/);
    }
    expect(sum).toBeCloseTo(whole, 3);
    // Ended: the sequence is gone; a chunk without sequence_start for an unknown id is refused.
    const again = await post(url, { inputs: [{ name: "text", datatype: "BYTES", shape: [1], data: ["more"] }], parameters: { sequence_id: "reader-1" } });
    expect(again.status).toBe(400);
    expect(again.json.error).toMatch(/sequence "reader-1" is not open/);
    const two = await post(url, { inputs: [{ name: "text", datatype: "BYTES", shape: [2], data: ["a", "b"] }], parameters: { sequence_id: 7, sequence_start: true } });
    expect(two.json.error).toMatch(/takes one text; got 2/);
  });

  it("keeps a classifier's and a tagger's sequences: the classification so far, each chunk's tags", async () => {
    const ids = [3, 4, 5, 6, 7, 8, 9, 10, 11], chunks = [ids.slice(0, 4), ids.slice(4, 5), ids.slice(5)];
    const taggerServer = await start("--model", taggerDir, "--name", "tagger-sequences");
    let seen = 0;
    const tags: number[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const parameters = { sequence_id: 42, sequence_start: i === 0, sequence_end: i === chunks.length - 1 };
      const body = { inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, chunk.length], data: chunk }], parameters };
      const c = await post(`${classifierServer.url}/v2/models/sentiment/infer`, body);
      expect(c.status, JSON.stringify(c.json)).toBe(200);
      seen += chunk.length;
      const expected = softmax(classifier.forward([ids.slice(0, seen)]).data);
      expected.forEach((p, k) => expect((c.json.outputs as Outputs)[0].data[k] as number).toBeCloseTo(p, 5));
      const t = await post(`${taggerServer.url}/v2/models/tagger-sequences/infer`, body);
      expect(t.status, JSON.stringify(t.json)).toBe(200);
      tags.push(...((t.json.outputs as Outputs)[0].data as number[]));
    }
    expect(tags).toEqual(tagger.predict([ids])[0]);
    const two = await post(`${classifierServer.url}/v2/models/sentiment/infer`, { inputs: [{ name: "input_ids", datatype: "INT64", shape: [2, 1], data: [1, 2] }], parameters: { sequence_id: "x", sequence_start: true } });
    expect(two.json.error).toMatch(/takes one row; got 2/);
    const ended = await post(`${classifierServer.url}/v2/models/sentiment/infer`, { inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, 1], data: [1] }], parameters: { sequence_id: 42 } });
    expect(ended.json.error).toMatch(/sequence "42" is not open/);
  });

  it("generates: whole, and streamed as server-sent events, the text sample gives", async () => {
    const parameters = { max_tokens: 30, seed: 7, temperature: 0.8 };
    const expected = lm.sample({ prime: "It is", length: 30, seed: 7, temperature: 0.8 });
    const whole = await post(`${lmServer.url}/v2/models/austen/generate`, { text_input: "It is", parameters });
    expect(whole.json).toEqual({ model_name: "austen", model_version: "1", text_output: expected });
    const stream = await fetch(`${lmServer.url}/v2/models/austen/generate_stream`, { method: "POST", body: JSON.stringify({ text_input: "It is", parameters }) });
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const events = (await stream.text()).split("\n\n").filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, "")).text_output as string);
    expect(events.length).toBeGreaterThan(10);
    expect(events.join("")).toBe(expected);
  });

  it("a classifier and a tagger (lengths cut each row), a seq2seq model: each answer the model's own", async () => {
    const ids = [[3, 4, 5, 6, 0], [7, 8, 0, 0, 0]], lengths = [4, 2];
    const input = { name: "input_ids", datatype: "INT64", shape: [2, 5], data: ids.flat() };
    const c = await post(`${classifierServer.url}/v2/models/sentiment/infer`, { inputs: [input, { name: "lengths", datatype: "INT32", shape: [2], data: lengths }] });
    expect(c.status).toBe(200);
    const [probabilities, label] = c.json.outputs as Outputs;
    expect(probabilities.shape).toEqual([2, 3]);
    ids.forEach((row, b) => {
      const expected = softmax(classifier.forward([row.slice(0, lengths[b])]).data);
      expected.forEach((p, k) => expect(probabilities.data[b * 3 + k] as number).toBeCloseTo(p, 5));
      expect(label.data[b]).toBe(expected.indexOf(Math.max(...expected)));
    });
    const taggerServer = await start("--model", taggerDir);
    const t = await post(`${taggerServer.url}/v2/models/tagger/infer`, { inputs: [input, { name: "lengths", datatype: "INT64", shape: [2], data: lengths }] });
    const tags = (t.json.outputs as Outputs)[0];
    expect(tags.shape).toEqual([2, 5]);
    expect(tags.data).toEqual(ids.flatMap((row, b) => [...tagger.predict([row.slice(0, lengths[b])])[0], ...new Array(5 - lengths[b]).fill(-1)]));
    const datesServer = await start("--model", join(MODELS, "dates"));
    const sources = ["March 3, 2024", "12/25/1999"];
    const d = await post(`${datesServer.url}/v2/models/dates/infer`, { inputs: [{ name: "text", datatype: "BYTES", shape: [2], data: sources }] });
    expect((d.json.outputs as Outputs)[0].data).toEqual(dates.decode(sources).map((r) => r.text));
    const stream = await fetch(`${datesServer.url}/v2/models/dates/generate_stream`, { method: "POST", body: JSON.stringify({ text_input: sources[0] }) });
    const pieces = (await stream.text()).split("\n\n").filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, "")).text_output as string);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(dates.decode([sources[0]])[0].text);
    const noSequences = await post(`${datesServer.url}/v2/models/dates/infer`, { inputs: [{ name: "text", datatype: "BYTES", shape: [1], data: sources.slice(0, 1) }], parameters: { sequence_id: "x", sequence_start: true } });
    expect(noSequences.status).toBe(400);
    expect(noSequences.json.error).toMatch(/keeps no sequences/);
  });

  it("an ONNX model and a Keras model.json: their own inputs and outputs, each answer the model's own, in the server's thread and with --workers 2", async () => {
    const folder = fileURLToPath(new URL("../fixtures/onnx/attr_lstm_layout1/", import.meta.url));
    const feeds = Object.fromEntries(readdirSync(folder).filter((f) => /^input_\d+\.pb$/.test(f)).map((f) => {
      const { name, tensor: t } = readTensorProto(readFileSync(join(folder, f)));
      return [name, t];
    }));
    const session = await onnx.InferenceSession.create(join(folder, "model.onnx"));
    const expected = await session.run(feeds);
    const datatype = (type: string) => ({ float32: "FP32", int32: "INT32", int64: "INT64" })[type];
    const request = { inputs: Object.entries(feeds).map(([name, t]) => ({ name, datatype: datatype(t.type), shape: t.dims, data: Array.from(t.data as ArrayLike<number | bigint>, Number) })) };
    // Keras: a model built in tfjs and saved as tf.io saves it, served from its model.json.
    const model = tf.sequential({ layers: [tf.layers.gru({ units: 6, returnSequences: true, inputShape: [5, 3] }), tf.layers.dense({ units: 2 })] });
    randomize(model, 3);
    const { modelJson, weights } = await save(model);
    const dir = join(work, "keras");
    mkdirSync(dir);
    writeFileSync(join(dir, "model.json"), JSON.stringify(modelJson));
    writeFileSync(join(dir, "weights.bin"), new Uint8Array(weights));
    const x = Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i));
    const ours = (await loadLayersModel(join(dir, "model.json"))).predict(tensor(Float32Array.from(x), [2, 5, 3])) as Tensor;
    // In the server's thread, then on a pool of two workers (three requests at once, so both run one).
    for (const [workers, requests] of [[[], 1], [["--workers", "2"], 3]] as const) {
      const server = await start("--model", join(folder, "model.onnx"), "--name", "lstm", ...workers);
      const metadata = (await (await fetch(`${server.url}/v2/models/lstm`)).json()) as { inputs: { name: string; datatype: string }[]; outputs: { name: string }[] };
      expect(metadata.inputs.map((i) => i.name)).toEqual(session.inputNames);
      expect(metadata.outputs.map((o) => o.name)).toEqual(session.outputNames);
      for (const r of await Promise.all(Array.from({ length: requests }, () => post(`${server.url}/v2/models/lstm/infer`, request)))) {
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        for (const out of r.json.outputs as Outputs) {
          expect(out.shape).toEqual(expected[out.name].dims);
          Array.from(expected[out.name].data as Float32Array).forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 6));
        }
      }
      const keras = await start("--model", join(dir, "model.json"), "--name", "keras", ...workers);
      const input = { inputs: [{ name: model.inputNames[0], datatype: "FP32", shape: [2, 5, 3], data: x }] };
      for (const k of await Promise.all(Array.from({ length: requests }, () => post(`${keras.url}/v2/models/keras/infer`, input)))) {
        expect(k.status, JSON.stringify(k.json)).toBe(200);
        const [y] = k.json.outputs as Outputs;
        expect(y.shape).toEqual([2, 5, 2]);
        Array.from(ours.data).forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 6));
      }
    }
    await session.release();
  });

  it("batches concurrent requests: 12 single-row requests, each its own answer, in fewer batches", async () => {
    const rows = Array.from({ length: 12 }, (_, i) => [1 + (i % 29), 2 + ((i * 7) % 28), 3 + ((i * 5) % 27)].slice(0, 1 + (i % 3)));
    const answers = await Promise.all(rows.map((row) =>
      post(`${classifierServer.url}/v2/models/sentiment/infer`, { inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, row.length], data: row }] })));
    answers.forEach((a, i) => {
      const expected = softmax(classifier.forward([rows[i]]).data);
      expected.forEach((p, k) => expect(((a.json.outputs as Outputs)[0].data[k]) as number).toBeCloseTo(p, 5));
    });
    const metrics = await (await fetch(`${classifierServer.url}/metrics`)).text();
    const batches = Number(/wasm_rnn_batch_size_count\{model="sentiment"\} (\d+)/.exec(metrics)![1]);
    const calls = Number(/wasm_rnn_batch_size_sum\{model="sentiment"\} (\d+)/.exec(metrics)![1]);
    expect(calls).toBeGreaterThanOrEqual(12);
    expect(batches).toBeLessThan(calls); // at least one batch held several requests
    expect(Number(/wasm_rnn_batch_duration_seconds_count\{model="sentiment"\} (\d+)/.exec(metrics)![1])).toBe(batches); // every batch ended
    expect(Number(/wasm_rnn_batch_duration_seconds_sum\{model="sentiment"\} (\S+)/.exec(metrics)![1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/wasm_rnn_requests_total\{model="sentiment",endpoint="infer",status="200"\} \d+/);
    expect(metrics).toMatch(/wasm_rnn_wasm_memory_bytes \d+/);
  });

  it("answers the client's mistakes 4xx, naming the field, and goes on serving", async () => {
    const url = `${classifierServer.url}/v2/models/sentiment/infer`;
    const input = (over: Record<string, unknown>) => ({ inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, 2], data: [1, 2], ...over }] });
    const cases: [unknown, number, RegExp][] = [
      ["{not json", 400, /malformed JSON/],
      [{ inputs: [] }, 400, /inputs must be a non-empty array/],
      [input({ datatype: "FP32" }), 400, /input "input_ids": datatype must be INT32 or INT64; got FP32/],
      [input({ shape: [1, 3] }), 400, /shape \[1, 3\] holds 3 values; data has 2/],
      [input({ shape: [2] }), 400, /input "input_ids": shape must be \[-1, -1\]/],
      [input({ data: [1, 99] }), 400, /Batcher\.classify: input/],
      [{ inputs: [{ name: "lengths", datatype: "INT64", shape: [1], data: [1] }] }, 400, /input "input_ids" is missing/],
      [{ inputs: [{ name: "x", datatype: "INT64", shape: [1], data: [1] }] }, 400, /the model has no input "x"/],
      [{ ...input({}), outputs: [{ name: "logits" }] }, 400, /outputs\[0\]\.name must be one of probabilities, label/],
    ];
    for (const [body, status, message] of cases) {
      const r = await post(url, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.error).toMatch(message);
    }
    expect((await post(`${classifierServer.url}/v2/models/nope/infer`, input({}))).status).toBe(404);
    const malformed = await fetch(`${classifierServer.url}/v2/models/%zz/ready`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not valid percent-encoding/);
    expect((await fetch(`${classifierServer.url}/v2/health/live?probe=1`)).status).toBe(200); // a query is not part of the path
    expect((await fetch(url)).status).toBe(405);
    expect((await post(`${classifierServer.url}/v2/models/sentiment/generate`, {})).json.error).toMatch(/does not generate text/);
    expect((await post(`${lmServer.url}/v2/models/austen/generate`, { text_input: "It", parameters: { temperature: -1 } })).json.error).toMatch(/temperature must be a number > 0/);
    const tooBig = await fetch(url, { method: "POST", body: JSON.stringify(input({ data: new Array(2000).fill(1), shape: [1, 2000] })) });
    expect(tooBig.status).toBe(413);
    expect((await post(url, input({}))).status).toBe(200);
  });

  it("a stalled client holds no one else up", async () => {
    const { hostname, port } = new URL(classifierServer.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("POST /v2/models/sentiment/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inputs\":"); // and nothing more
    const started = performance.now();
    const r = await post(`${classifierServer.url}/v2/models/sentiment/infer`, { inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, 2], data: [1, 2] }] });
    expect(r.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5000);
    socket.destroy();
  });

  it("a worker that dies mid-batch fails only its batch: the other requests are answered, and the server goes on", async () => {
    const big = new SequenceClassifier({ vocabSize: 30, embeddingDim: 16, hiddenSize: 192, numClasses: 3, seed: 3 });
    const dir = join(work, "big-classifier");
    saveCheckpoint(dir, big);
    const server = await launch(["--inspect=127.0.0.1:0"], ["--model", dir, "--name", "big", "--workers", "2", "--max-batch", "2"]);
    const infer = (row: number[]) => post(`${server.url}/v2/models/big/infer`, { inputs: [{ name: "input_ids", datatype: "INT64", shape: [1, row.length], data: row }] });
    const rows = Array.from({ length: 20 }, (_, i) => Array.from({ length: 6000 }, (_, t) => 1 + ((t * 7 + i * 3) % 29)));
    const answers = Promise.all(rows.map(infer));
    for (;;) { // until both workers run a batch
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      if (Number(/wasm_rnn_batch_size_count\{model="big"\} (\d+)/.exec(metrics)?.[1] ?? 0) >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const flags = typeof WebSocket === "undefined" ? ["--experimental-websocket"] : [];
    const inspector = /ws:\/\/\S+/.exec(server.stderr())![0];
    const ended = execFileSync(process.execPath, [...flags, fileURLToPath(new URL("../helpers/end-worker.mjs", import.meta.url)), inspector], { encoding: "utf8" });
    expect(Number(ended)).toBe(2); // it saw both workers, and ended one
    const results = await answers;
    const failed = results.filter((r) => r.status !== 200);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThanOrEqual(2);
    for (const f of failed) {
      expect(f.status).toBe(500);
      expect(f.json.error).toContain(`the batch of ${failed.length} call(s) failed`);
      expect(f.json.error).toContain("the worker exited");
    }
    results.forEach((r, i) => {
      if (r.status !== 200) return;
      const expected = softmax(big.forward([rows[i]]).data);
      expected.forEach((p, k) => expect(((r.json.outputs as Outputs)[0].data[k]) as number).toBeCloseTo(p, 5));
    });
    const after = await infer(rows[0]); // the pool has replaced the worker
    expect(after.status).toBe(200);
    expect(((after.json.outputs as Outputs)[0].data[0]) as number).toBeCloseTo(softmax(big.forward([rows[0]]).data)[0], 5);
    big.dispose();
  });

  it("on SIGTERM stops accepting, finishes the stream in flight, then exits 0", async () => {
    const server = await start("--model", join(MODELS, "austen"), "--name", "draining");
    const stream = await fetch(`${server.url}/v2/models/draining/generate_stream`, { method: "POST", body: JSON.stringify({ text_input: "It", parameters: { max_tokens: 400, seed: 1 } }) });
    const reader = stream.body!.getReader();
    await reader.read(); // the stream has started
    server.process.kill("SIGTERM");
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const pieces = text.split("\n\n").filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, "")).text_output as string);
    expect(pieces.length).toBeGreaterThan(100); // the generation ran on after SIGTERM
    expect(await server.exit).toBe(0);
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
  });

  it("with --drain-delay-ms, readiness answers 503 after SIGTERM while requests are still served, then it exits 0", async () => {
    const server = await start("--model", join(MODELS, "austen"), "--name", "drain", "--drain-delay-ms", "3000");
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    const signalled = performance.now();
    server.process.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(503);
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    const r = await post(`${server.url}/v2/models/drain/infer`, { inputs: [{ name: "text", datatype: "BYTES", shape: [1], data: ["It is"] }] });
    expect(r.status).toBe(200);
    expect(await server.exit).toBe(0);
    expect(performance.now() - signalled).toBeGreaterThan(2900);
  });
});
