// Serving real-time streams (`node serve-streams.js`, after `npm run build`; run by `npm run bench`):
// Silero VAD v6 streams, each sending a 32 ms frame every 32 ms as a microphone would, to
//   (a) `wasm-rnn serve --model silero_vad_v6.onnx` (the server keeps each stream's state by
//       sequence_id and runs concurrent frames together where that pays), one thread;
//   (b) the same with --max-batch 1 (every frame alone);
//   (c) serve-ort-streams.js: a minimal Node HTTP server around onnxruntime-node (one thread) that keeps
//       each stream's state itself and runs the model once per request, as a hand-written server would.
// Per frame: p50 and p99 latency with 64 streams; then how many real-time streams each holds: the
// most streams (doubling from 64) whose p99 stays under a frame's 32 ms. The clients run in this
// process on the other core. Never exits non-zero for a missed target.

import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import os from "node:os";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const CLI = here("../dist/cli/main.js");
const MODEL = here("../node_modules/@ricky0123/vad-web/dist/silero_vad_v6.onnx");
const FRAME_MS = 32, SECONDS = 3;
/** Node's http client with kept-alive connections: lighter than fetch, so the clients leave the core to the server. */
const agent = new Agent({ keepAlive: true, maxSockets: 4096 });

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function start(command, args) {
  const child = spawn(process.execPath, [command, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`${command} exited with ${code}`)));
  });
}

/** `streams` streams of real-time frames for SECONDS: per-frame latencies (ms), and how many frames fell behind. */
async function load(url, streams) {
  const latencies = [];
  let late = 0;
  const frames = Math.round((SECONDS * 1000) / FRAME_MS);
  const input = Array.from({ length: 576 }, (_, i) => Math.sin(i / 7) * 0.1);
  const body = (s, k) => JSON.stringify({
    inputs: [{ name: "input", datatype: "FP32", shape: [1, 576], data: input }, { name: "sr", datatype: "INT64", shape: [], data: [16000] }],
    parameters: { sequence_id: `s${s}`, sequence_start: k === 0, sequence_end: k === frames - 1 },
  });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: streams }, async (_, s) => {
    const offset = (s / streams) * FRAME_MS; // streams spread over a frame, as independent microphones
    for (let k = 0; k < frames; k++) {
      const due = t0 + offset + k * FRAME_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else late++;
      const sent = performance.now();
      await post(`${url}/v2/models/silero/infer`, body(s, k));
      latencies.push(performance.now() - sent);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), late: late / (streams * frames) };
}

async function capacity(url) {
  let held = 0;
  for (let n = 64; n <= 2048; n *= 2) {
    const r = await load(url, n);
    if (r.p99 > FRAME_MS || r.late > 0.01) break;
    held = n;
  }
  return held;
}

const servers = [
  ["wasm-rnn serve", CLI, ["serve", "--model", MODEL, "--name", "silero", "--port", "0", "--threads", "1"]],
  ["wasm-rnn serve --max-batch 1", CLI, ["serve", "--model", MODEL, "--name", "silero", "--port", "0", "--threads", "1", "--max-batch", "1"]],
  ["onnxruntime-node per request", here("./serve-ort-streams.js"), [MODEL]],
];
console.log(`\nreal-time Silero VAD v6 streams (a 32 ms frame every 32 ms each; ${os.cpus()[0].model}, Node ${process.versions.node}; servers on one thread, clients in this process):`);
for (const [label, command, args] of servers) {
  const server = await start(command, args);
  try {
    await load(server.url, 8); // warm-up
    const r = await load(server.url, 64);
    const held = await capacity(server.url);
    console.log(`  ${label.padEnd(30)} 64 streams: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; holds ${held ? `${held}${held >= 2048 ? "+" : ""}` : "fewer than 64"} real-time streams (p99 under 32 ms)`);
  } finally {
    server.stop();
  }
}
