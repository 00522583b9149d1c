// Finding, compiling and instantiating the wasm core. Four builds: relaxed SIMD (fused multiply-add)
// or plain SIMD, each with a private memory or a shared one (for the thread team and the worker pool).
// Picks relaxed when the runtime validates a relaxed instruction, and shared memory when the runtime
// can share it with workers (Node, Bun, Deno; cross-origin isolated pages). A build comes from the
// caller (`init({ module })`: edge runtimes that compile wasm only from their own imports), from the
// bytes an inline bundle embeds, from disk (Node), or is fetched and compiled while it downloads. A
// response that is not wasm is a ResourceError naming the URL and what came back. Owns nothing after
// compiling.

import { ResourceError, ShapeError } from "../errors.js";
import { platform } from "../platform/current.js";
import { describe } from "../validate.js";
import { wasmBuild, type BuildName } from "./wasm-files.js";

export type SimdFlavor = "relaxed" | "plain";

/** `WebAssembly.Module` where the consumer's TypeScript libraries declare it (DOM, WebWorker), else
 *  any object: so a Node-only consumer needs no `WebAssembly` namespace to read these types. */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;

export interface LoadOptions {
  /** 'auto' (default) uses relaxed SIMD when the runtime supports it. */
  simd?: SimdFlavor | "auto";
  /** Shared wasm memory, so the thread team and worker pools run on the same weights: 'auto'
   *  (default) when available. */
  sharedMemory?: boolean | "auto";
  /** Where the wasm files are (a directory URL ending in '/'); defaults to the package's build/. */
  wasmBaseUrl?: string | URL;
  /** One of the package's builds (build/*.wasm), compiled by the host: what Cloudflare Workers need
   *  (`import wasm from "wasm-rnn/wasm/relaxed.wasm"`, since they compile no wasm from bytes), or a
   *  module kept from an earlier start. `simd` and `sharedMemory` then follow the build. */
  module?: WasmModule;
}

/** @internal A compiled build, as workers receive it. */
export interface CompiledCore {
  module: WebAssembly.Module;
  flavor: SimdFlavor;
  shared: boolean;
}

/** @internal Whether this runtime can share wasm memory with workers. */
export function sharedMemoryAvailable(): boolean {
  return platform.sharedMemory();
}

/** The build with this SIMD flavour and memory. */
function buildName(flavor: SimdFlavor, shared: boolean): BuildName {
  if (shared) return flavor === "relaxed" ? "threads-relaxed" : "threads";
  return flavor === "relaxed" ? "relaxed" : "release";
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const LOAD_HINT = "set init({ wasmBaseUrl }) to where the package's build/*.wasm files are served, or pass init({ module })";

/** A ResourceError for a URL that served something other than wasm: its content type and first bytes. */
function notWasm(url: URL, contentType: string | null, bytes: Uint8Array): ResourceError {
  const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = new TextDecoder().decode(bytes.subarray(0, 48)).replace(/\s+/g, " ");
  const printable = /^[\x20-\x7e]*$/.test(text) ? ` (${JSON.stringify(text)}…)` : "";
  return new ResourceError(`cannot load ${url.href}: it is not WebAssembly: got ${contentType ?? "a file"} of ${bytes.length} bytes starting ${start || "with nothing"}${printable}; ${LOAD_HINT}`);
}

/** One build, compiled: from the embedded bytes, from disk in Node, or streamed from its URL. */
async function compileBuild(name: BuildName, base: URL | undefined): Promise<WebAssembly.Module> {
  const source = base ? new URL(`${name}.wasm`, base) : wasmBuild(name);
  if (source instanceof Uint8Array) return WebAssembly.compile(source as Uint8Array<ArrayBuffer>);
  const url = source;
  if (url.protocol === "file:" || !/^https?:$/.test(url.protocol)) {
    let loaded;
    try {
      loaded = await platform.fetchBytes(url);
    } catch (e) {
      throw new ResourceError(`cannot load ${url.href}: ${(e as Error).message}; ${LOAD_HINT}`);
    }
    return compileChecked(url, loaded.bytes, loaded.contentType);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ResourceError(`cannot load ${url.href}: ${(e as Error).message}; ${LOAD_HINT}`);
  }
  if (!response.ok) throw new ResourceError(`cannot load ${url.href}: HTTP ${response.status}; ${LOAD_HINT}`);
  const contentType = response.headers.get("content-type");
  // Streaming compilation needs the application/wasm content type; other responses are read whole and checked.
  if (typeof WebAssembly.compileStreaming === "function" && contentType?.split(";")[0].trim() === "application/wasm") {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (e) {
      throw new ResourceError(`cannot load ${url.href}: ${(e as Error).message}; ${LOAD_HINT}`);
    }
  }
  return compileChecked(url, new Uint8Array(await response.arrayBuffer()), contentType);
}

/** Compiles bytes that must be a wasm module (not, say, a dev server's index.html). */
async function compileChecked(url: URL, bytes: Uint8Array, contentType: string | null): Promise<WebAssembly.Module> {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) throw notWasm(url, contentType, bytes);
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new ResourceError(`cannot load ${url.href}: ${(e as Error).message}; ${LOAD_HINT}`);
  }
}

