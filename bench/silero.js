// Real recurrent models per frame (`node silero.js`, run by `npm run bench`): Silero VAD v6 and v5 as
// @ricky0123/vad-web ships them, one 32 ms frame (512 samples + 64 of context) at a time with the
// state carried, as vad-web runs them — wasm-rnn's session against onnxruntime-web (wasm backend, one
// thread) and onnxruntime-node (native, one thread) in this process; 32 streams at once (wasm-rnn:
// one run of batch 32; onnxruntime-web: 32 sessions, a run each); and the streaming speech enhancer
// of test/fixtures. Each peer's frames come from the test speech; every timed frame's output is
// compared with onnxruntime-node's. Medians of per-frame times, the peers taking turns in blocks of frames.

import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { init, onnx } from "../dist/index.js";
import { median } from "./timing.js";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const vadDist = here("../node_modules/@ricky0123/vad-web/dist/");
const MODELS = { v6: `${vadDist}silero_vad_v6.onnx`, v5: `${vadDist}silero_vad_v5.onnx`, v4: `${vadDist}silero_vad_legacy.onnx` };
const FRAMES = 200, WARMUP = 100, BLOCK = 25, STREAMS = 32;

await init({ threads: 1 });
const ortWeb = await import("onnxruntime-web");
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.proxy = false;
const ortNode = (await import("onnxruntime-node")).default;
const ORT_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" };

/** The test speech, 16 kHz float samples (16-bit PCM WAV). */
function speech() {
  const bytes = readFileSync(here("../test/fixtures/speech/speech-16k.wav"));
  const data = bytes.indexOf("data", 12, "latin1");
  const n = bytes.readUInt32LE(data + 4) / 2;
  return Float32Array.from({ length: n }, (_, i) => bytes.readInt16LE(data + 8 + 2 * i) / 32768);
}
const samples = speech();

/** A Silero stream on one runtime: `frame(k)` runs the stream's k-th frame and returns the speech
 *  probability. v5 and v6: 512 samples and 64 of context, one state; v4: 1536 samples (vad-web's
 *  NonRealTimeVAD frames), h and c. */
async function sileroStream(Tensor, session, batch = 1, legacy = false) {
  const width = legacy ? 1536 : 576, step = legacy ? 1536 : 512, H = legacy ? 64 : 128;
  const zeros = () => new Tensor("float32", new Float32Array(2 * batch * H), [2, batch, H]);
  let state = legacy ? { h: zeros(), c: zeros() } : { state: zeros() };
  const sr = new Tensor("int64", BigInt64Array.from([16000n]), []);
  const input = new Float32Array(batch * width);
  return async (k) => {
    for (let b = 0; b < batch; b++) {
      const at = ((k + 7 * b) * step) % (samples.length - width);
      input.set(samples.subarray(at, at + width), b * width);
    }
    const out = await session.run({ input: new Tensor("float32", input.slice(), [batch, width]), ...state, sr });
    state = legacy ? { h: out.hn, c: out.cn } : { state: out.stateN };
    return out.output.data;
  };
}

/** Per-frame medians (µs) of each runner over FRAMES frames after WARMUP: runners take turns in blocks
 *  of BLOCK consecutive frames (a stream's frames follow each other, as in an application; the turns
 *  spread other processes' load over every peer), and each frame's outputs are compared with
 *  onnxruntime-node's of the same frame. */
async function perFrame(runners) {
  const names = Object.keys(runners);
  for (let k = 0; k < WARMUP; k++) for (const name of names) await runners[name](k);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const outputs = Object.fromEntries(names.map((n) => [n, []]));
  for (let block = WARMUP; block < WARMUP + FRAMES; block += BLOCK) {
    for (const name of names) {
      for (let k = block; k < block + BLOCK; k++) {
        const t0 = performance.now();
        outputs[name][k - WARMUP] = await runners[name](k);
        times[name].push((performance.now() - t0) * 1000);
      }
    }
  }
  let worst = 0;
  const reference = outputs["onnxruntime-node"];
  if (reference) for (const name of names) outputs[name].forEach((o, k) => (worst = Math.max(worst, ...Array.from(o, (v, i) => Math.abs(v - reference[k][i])))));
  return { medians: Object.fromEntries(names.map((n) => [n, median(times[n])])), worst };
}

