// Finding, compiling and instantiating the wasm core in Node and in browsers. Four builds: relaxed
// SIMD (fused multiply-add) or plain SIMD, each with a private memory or a shared one (for the
// worker pool). Picks relaxed when the runtime validates a relaxed instruction, and shared memory
// when the runtime has SharedArrayBuffer (Node; pages that are cross-origin isolated). In browsers
// a build is fetched and compiled while it downloads (WebAssembly.compileStreaming) from a base URL
// the caller can override, or taken from the bytes an inline bundle registered. Owns nothing after
// compiling.

import { ResourceError } from "../errors.js";
import { isNode } from "../runtime.js";

export type SimdFlavor = "relaxed" | "plain";

export interface LoadOptions {
  /** 'auto' (default) uses relaxed SIMD when the runtime supports it. */
  simd?: SimdFlavor | "auto";
  /** Shared wasm memory, so worker pools run on the same weights: 'auto' (default) when available. */
  sharedMemory?: boolean | "auto";
  /** Where the wasm files are (a directory URL ending in '/'); defaults to the package's build/ (in
   *  the browser bundle: the bundle's own directory). */
  wasmBaseUrl?: string | URL;
}

export interface CompiledCore {
  module: WebAssembly.Module;
  flavor: SimdFlavor;
  shared: boolean;
}

/** Set by the browser bundle's build (esbuild `define`): the wasm files' directory relative to it. */
declare const WASM_RNN_WASM_DIR: string | undefined;

/** Builds embedded by the inline bundle, by file name. */
const inlineBuilds = new Map<string, Uint8Array>();

/** The inline bundle's entry registers the builds it embeds; init() then never fetches. */
export function registerInlineBuilds(builds: Record<string, Uint8Array>): void {
  for (const [name, bytes] of Object.entries(builds)) inlineBuilds.set(name, bytes);
}

/** Whether this runtime can share wasm memory with workers. */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isNode || isolated === true;
}

function defaultBase(): URL {
  return new URL(typeof WASM_RNN_WASM_DIR === "string" ? WASM_RNN_WASM_DIR : "../../build/", import.meta.url);
}

/** build/release.wasm, relaxed.wasm, threads.wasm or threads-relaxed.wasm. */
function buildName(flavor: SimdFlavor, shared: boolean): string {
  if (shared) return flavor === "relaxed" ? "threads-relaxed.wasm" : "threads.wasm";
  return flavor === "relaxed" ? "relaxed.wasm" : "release.wasm";
}

/** One build, compiled: from the inline bytes, from disk in Node, or streamed from its URL. */
async function compileBuild(name: string, base: URL): Promise<WebAssembly.Module> {
  const inline = inlineBuilds.get(name);
  if (inline) return WebAssembly.compile(inline as Uint8Array<ArrayBuffer>);
  const url = new URL(name, base);
  if (isNode && url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return WebAssembly.compile(await readFile(url));
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ResourceError(`cannot load ${url.href}: ${(e as Error).message} (set init({ wasmBaseUrl }) to where the .wasm files are served)`);
  }
  if (!response.ok) throw new ResourceError(`cannot load ${url.href}: HTTP ${response.status} (set init({ wasmBaseUrl }) to where the .wasm files are served)`);
  // Streaming compilation needs the application/wasm content type; other servers get the buffered path.
  const streamable = typeof WebAssembly.compileStreaming === "function" && response.headers.get("content-type")?.split(";")[0].trim() === "application/wasm";
  return streamable ? WebAssembly.compileStreaming(response) : WebAssembly.compile(await response.arrayBuffer());
}

/** Relaxed SIMD is behind a flag in Node 20 (V8 11.3); turning the flag on before compiling enables it. */
export async function enableRelaxedSimdFlag(): Promise<void> {
  if (!isNode) return;
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return;
  const v8 = await import("node:v8");
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** A 37-byte module whose one function is f32x4.relaxed_madd: valid exactly where relaxed SIMD runs. */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128, v128, v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // local.get ×3, f32x4.relaxed_madd
]);

/** Whether this runtime runs relaxed SIMD. */
export async function relaxedSimdSupported(): Promise<boolean> {
  await enableRelaxedSimdFlag();
  return WebAssembly.validate(RELAXED_PROBE);
}

/** Compiles the best build this runtime can run. */
export async function compileCore(options: LoadOptions): Promise<CompiledCore> {
  const base = options.wasmBaseUrl ? new URL(options.wasmBaseUrl, typeof location === "undefined" ? undefined : location.href) : defaultBase();
  const wantShared = options.sharedMemory ?? "auto";
  const shared = wantShared === "auto" ? sharedMemoryAvailable() : wantShared;
  if (shared && !sharedMemoryAvailable()) throw new ResourceError("shared wasm memory needs SharedArrayBuffer (a cross-origin isolated page)");
  const wanted = options.simd ?? "auto";
  const relaxed = wanted !== "plain" && (await relaxedSimdSupported());
  if (wanted === "relaxed" && !relaxed) throw new ResourceError("this runtime cannot run relaxed SIMD (init({ simd: 'relaxed' }))");
  const flavor: SimdFlavor = relaxed ? "relaxed" : "plain";
  return { module: await compileBuild(buildName(flavor, shared), base), flavor, shared };
}
