// Finding, compiling and instantiating the wasm core in Node and in browsers. Picks the relaxed-SIMD
// build (fused multiply-add) when the runtime validates it, else the plain-SIMD build. Owns nothing
// after instantiation.

import { ResourceError } from "../errors.js";

export type SimdFlavor = "relaxed" | "plain";

export interface LoadOptions {
  /** 'auto' (default) uses relaxed SIMD when the runtime supports it. */
  simd?: SimdFlavor | "auto";
  /** Where the wasm files are (a directory URL ending in '/'); defaults to the package's build/. */
  wasmBaseUrl?: string | URL;
  /** The compiled module or its bytes, instead of fetching/reading from wasmBaseUrl. */
  wasm?: WebAssembly.Module | BufferSource;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

function defaultBase(): URL {
  return new URL("../../build/", import.meta.url);
}

/** Bytes of one build, from disk in Node, by fetch elsewhere. */
async function readBuild(flavor: SimdFlavor, base: URL): Promise<ArrayBuffer> {
  const url = new URL(`${flavor === "relaxed" ? "relaxed" : "release"}.wasm`, base);
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
async function enableRelaxedSimdFlag(): Promise<void> {
  if (!isNode) return;
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return;
  const v8 = await import("node:v8");
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** Compiles the best build this runtime can run. */
export async function compileCore(options: LoadOptions): Promise<{ module: WebAssembly.Module; flavor: SimdFlavor }> {
  if (options.wasm instanceof WebAssembly.Module) return { module: options.wasm, flavor: "plain" };
  if (options.wasm) return { module: await WebAssembly.compile(options.wasm), flavor: "plain" };
  const base = options.wasmBaseUrl ? new URL(options.wasmBaseUrl) : defaultBase();
  const wanted = options.simd ?? "auto";
  if (wanted !== "plain") {
    await enableRelaxedSimdFlag();
    const bytes = await readBuild("relaxed", base);
    if (WebAssembly.validate(bytes)) return { module: await WebAssembly.compile(bytes), flavor: "relaxed" };
    if (wanted === "relaxed") throw new ResourceError("this runtime cannot run relaxed SIMD (init({ simd: 'relaxed' }))");
  }
  return { module: await WebAssembly.compile(await readBuild("plain", base)), flavor: "plain" };
}
