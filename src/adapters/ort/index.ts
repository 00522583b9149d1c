// wasm-rnn/ort: wasm-rnn as an onnxruntime backend. `useWasmRnn(ort)` registers it, through
// onnxruntime-common's public registerBackend, ahead of onnxruntime's own backends, so code written
// for onnxruntime-web or onnxruntime-node — `ort.InferenceSession.create`, `run`, `release`,
// onnxruntime's own Tensors in and out — runs on wasm-rnn unchanged whenever a session is created
// without executionProviders. A model wasm-rnn cannot run (an operator, a type) goes to onnxruntime's
// own backend ("cpu": the wasm one in onnxruntime-web, the native one in onnxruntime-node), with one
// notice naming what was missing, so registering is never a regression. Imports the package's public
// API only: in a browser this module is a bundle beside wasm-rnn.js, sharing its engine.

import { init, onnx, WasmRnnError } from "../../index.js";

/** The tensor shape onnxruntime hands a backend and takes back (its Tensor has these fields). */
interface TensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** What onnxruntime asks of a session handler (onnxruntime-common's InferenceSessionHandler). */
interface SessionHandler {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** ValueMetadata for wasm-rnn's sessions; onnxruntime's own for those handed over. */
  readonly inputMetadata: readonly object[];
  readonly outputMetadata: readonly object[];
  run(feeds: Readonly<Record<string, TensorLike>>, fetches: Readonly<Record<string, TensorLike | null>>, options: unknown): Promise<Record<string, TensorLike>>;
  dispose(): Promise<void>;
  startProfiling(): void;
  endProfiling(): void;
}

interface ValueMetadata {
  readonly name: string;
  readonly isTensor: true;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

/** An onnxruntime session, as the fallback uses it. */
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly object[];
  readonly outputMetadata?: readonly object[];
  run(feeds: Readonly<Record<string, TensorLike>>, fetches: readonly string[]): Promise<Record<string, TensorLike>>;
  release(): Promise<void>;
}

/** The backend registered with onnxruntime (onnxruntime-common's Backend). */
interface OrtBackend {
  init(name: string): Promise<void>;
  createInferenceSessionHandler(model: string | Uint8Array, options?: object): Promise<SessionHandler>;
}

/** The parts of an onnxruntime module (onnxruntime-web, onnxruntime-node) the backend uses.
 *  `backend` is an object: onnxruntime's declarations ask for handlers returning its Tensor class,
 *  while it accepts (and this backend returns) plain { type, data, dims }, so a narrower type here
 *  would refuse onnxruntime's own module at compile time. */
export interface OnnxRuntimeModule {
  registerBackend(name: string, backend: object, priority: number): void;
  InferenceSession: { create(model: string | Uint8Array, options?: object): Promise<OrtSession> };
}

export interface UseWasmRnnOptions {
  /** The onnxruntime execution provider a model wasm-rnn cannot run goes to (default "cpu"). */
  fallback?: string;
  /** Where the notice about such a model goes (default console.warn); each notice is given once. */
  notice?: (message: string) => void;
}

/** What the backend has done, for checking that sessions run on wasm-rnn. */
export interface WasmRnnBackend {
  /** The name it is registered under (usable in executionProviders). */
  readonly name: string;
  /** Sessions created on wasm-rnn, and runs made on them. */
  readonly sessions: number;
  readonly runs: number;
  /** Models handed to onnxruntime's own backend, with why. */
  readonly fallbacks: readonly string[];
}

const NAME = "wasm-rnn";
/** Above onnxruntime's own backends (onnxruntime-web registers cpu and wasm at 10, webgpu at 5). */
const PRIORITY = 100;

/**
 * Registers wasm-rnn as a backend of `ort` (the onnxruntime module the application imports):
 * `useWasmRnn(ort)` once, then sessions created without executionProviders run on wasm-rnn.
 */
export function useWasmRnn(ort: OnnxRuntimeModule, options: UseWasmRnnOptions = {}): WasmRnnBackend {
  if (!ort || typeof ort.registerBackend !== "function" || typeof ort.InferenceSession?.create !== "function") {
    throw new TypeError("useWasmRnn: expected the onnxruntime module (import * as ort from \"onnxruntime-web\" or \"onnxruntime-node\")");
  }
  const fallback = options.fallback ?? "cpu";
  const noticed = new Set<string>();
  const notice = (message: string) => {
    if (noticed.has(message)) return;
    noticed.add(message);
    (options.notice ?? console.warn)(message);
  };
  const stats = { name: NAME, sessions: 0, runs: 0, fallbacks: [] as string[] };
  /** onnxruntime's own session for a model wasm-rnn refused. */
  const handOver = async (model: string | Uint8Array, sessionOptions: object, why: unknown): Promise<SessionHandler> => {
    const reason = why instanceof Error ? why.message : String(why);
    stats.fallbacks.push(reason);
    notice(`wasm-rnn: this model runs on onnxruntime's "${fallback}" backend instead: ${reason}`);
    return ortHandler(await ort.InferenceSession.create(model, { ...sessionOptions, executionProviders: [fallback] }));
  };
  const backend: OrtBackend = {
    init: async () => {
      await init();
    },
    createInferenceSessionHandler: async (model, sessionOptions = {}) => {
      let session: onnx.InferenceSession;
      try {
        session = await onnx.InferenceSession.create(model);
      } catch (e) {
        if (!(e instanceof WasmRnnError)) throw e;
        return handOver(model, sessionOptions, e);
      }
      stats.sessions++;
      return wasmRnnHandler(session, () => stats.runs++);
    },
  };
  ort.registerBackend(NAME, backend, PRIORITY);
  return stats;
}

/** A handler running a wasm-rnn session: onnxruntime's tensors in (read as they are), plain
 *  { type, data, dims } out, which onnxruntime turns into its Tensors. */
function wasmRnnHandler(session: onnx.InferenceSession, counted: () => void): SessionHandler {
  const { inputs, outputs } = session.signature;
  const metadata = (v: onnx.ValueSignature): ValueMetadata => ({ name: v.name, isTensor: true, type: v.type ?? "float32", shape: v.dims ? v.dims.map((d) => d ?? "?") : [] });
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: inputs.map(metadata),
    outputMetadata: outputs.map(metadata),
    async run(feeds, fetches) {
      counted();
      const results = await session.run(feeds as Readonly<Record<string, onnx.Tensor>>, Object.keys(fetches));
      const out: Record<string, TensorLike> = {};
      for (const [name, t] of Object.entries(results)) {
        const given = fetches[name];
        // A pre-allocated output: the result goes into its data.
        if (given && ArrayBuffer.isView(given.data) && given.type === t.type && (given.data as Float32Array).length === t.size) {
          (given.data as Float32Array).set(t.data as Float32Array);
          out[name] = given;
        } else out[name] = { type: t.type, data: t.data, dims: t.dims };
      }
      return out;
    },
    dispose: () => session.release(),
    startProfiling() {},
    endProfiling() {},
  };
}

/** A handler passing everything to onnxruntime's own session. */
function ortHandler(session: OrtSession): SessionHandler {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata ?? [],
    outputMetadata: session.outputMetadata ?? [],
    run: (feeds, fetches) => session.run(feeds, Object.keys(fetches)),
    dispose: () => session.release(),
    startProfiling() {},
    endProfiling() {},
  };
}
