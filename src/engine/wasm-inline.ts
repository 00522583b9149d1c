// The four builds of the wasm core embedded as bytes (esbuild's binary loader), for the inline browser
// bundle (wasm-rnn/inline: pages that cannot serve .wasm files). scripts/build-browser.mjs puts this
// module in place of wasm-files.ts; tsc leaves it out (it imports .wasm files).

import release from "../../build/release.wasm";
import relaxed from "../../build/relaxed.wasm";
import threads from "../../build/threads.wasm";
import threadsRelaxed from "../../build/threads-relaxed.wasm";
import type { BuildName } from "./wasm-files.js";

const BUILDS: Record<BuildName, Uint8Array> = { release, relaxed, threads, "threads-relaxed": threadsRelaxed };

/** The embedded bytes of a build. */
export function wasmBuild(name: BuildName): URL | Uint8Array {
  return BUILDS[name];
}
