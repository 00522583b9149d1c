// The inference server's routes on the Open Inference Protocol v2 REST API (KServe v2, Triton), as
// a handler any HTTP server can call — `handle(ServerRequest) → ServerAnswer`, plain data (the
// method, path and body read; a status, headers and a text or event-stream body), so that no
// Request or Response objects are built per request (`wasm-rnn serve` binds it to Node's http).
// Health, server and model metadata, readiness, infer (with `outputs` selection and the request
// `id` echoed), the generate extension (one answer, or server-sent events token by token), and
// Prometheus metrics. A client's mistake is a 4xx with `{"error": "..."}` naming the field; the
// server goes on serving.

import { ResourceError, WasmRnnError, WorkerError } from "../../errors.js";
import { engine } from "../../engine/engine.js";
import { Metrics } from "./metrics.js";
import type { ServedModel } from "./served-model.js";
import { readInput, RequestError, type InputTensor, type TensorSpec } from "./tensors.js";

export const SERVER_NAME = "wasm-rnn";
export const SERVER_VERSION = "0.1.0";

export interface ServerOptions {
  /** Largest request body in bytes (default 8 MiB); the HTTP server answers a larger one 413. */
  maxBodyBytes?: number;
}

/** A request as the HTTP server hands it over, its body read (at most maxBodyBytes). */
export interface ServerRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  body: Uint8Array;
  /** Aborts when the client goes away (a waiting call leaves its batch, a generation stops). */
  signal: AbortSignal;
}

/** An answer: a status, its headers and a body (the whole text, or server-sent events as they come). */
export interface ServerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | ReadableStream<Uint8Array> | null;
}

const JSON_TYPE = { "content-type": "application/json" };

function json(status: number, body: unknown): ServerAnswer {
  return { status, headers: JSON_TYPE, body: JSON.stringify(body) };
}

function error(status: number, message: string): ServerAnswer {
  return json(status, { error: message });
}

function empty(status: number): ServerAnswer {
  return { status, headers: {}, body: null };
}

export class InferenceServer {
  readonly metrics = new Metrics();
  readonly maxBodyBytes: number;
  private ready = true;
  private inFlight = 0;

  constructor(private readonly models: ReadonlyMap<string, ServedModel>, options: ServerOptions = {}) {
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.metrics.gauge("wasm_rnn_queue_depth", "Calls waiting in the batchers.", () => [...models.values()].reduce((n, m) => n + (m.batcher?.pending ?? 0), 0));
    this.metrics.gauge("wasm_rnn_requests_in_flight", "Requests being answered.", () => this.inFlight);
    this.metrics.gauge("wasm_rnn_sessions", "Sequences (sequence_id) kept between requests.", () => [...models.values()].reduce((n, m) => n + (m.sequences?.size ?? 0), 0));
    this.metrics.gauge("wasm_rnn_wasm_memory_bytes", "Size of the engine's WebAssembly memory.", () => engine().memory.buffer.byteLength);
  }

  /** Readiness turns false (503) before a graceful stop; liveness stays true. */
  stopAccepting(): void {
    this.ready = false;
  }

  /** Requests being answered (a graceful stop waits for none). */
  get pending(): number {
    return this.inFlight;
  }

  /** Answers one request. */
  async handle(request: ServerRequest): Promise<ServerAnswer> {
    const started = performance.now();
    const route = this.route(request.method, request.path);
    this.inFlight++;
    let response: ServerAnswer;
    try {
      response = await route.answer(request);
    } catch (e) {
      response = this.failure(e);
    } finally {
      this.inFlight--;
    }
    this.metrics.requests.inc({ model: route.model, endpoint: route.endpoint, status: String(response.status) });
    this.metrics.latency.observe({ model: route.model, endpoint: route.endpoint }, (performance.now() - started) / 1000);
    return response;
  }

