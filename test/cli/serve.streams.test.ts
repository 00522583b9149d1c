// `wasm-rnn serve --model silero_vad_v6.onnx` (the built CLI, a real process, real HTTP): the server
// finds Silero's state pair (state → stateN) and keeps each stream's state by sequence_id; eight
// concurrent streams send the test speech frame by frame, each answer equal to the same stream run
// frame by frame in this process, every frame counted in the server's batch histogram; a frame of the wrong shape is a 400 naming the input and leaves its stream's state as it
// was; the protocol's mistakes (state sent, a sequence not opened, state missing without sequences,
// --state naming no input) are refused.

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../dist/node.js";
import { readWav, SILERO, SPEECH } from "../helpers/speech.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const STREAMS = 8, FRAMES = 40;

let server: { process: ChildProcess; url: string };
const samples = readWav(SPEECH).samples;

/** Frame k of stream s: 576 samples (64 of context), each stream at its own place in the speech. */
const frame = (s: number, k: number) => Array.from(samples.subarray((s * 53 + k) * 512, (s * 53 + k) * 512 + 576));

function start(...args: string[]): Promise<{ process: ChildProcess; url: string; exit: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ process: child, url: m[1], exit, stderr: () => err });
    });
    void exit.then((code) => reject(Object.assign(new Error(`serve exited with ${code}: ${err}`), { code, stderr: err })));
  });
}

