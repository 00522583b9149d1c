// Builds the demo's scripts (web/src/*.ts) into dist/web/ with esbuild. They import the library as
// "wasm-rnn", which stays an import of the browser bundle the demo server serves at /wasm-rnn/dist/browser/.

import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** "wasm-rnn" → the served browser bundle, like a page using the library would import it. */
const servedLibrary = {
  name: "served-library",
  setup(b) {
    b.onResolve({ filter: /^wasm-rnn$/ }, () => ({ path: "/wasm-rnn/dist/browser/wasm-rnn.js", external: true }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { main: "web/src/main.ts", "demo-worker": "web/src/demo-worker.ts", "cold-start": "web/src/cold-start.ts" },
  outdir: "dist/web",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: "linked",
  plugins: [servedLibrary],
  logLevel: "warning",
});
