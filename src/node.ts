// The Node entry: the same API as the browser entry, with the engine already initialised by the
// import (top-level await), so `import { LSTM } from 'wasm-rnn'` is all the set-up Node code needs.
// Call `init({ simd: 'plain' })` before this import is evaluated to choose another build.
import { init } from "./engine/engine.js";

export * from "./index.js";

await init();