async function infer(parameters: Record<string, unknown>, inputs: unknown[]): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${server.url}/v2/models/silero/infer`, { method: "POST", body: JSON.stringify({ inputs, parameters }) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const input = (data: number[]) => ({ name: "input", datatype: "FP32", shape: [1, data.length], data });
const sr = { name: "sr", datatype: "INT64", shape: [], data: [16000] };

beforeAll(async () => {
  await init();
  server = await start("--model", SILERO.v6, "--name", "silero", "--max-batch", "16");
}, 60_000);

afterAll(() => {
  server?.process.kill("SIGTERM");
});

describe("serving a stateful ONNX model: Silero VAD streams", () => {
  it("keeps each stream's state by sequence_id and answers as the stream run alone", async () => {
    const meta = (await (await fetch(`${server.url}/v2/models/silero`)).json()) as { inputs: { name: string }[] };
    expect(meta.inputs.map((i) => i.name)).toEqual(["input", "state", "sr"]);
    // The reference: each stream frame by frame in this process.
    const session = await onnx.InferenceSession.create(readFileSync(SILERO.v6));
    const expected: number[][] = [];
    for (let s = 0; s < STREAMS; s++) {
      let state = new onnx.Tensor("float32", new Float32Array(256), [2, 1, 128]);
      expected.push([]);
      for (let k = 0; k < FRAMES; k++) {
        const out = await session.run({ input: new onnx.Tensor("float32", frame(s, k), [1, 576]), state, sr: new onnx.Tensor("int64", [16000n], []) });
        state = out.stateN;
        expected[s].push((out.output.data as Float32Array)[0]);
      }
    }
    await session.release();
    const got = await Promise.all(Array.from({ length: STREAMS }, async (_, s) => {
      const probabilities: number[] = [];
      for (let k = 0; k < FRAMES; k++) {
        const { status, json } = await infer({ sequence_id: `stream-${s}`, sequence_start: k === 0, sequence_end: k === FRAMES - 1 }, [input(frame(s, k)), sr]);
        expect(status, JSON.stringify(json)).toBe(200);
        const outputs = json.outputs as { name: string; data: number[] }[];
        expect(outputs.map((o) => o.name)).toEqual(["output"]);
        probabilities.push(outputs[0].data[0]);
      }
      return probabilities;
    }));
    let worst = 0;
    got.forEach((p, s) => p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - expected[s][k])))));
    expect(worst).toBeLessThan(1e-5);
    // Every frame was a run or part of one (whether frames batch depends on their timing and on what
    // pays: test/serving/stream-batcher.test.ts batches them deterministically).
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const alone = /wasm_rnn_batch_size_bucket\{model="silero",le="1"\} (\d+)/.exec(metrics), runs = /wasm_rnn_batch_size_count\{model="silero"\} (\d+)/.exec(metrics);
    const frames = /wasm_rnn_batch_size_sum\{model="silero"\} (\d+)/.exec(metrics);
    expect(Number(frames?.[1])).toBeGreaterThanOrEqual(STREAMS * FRAMES);
    console.log(`${STREAMS} streams × ${FRAMES} frames through serve: max |Δp| ${worst.toExponential(1)} from each stream run alone; ${runs?.[1]} runs, ${Number(runs?.[1]) - Number(alone?.[1])} of them batches`);
  }, 120_000);

  it("a frame of the wrong shape is a 400 naming the input, and the stream goes on from the state it had", async () => {
    const session = await onnx.InferenceSession.create(readFileSync(SILERO.v6));
    let state = new onnx.Tensor("float32", new Float32Array(256), [2, 1, 128]);
    const reference: number[] = [];
    for (let k = 0; k < 3; k++) {
      const out = await session.run({ input: new onnx.Tensor("float32", frame(0, k), [1, 576]), state, sr: new onnx.Tensor("int64", [16000n], []) });
      state = out.stateN;
      reference.push((out.output.data as Float32Array)[0]);
    }
    await session.release();
    const p = (json: Record<string, unknown>) => (json.outputs as { data: number[] }[])[0].data[0];
    const first = await infer({ sequence_id: "bad", sequence_start: true }, [input(frame(0, 0)), sr]);
    expect(Math.abs(p(first.json) - reference[0])).toBeLessThan(1e-5);
    const wrong = await infer({ sequence_id: "bad" }, [{ name: "input", datatype: "FP32", shape: [2, 576], data: [...frame(0, 1), ...frame(0, 1)] }, sr]);
    expect(wrong.status).toBe(400);
    expect(String(wrong.json.error)).toMatch(/input "input": a stream's frame has 1 on its batch axis 0, as the stream's state; got \[2, 576\]/);
    const short = await infer({ sequence_id: "bad" }, [input(frame(0, 1).slice(0, 7)), sr]);
    expect(short.status).toBe(400);
    expect(String(short.json.error)).toMatch(/sequence "bad": the frame \(input "input" \[1, 7\], input "sr" \[\]\) was refused, the stream's state kept: .*Conv.*smaller than the kernel/);
    const second = await infer({ sequence_id: "bad" }, [input(frame(0, 1)), sr]);
    const third = await infer({ sequence_id: "bad", sequence_end: true }, [input(frame(0, 2)), sr]);
    expect(Math.abs(p(second.json) - reference[1])).toBeLessThan(1e-5);
    expect(Math.abs(p(third.json) - reference[2])).toBeLessThan(1e-5);
  });

  it("refuses the protocol's mistakes with 400 and goes on serving", async () => {
    const state = { name: "state", datatype: "FP32", shape: [2, 1, 128], data: new Array(256).fill(0) };
    const sent = await infer({ sequence_id: "s", sequence_start: true }, [input(frame(1, 0)), state, sr]);
    expect(sent.status).toBe(400);
    expect(String(sent.json.error)).toMatch(/input "state" is the stream's state, which the server keeps/);
    const notOpen = await infer({ sequence_id: "never-started" }, [input(frame(1, 0)), sr]);
    expect(notOpen.status).toBe(400);
    expect(String(notOpen.json.error)).toMatch(/sequence "never-started" is not open/);
    const noState = await infer({}, [input(frame(1, 0)), sr]);
    expect(noState.status).toBe(400);
    expect(String(noState.json.error)).toMatch(/input "state" is missing \(or send parameters.sequence_id/);
    // Without sequences, a request with its own state runs as any ONNX request.
    const whole = await infer({}, [input(frame(1, 0)), state, sr]);
    expect(whole.status).toBe(200);
    expect((whole.json.outputs as { name: string }[]).map((o) => o.name)).toEqual(["output", "stateN"]);
  });

  it("--state naming an input the model does not have is refused at start", async () => {
    const failed = await start("--model", SILERO.v6, "--state", "hidden=stateN").then(() => null, (e: { code: number; stderr: string }) => e);
    expect(failed).not.toBeNull();
    expect(failed!.stderr).toMatch(/--state hidden=stateN: the model has no input "hidden"/);
  });
});
