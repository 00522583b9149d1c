// Download weight: each runtime's WebAssembly binary (our two builds, the binaries onnxruntime-web and
// tfjs-backend-wasm load here) and our browser bundle's files, as bytes on disk and gzip -9 bytes.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const FILES = [
  { label: "wasm-rnn build/release.wasm (plain SIMD)", url: new URL("../build/release.wasm", import.meta.url) },
  { label: "wasm-rnn build/relaxed.wasm (relaxed SIMD)", url: new URL("../build/relaxed.wasm", import.meta.url) },
  { label: "onnxruntime-web ort-wasm-simd-threaded.wasm", url: new URL("./node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm", import.meta.url) },
  { label: "tfjs-backend-wasm tfjs-backend-wasm-simd.wasm", url: new URL("./node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm", import.meta.url) },
];

const BUNDLE = [
  { label: "wasm-rnn dist/browser/wasm-rnn.js (the API, one file)", url: new URL("../dist/browser/wasm-rnn.js", import.meta.url) },
  { label: "wasm-rnn dist/browser/worker.js (worker pool only)", url: new URL("../dist/browser/worker.js", import.meta.url) },
  { label: "wasm-rnn dist/browser/wasm-rnn.inline.js (API + 4 wasm builds)", url: new URL("../dist/browser/wasm-rnn.inline.js", import.meta.url) },
];

/** [{ label, raw, gzip }] in bytes. */
function sizes(files) {
  return files.map(({ label, url }) => {
    const bytes = readFileSync(url);
    return { label, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

export function wasmSizes() {
  return sizes(FILES);
}

/** The browser bundle's files, and what a page loads: wasm-rnn.js plus one wasm build. */
export function bundleSizes() {
  const [api, ...rest] = sizes(BUNDLE);
  const [, relaxed] = wasmSizes();
  const page = { label: "a page loads: wasm-rnn.js + relaxed.wasm", raw: api.raw + relaxed.raw, gzip: api.gzip + relaxed.gzip };
  return [api, ...rest, page];
}
