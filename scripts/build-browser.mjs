// Builds the browser bundle into dist/browser/ with esbuild, each a single file (no chunks, so a page
// fetches the library in one request): wasm-rnn.js (the API; the wasm builds are fetched from beside
// it), wasm-rnn.inline.js (the same API with the four wasm builds embedded) and worker.js (the worker
// pool's Web Worker), plus the .wasm files. Node-only modules (files, worker_threads) are reached only
// through dynamic imports that browsers never run.

import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}dist/browser`;
export const WASM_BUILDS = ["release.wasm", "relaxed.wasm", "threads.wasm", "threads-relaxed.wasm"];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { "wasm-rnn": "src/index.ts", "wasm-rnn.inline": "src/inline.ts", worker: "src/parallel/worker.ts", "team-worker": "src/parallel/team-worker.ts" },
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  keepNames: true, // class names appear in error names and messages
  sourcemap: "linked",
  external: ["node:*"],
  loader: { ".wasm": "binary" },
  define: { WASM_RNN_WASM_DIR: JSON.stringify("./") },
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});
for (const name of WASM_BUILDS) copyFileSync(`${root}build/${name}`, `${out}/${name}`);
if (result.errors.length) process.exit(1);
