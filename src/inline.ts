// The inline browser bundle's entry (wasm-rnn.inline.js): the whole API, with the four wasm builds
// embedded by esbuild's binary loader, for pages that cannot serve .wasm files. Built by
// scripts/build-browser.mjs only; tsc leaves it out (it imports .wasm files).

import { registerInlineBuilds } from "./engine/load.js";
import release from "../build/release.wasm";
import relaxed from "../build/relaxed.wasm";
import threads from "../build/threads.wasm";
import threadsRelaxed from "../build/threads-relaxed.wasm";

registerInlineBuilds({ "release.wasm": release, "relaxed.wasm": relaxed, "threads.wasm": threads, "threads-relaxed.wasm": threadsRelaxed });

export * from "./index.js";
