// `wasm-rnn serve`: serves a model — a checkpoint directory, an .onnx file or a Keras model.json —
// over HTTP on the Open Inference Protocol
// (serving/oip/server.ts), with dynamic batching. Node's http server carries the server's handler:
// a body over --max-body-bytes is answered 413 without being read to the end, a slow or dropped
// client holds only its own request, and SIGTERM (or SIGINT) turns readiness false, goes on serving
// for --drain-delay-ms (so load balancers see the 503 and route elsewhere; a second signal cuts it
// short), stops accepting, lets in-flight requests finish and exits 0. Prints
// `listening on http://HOST:PORT` once ready.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { init } from "../engine/init.js";
import { loadLayersModel } from "../io/keras/load.js";
import type { LayersModel } from "../io/keras/model.js";
import { InferenceSession } from "../io/onnx/session.js";
import type { Model } from "../models/model.js";
import { loadCheckpoint } from "../train/checkpoint.js";
import { InferenceServer } from "../serving/oip/server.js";
import { WorkerPool } from "../serving/pool.js";
import { servedModel } from "../serving/oip/served-model.js";
import { intOption, positiveOption, stringOption, UsageError, type Values } from "./usage.js";

export const SERVE_OPTIONS = {
  model: { type: "string" },
  name: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "max-batch": { type: "string" },
  "max-delay-ms": { type: "string" },
  "max-body-bytes": { type: "string" },
  threads: { type: "string" },
  workers: { type: "string" },
  "drain-delay-ms": { type: "string" },
  state: { type: "string", multiple: true },
} as const;

export async function serve(values: Values): Promise<void> {
  const path = stringOption(values, "model");
  const name = stringOption(values, "name", basename(path).replace(/\.[^.]*$/, "") || "model");
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`--name must be letters, digits, "_", "." or "-"; got "${name}"`);
  const host = stringOption(values, "host", "127.0.0.1");
  const port = intOption(values, "port", 8000, 0);
  const maxBatchSize = intOption(values, "max-batch", 32);
  const maxDelayMs = positiveOption(values, "max-delay-ms", 2);
  const maxBodyBytes = intOption(values, "max-body-bytes", 8 * 1024 * 1024);
  const drainDelayMs = intOption(values, "drain-delay-ms", 0, 0);
  if (values.threads !== undefined) await init({ threads: intOption(values, "threads", 1) });
  const model = await loadModel(path);
  // Batches (an ONNX or Keras model's requests, each its own) on workers leave this thread to HTTP:
  // health checks answer while a request computes.
  const pool = values.workers === undefined ? undefined : await WorkerPool.create({ size: intOption(values, "workers", 1) });
  let server: InferenceServer | null = null; // the batcher reports its batches to the server's metrics
  const states = (values.state as string[] | undefined) ?? [];
  if (states.length && !(model instanceof InferenceSession)) throw new UsageError("--state names an ONNX model's state inputs and outputs; this model is not an ONNX file");
  const served = servedModel(model, {
    maxBatchSize,
    maxDelayMs,
    pool,
    onBatch: (size) => server?.metrics.batchSize.observe({ model: name }, size),
    onBatchEnd: (_size, seconds) => server?.metrics.batchSeconds.observe({ model: name }, seconds),
  }, states);
  server = new InferenceServer(new Map([[name, served]]), { maxBodyBytes });
  const handler = server;
  const http = createServer((req, res) => void answer(handler, req, res));
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, () => resolve());
  });
  const address = http.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  process.stdout.write(`listening on http://${host}:${actualPort}\n`);
  await new Promise<void>((resolve) => {
    let draining: ReturnType<typeof setTimeout> | null = null;
    const close = () => {
      if (draining !== null) clearTimeout(draining);
      process.off("SIGTERM", signalled);
      process.off("SIGINT", signalled);
      http.close(() => resolve()); // stops accepting; calls back once every connection has ended
      http.closeIdleConnections();
      const idle = setInterval(() => handler.pending === 0 && http.closeIdleConnections(), 50);
      idle.unref();
    };
    const signalled = () => {
      if (draining !== null) return close(); // a second signal: stop accepting now
      handler.stopAccepting(); // readiness answers 503 from here on
      draining = setTimeout(close, drainDelayMs);
    };
    process.on("SIGTERM", signalled);
    process.on("SIGINT", signalled);
  });
  await pool?.close();
  served.dispose();
}

/** PATH as a model: an .onnx file, a Keras model.json, or a checkpoint directory. */
async function loadModel(path: string): Promise<Model | InferenceSession | LayersModel> {
  if (/\.onnx$/i.test(path)) return InferenceSession.create(path);
  if (/\.json$/i.test(path)) return loadLayersModel(path);
  return loadCheckpoint(path).model;
}

/** One request through the handler: the body read up to the limit, the answer written back (server-sent
 *  events as they come). */
async function answer(server: InferenceServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > server.maxBodyBytes) return refuseBody(res, `the body is ${declared} bytes; this server takes at most ${server.maxBodyBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  const abort = new AbortController();
  res.on("close", () => res.writableFinished || abort.abort()); // a client that goes away cancels its generation
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > server.maxBodyBytes) return refuseBody(res, `the body is over ${server.maxBodyBytes} bytes`);
      chunks.push(chunk);
    }
  } catch {
    return; // the client went away mid-body
  }
  const path = (req.url ?? "/").replace(/\?.*$/s, "");
  const { status, headers, body } = await server.handle({ method: req.method ?? "GET", path, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), signal: abort.signal });
  res.writeHead(status, headers);
  if (body === null || typeof body === "string") return void res.end(body ?? undefined);
  Readable.fromWeb(body as import("node:stream/web").ReadableStream).on("error", () => res.destroy()).pipe(res);
}

/** 413 without reading the rest of the body: the connection closes after the answer. */
function refuseBody(res: ServerResponse, message: string): void {
  res.writeHead(413, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ error: message }), () => res.socket?.destroy());
}
