// The Node entry (also Bun's and Deno's): the API of index.ts with the engine already initialised by
// the import (top-level await), so `import { LSTM } from "wasm-rnn"` is all the set-up Node needs.
// Call `init({ simd: "plain" })` before this import is evaluated to choose another build. `require`
// loads index.ts instead, which has no top-level await.
import { init } from "./engine/init.js";

export * from "./index.js";

await init();
