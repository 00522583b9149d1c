// Finding, compiling and instantiating the wasm core in Node and in browsers. Four builds: relaxed
// SIMD (fused multiply-add) or plain SIMD, each with a private memory or a shared one (for the
// worker pool). Picks relaxed when the runtime validates it, and shared memory when the runtime
// has SharedArrayBuffer (Node; pages that are cross-origin isolated). Owns nothing after compiling.

import { ResourceError } from "../errors.js";

export type SimdFlavor = "relaxed" | "plain";

export interface LoadOptions {
  /** 'auto' (default) uses relaxed SIMD when the runtime supports it. */
  simd?: SimdFlavor | "auto";
  /** Shared wasm memory, so worker pools run on the same weights: 'auto' (default) when available. */
  sharedMemory?: boolean | "auto";
  /** Where the wasm files are (a directory URL ending in '/'); defaults to the package's build/. */
  wasmBaseUrl?: string | URL;
}

export interface CompiledCore {
  module: WebAssembly.Module;
  flavor: SimdFlavor;
  shared: boolean;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** Whether this runtime can share wasm memory with workers. */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isNode || isolated === true;
}

function defaultBase(): URL {
  return new URL("../../build/", import.meta.url);
}

/** build/release.wasm, relaxed.wasm, threads.wasm or threads-relaxed.wasm. */
function buildName(flavor: SimdFlavor, shared: boolean): string {
  if (shared) return flavor === "relaxed" ? "threads-relaxed.wasm" : "threads.wasm";
  return flavor === "relaxed" ? "relaxed.wasm" : "release.wasm";
}

/** Bytes of one build, from disk in Node, by fetch elsewhere. */
async function readBuild(name: string, base: URL): Promise<ArrayBuffer> {
  const url = new URL(name, base);
  if (isNode && url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    const file = await readFile(url);
    return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  }
  const response = await fetch(url);
  if (!response.ok) throw new ResourceError(`cannot load ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** Relaxed SIMD is behind a flag in Node 20 (V8 11.3); turning the flag on before compiling enables it. */
export async function enableRelaxedSimdFlag(): Promise<void> {
  if (!isNode) return;
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return;
  const v8 = await import("node:v8");
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** Compiles the best build this runtime can run. */
export async function compileCore(options: LoadOptions): Promise<CompiledCore> {
  const base = options.wasmBaseUrl ? new URL(options.wasmBaseUrl) : defaultBase();
  const wantShared = options.sharedMemory ?? "auto";
  const shared = wantShared === "auto" ? sharedMemoryAvailable() : wantShared;
  if (shared && !sharedMemoryAvailable()) throw new ResourceError("shared wasm memory needs SharedArrayBuffer (a cross-origin isolated page)");
  const wanted = options.simd ?? "auto";
  if (wanted !== "plain") {
    await enableRelaxedSimdFlag();
    const bytes = await readBuild(buildName("relaxed", shared), base);
    if (WebAssembly.validate(bytes)) return { module: await WebAssembly.compile(bytes), flavor: "relaxed", shared };
    if (wanted === "relaxed") throw new ResourceError("this runtime cannot run relaxed SIMD (init({ simd: 'relaxed' }))");
  }
  return { module: await WebAssembly.compile(await readBuild(buildName("plain", shared), base)), flavor: "plain", shared };
}
