// Download weight of each runtime's WebAssembly binary: bytes on disk and gzip -9 bytes, for our two
// builds and the binaries onnxruntime-web and tfjs-backend-wasm load here.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const FILES = [
  { label: "wasm-rnn build/release.wasm (plain SIMD)", url: new URL("../build/release.wasm", import.meta.url) },
  { label: "wasm-rnn build/relaxed.wasm (relaxed SIMD)", url: new URL("../build/relaxed.wasm", import.meta.url) },
  { label: "onnxruntime-web ort-wasm-simd-threaded.wasm", url: new URL("./node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm", import.meta.url) },
  { label: "tfjs-backend-wasm tfjs-backend-wasm-simd.wasm", url: new URL("./node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm", import.meta.url) },
];

/** [{ label, raw, gzip }] in bytes. */
export function wasmSizes() {
  return FILES.map(({ label, url }) => {
    const bytes = readFileSync(url);
    return { label, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}