function row(label, medians, unit = "µs") {
  const ours = medians["wasm-rnn"];
  const peers = Object.entries(medians).filter(([n]) => n !== "wasm-rnn");
  return `${label.padEnd(34)} wasm-rnn ${ours.toFixed(0).padStart(5)} ${unit}   ` + peers.map(([n, v]) => `${n} ${v.toFixed(0).padStart(5)} ${unit} (${(v / ours).toFixed(2)}×)`).join("   ");
}

console.log(`\nreal models per frame (${os.cpus()[0].model}, Node ${process.versions.node}, one thread; medians of ${FRAMES} frames after ${WARMUP}, in turns of ${BLOCK}; ratio = peer / wasm-rnn):`);
for (const [version, path] of Object.entries(MODELS)) {
  const bytes = readFileSync(path);
  const legacy = version === "v4";
  const runners = {
    "wasm-rnn": await sileroStream(onnx.Tensor, await onnx.InferenceSession.create(bytes), 1, legacy),
    "onnxruntime-web": await sileroStream(ortWeb.Tensor, await ortWeb.InferenceSession.create(bytes, { ...ORT_OPTIONS, executionProviders: ["wasm"] }), 1, legacy),
    "onnxruntime-node": await sileroStream(ortNode.Tensor, await ortNode.InferenceSession.create(bytes, ORT_OPTIONS), 1, legacy),
  };
  const { medians, worst } = await perFrame(runners);
  console.log(`${row(`Silero ${version}, ${legacy ? 96 : 32} ms frame, batch 1`, medians)}   max |Δp| ${worst.toExponential(1)}`);
}

// 32 streams: one run of batch 32 against 32 onnxruntime-web sessions (vad-web's way: a session per stream).
{
  const bytes = readFileSync(MODELS.v6);
  const batched = await sileroStream(onnx.Tensor, await onnx.InferenceSession.create(bytes), STREAMS);
  const sessions = await Promise.all(Array.from({ length: STREAMS }, async () => sileroStream(ortWeb.Tensor, await ortWeb.InferenceSession.create(bytes, { ...ORT_OPTIONS, executionProviders: ["wasm"] }))));
  const { medians } = await perFrame({
    "wasm-rnn": batched,
    "onnxruntime-web": async (k) => {
      for (const s of sessions) await s(k);
      return new Float32Array(0);
    },
  });
  const fps = (us) => (STREAMS * 1e6) / us;
  console.log(`Silero v6, ${STREAMS} streams (batch ${STREAMS} / ${STREAMS} sessions)   wasm-rnn ${fps(medians["wasm-rnn"]).toFixed(0)} frames/s   onnxruntime-web ${fps(medians["onnxruntime-web"]).toFixed(0)} frames/s (${(medians["onnxruntime-web"] / medians["wasm-rnn"]).toFixed(2)}×)`);
}

// The streaming speech enhancer (test/fixtures/onnx/enhancer): GRUs between 2-D convolutions.
{
  const bytes = readFileSync(here("../test/fixtures/onnx/enhancer/model.onnx"));
  const caches = { conv_cache: [1, 1, 2, 161], dw_cache: [1, 8, 1, 81], conv3_cache: [1, 16, 1, 41], gru_state: [2, 1, 64] };
  const stream = async (Tensor, session) => {
    let state = Object.fromEntries(Object.entries(caches).map(([k, dims]) => [k, new Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b)), dims)]));
    return async (k) => {
      const frame = Float32Array.from({ length: 161 }, (_, i) => Math.abs(samples[(k * 161 + i) % samples.length]) * 4);
      const out = await session.run({ frame: new Tensor("float32", frame, [1, 1, 1, 161]), ...state });
      state = Object.fromEntries(Object.keys(caches).map((c) => [c, out[`${c}_out`]]));
      return out.mask.data;
    };
  };
  const { medians, worst } = await perFrame({
    "wasm-rnn": await stream(onnx.Tensor, await onnx.InferenceSession.create(bytes)),
    "onnxruntime-web": await stream(ortWeb.Tensor, await ortWeb.InferenceSession.create(bytes, { ...ORT_OPTIONS, executionProviders: ["wasm"] })),
    "onnxruntime-node": await stream(ortNode.Tensor, await ortNode.InferenceSession.create(bytes, ORT_OPTIONS)),
  });
  console.log(`${row("speech enhancer, one frame", medians)}   max |Δmask| ${worst.toExponential(1)}`);
}
