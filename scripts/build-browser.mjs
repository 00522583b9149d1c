// Builds the browser bundles into dist/browser/ with esbuild, each one file (no chunks, so a page
// fetches the library in one request): wasm-rnn.js (the API), wasm-rnn.inline.js (the same API with
// the four wasm builds embedded), worker.js (the worker pool's Web Worker), team-worker.js (the
// thread team's), and the adapters ort.js, tfjs.js and brain.js (each importing wasm-rnn.js). They
// run on the web platform (src/platform/web.ts in place of current.ts's Node one), so no `node:`
// import reaches a browser, a bundler or an edge runtime. The wasm files are not
// copied: the bundles find them at ../../build/ (src/engine/wasm-files.ts), the package's one copy.

import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}dist/browser`;

/** Resolves `from` (a module of src/, matched by the end of its path) to the file `to` instead. */
function replace(name, from, to) {
  return {
    name,
    setup(b) {
      b.onResolve({ filter: from }, () => ({ path: `${root}${to}` }));
    },
  };
}

const webPlatform = replace("web-platform", /\/platform\/current\.js$/, "src/platform/web.ts");
const inlineWasm = replace("inline-wasm", /\/wasm-files\.js$/, "src/engine/wasm-inline.ts");

/** esbuild options shared by the bundles. */
const common = {
  absWorkingDir: root,
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  keepNames: true, // class names appear in error names and messages
  legalComments: "eof",
  logLevel: "warning",
};

rmSync(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { "wasm-rnn": "src/index.ts", worker: "src/serving/worker.ts", "team-worker": "src/engine/threads/team-worker.ts" },
  plugins: [webPlatform],
});
await build({ ...common, entryPoints: { "wasm-rnn.inline": "src/index.ts" }, plugins: [webPlatform, inlineWasm], loader: { ".wasm": "binary" } });
// The adapters — wasm-rnn/ort (the onnxruntime backend), wasm-rnn/tfjs and wasm-rnn/brain (the
// TensorFlow.js and brain.js bridges) — each importing the package's API from wasm-rnn.js beside it
// (one engine for all), never bundling a copy.
await build({
  ...common,
  entryPoints: { ort: "src/adapters/ort/index.ts", tfjs: "src/adapters/tfjs/index.ts", brain: "src/adapters/brain/index.ts" },
  plugins: [{ name: "core-external", setup: (b) => b.onResolve({ filter: /^\.\.\/\.\.\/index\.js$/ }, () => ({ path: "./wasm-rnn.js", external: true })) }],
});