  private route(method: string, path: string): { model: string; endpoint: string; answer: (request: ServerRequest) => Promise<ServerAnswer> } {
    const plain = (endpoint: string, answer: () => ServerAnswer) => ({ model: "", endpoint, answer: async () => (method === "GET" ? answer() : error(405, `${path} takes GET`)) });
    if (path === "/v2/health/live") return plain("live", () => empty(200));
    if (path === "/v2/health/ready") return plain("ready", () => empty(this.ready ? 200 : 503));
    if (path === "/v2" || path === "/v2/") return plain("server", () => json(200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: ["generate"] }));
    if (path === "/metrics") return plain("metrics", () => ({ status: 200, headers: { "content-type": "text/plain; version=0.0.4" }, body: this.metrics.text() }));
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?(\/ready|\/infer|\/generate|\/generate_stream)?$/.exec(path);
    if (!match) return { model: "", endpoint: "unknown", answer: async () => error(404, `no route ${path}`) };
    const name = percentDecoded(match[1]), action = match[2] ?? "";
    if (name === null) return { model: "", endpoint: "unknown", answer: async () => error(400, `the model name in ${path} is not valid percent-encoding`) };
    const endpoint = action ? action.slice(1) : "metadata";
    const served = this.models.get(name);
    const label = served ? name : "";
    if (!served) return { model: label, endpoint, answer: async () => error(404, `unknown model "${name}" (this server has ${[...this.models.keys()].join(", ")})`) };
    const post = (answer: (request: ServerRequest) => Promise<ServerAnswer>) => async (request: ServerRequest) => (method === "POST" ? answer(request) : error(405, `${path} takes POST`));
    switch (action) {
      case "":
        return { ...plain(endpoint, () => json(200, { name, versions: ["1"], platform: served.platform, inputs: served.inputs.map(metadata), outputs: served.outputs.map(metadata) })), model: name };
      case "/ready":
        return { ...plain(endpoint, () => empty(this.ready ? 200 : 503)), model: name };
      case "/infer":
        return { model: name, endpoint, answer: post((request) => this.infer(name, served, request)) };
      default:
        return { model: name, endpoint, answer: post((request) => this.generate(name, served, request, action === "/generate_stream")) };
    }
  }

  /** The request's JSON body: an object. */
  private body(request: ServerRequest): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(request.body));
    } catch (e) {
      throw new RequestError(`malformed JSON: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RequestError("the body must be a JSON object");
    return value as Record<string, unknown>;
  }

  private async infer(name: string, served: ServedModel, request: ServerRequest): Promise<ServerAnswer> {
    const body = this.body(request);
    const { id, inputs, outputs, parameters } = body;
    if (id !== undefined && typeof id !== "string") throw new RequestError("id must be a string");
    if (!Array.isArray(inputs) || inputs.length === 0) throw new RequestError("inputs must be a non-empty array of tensors");
    const given = new Map<string, InputTensor>();
    inputs.forEach((value, i) => {
      const input = readInput(value, i, served.inputs);
      if (given.has(input.name)) throw new RequestError(`input "${input.name}" is given twice`);
      given.set(input.name, input);
    });
    for (const required of served.required) if (!given.has(required)) throw new RequestError(`input "${required}" is missing`);
    if (served.batchFirst) {
      const batch = [...given.values()].map((t) => t.shape[0]);
      if (batch.some((B) => B !== batch[0])) throw new RequestError(`the inputs' first dimensions (the batch) differ: ${batch.join(", ")}`);
      if (batch[0] === 0) throw new RequestError("the batch is empty (a first dimension of 0)");
    }
    const wanted = readOutputs(outputs, served);
    const requestParameters = readParameters(parameters);
    if (requestParameters.sequence_id !== undefined && !served.sequences) throw new RequestError(`model "${name}" keeps no sequences (sequence_id is for language models, classifiers and taggers whose encoder is one-directional, and ONNX models with state inputs)`);
    const results = await served.infer(given, requestParameters, request.signal);
    return json(200, { model_name: name, model_version: "1", ...(id !== undefined ? { id } : {}), outputs: results.filter((o) => !wanted || wanted.has(o.name)) });
  }

  private async generate(name: string, served: ServedModel, request: ServerRequest, stream: boolean): Promise<ServerAnswer> {
    if (!served.generate) throw new RequestError(`model "${name}" is a ${served.platform.replace(/^wasm-rnn /, "")}: it does not generate text`);
    const body = this.body(request);
    const prompt = body.text_input ?? "";
    if (typeof prompt !== "string") throw new RequestError("text_input must be a string");
    const tokens = served.generate(prompt, readParameters(body.parameters), request.signal);
    if (!stream) {
      let text = "";
      for await (const piece of tokens) text += piece;
      return json(200, { model_name: name, model_version: "1", text_output: text });
    }
    const encoder = new TextEncoder();
    const first = await tokens.next(); // option mistakes answer 400 here, before the stream starts
    const events = new ReadableStream<Uint8Array>({
      start(controller) {
        if (!first.done) controller.enqueue(encoder.encode(`data: ${JSON.stringify({ model_name: name, model_version: "1", text_output: first.value })}\n\n`));
        if (first.done) controller.close();
      },
      async pull(controller) {
        try {
          const next = await tokens.next();
          if (next.done) return controller.close();
          controller.enqueue(encoder.encode(`data: ${JSON.stringify({ model_name: name, model_version: "1", text_output: next.value })}\n\n`));
        } catch (e) {
          controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ error: (e as Error).message })}\n\n`));
          controller.close();
        }
      },
      async cancel() {
        await tokens.return();
      },
    });
    return { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache" }, body: events };
  }

  /** A request's failure as its answer: 4xx for the client's mistakes, 500 for the server's. */
  private failure(e: unknown): ServerAnswer {
    if (e instanceof RequestError) return error(e.status, e.message);
    if (e instanceof ResourceError) return error(503, e.message); // a full queue, no room for a sequence: retry later
    if (e instanceof WorkerError || !(e instanceof WasmRnnError)) return error(500, `inference failed: ${(e as Error)?.message ?? String(e)}`);
    return error(400, e.message); // the library refused the input: a ShapeError, NumericError, …
  }
}

/** A path segment decoded, or null when its percent-encoding is malformed. */
function percentDecoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** A tensor spec as model metadata shows it. */
function metadata({ name, datatype, shape }: TensorSpec): TensorSpec {
  return { name, datatype, shape };
}

/** `outputs: [{ name }]` as a set of names, or null for all. */
function readOutputs(value: unknown, served: ServedModel): Set<string> | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new RequestError("outputs must be an array of { name }");
  return new Set(value.map((o, i) => {
    const name = (o as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || !served.outputs.some((s) => s.name === name)) {
      throw new RequestError(`outputs[${i}].name must be one of ${served.outputs.map((s) => s.name).join(", ")}; got ${JSON.stringify(name)}`);
    }
    return name;
  }));
}

function readParameters(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RequestError("parameters must be an object");
  return value as Record<string, unknown>;
}