/** A 37-byte module whose one function is f32x4.relaxed_madd: valid exactly where relaxed SIMD runs. */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128, v128, v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // local.get ×3, f32x4.relaxed_madd
]);

/** @internal Whether this runtime runs relaxed SIMD. */
export function relaxedSimdSupported(): boolean {
  platform.enableRelaxedSimd();
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The bit of buildFeatures() (assembly/module-info.ts) set in relaxed-SIMD builds. */
const RELAXED_FEATURE = 1;

/** A module the caller compiled: checked to be one of our builds, its flavour and memory read from
 *  it (a threads build links only to a shared memory; buildFeatures says the rest). */
async function describeModule(module: unknown): Promise<CompiledCore> {
  if (typeof WebAssembly === "undefined" || !(module instanceof WebAssembly.Module)) throw new ShapeError(`init: module must be a WebAssembly.Module (one of the package's build/*.wasm, compiled); got ${describe(module)}`);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exports.includes("buildFeatures") || !exports.includes("planBytes")) throw new ShapeError("init: module is not a build of this version of wasm-rnn (it lacks the core's exports); use one of the package's build/*.wasm");
  for (const shared of [false, true]) {
    if (shared && !sharedMemoryAvailable()) throw new ResourceError("init: this module is a shared-memory build (threads*.wasm), and this runtime cannot share wasm memory; pass relaxed.wasm or release.wasm");
    const memory = new WebAssembly.Memory({ initial: PROBE_PAGES, maximum: 65536, shared } as WebAssembly.MemoryDescriptor);
    let instance: WebAssembly.Instance;
    try {
      instance = await WebAssembly.instantiate(module, { env: { memory, abort: () => undefined } });
    } catch (e) {
      if (e instanceof WebAssembly.LinkError && !shared) continue;
      throw new ShapeError(`init: module cannot be instantiated as a wasm-rnn core: ${(e as Error).message}`);
    }
    const features = (instance.exports.buildFeatures as () => number)();
    return { module, flavor: features & RELAXED_FEATURE ? "relaxed" : "plain", shared };
  }
  throw new ShapeError("init: module links neither to a private nor to a shared memory");
}

/** Pages of the throwaway memory a caller's module is probed with (room for its static data). */
const PROBE_PAGES = 16;

/** @internal Compiles the best build this runtime can run, or takes the caller's. */
export async function compileCore(options: LoadOptions): Promise<CompiledCore> {
  if (options.module !== undefined) {
    return describeModule(options.module);
  }
  const base = options.wasmBaseUrl ? new URL(options.wasmBaseUrl, (globalThis as { location?: { href: string } }).location?.href) : undefined;
  const wantShared = options.sharedMemory ?? "auto";
  const shared = wantShared === "auto" ? sharedMemoryAvailable() : wantShared;
  if (shared && !sharedMemoryAvailable()) throw new ResourceError("shared wasm memory needs SharedArrayBuffer (a cross-origin isolated page)");
  const wanted = options.simd ?? "auto";
  const relaxed = wanted !== "plain" && relaxedSimdSupported();
  if (wanted === "relaxed" && !relaxed) throw new ResourceError("this runtime cannot run relaxed SIMD (init({ simd: 'relaxed' }))");
  const flavor: SimdFlavor = relaxed ? "relaxed" : "plain";
  return { module: await compileBuild(buildName(flavor, shared), base), flavor, shared };
}
