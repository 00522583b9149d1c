// The Node entry: the browser entry's API plus checkpoint files, with the engine already initialised
// by the import (top-level await), so `import { LSTM } from 'wasm-rnn'` is all the set-up Node needs.
// Call `init({ simd: 'plain' })` before this import is evaluated to choose another build.
import { init } from "./engine/engine.js";

export * from "./index.js";
export { saveCheckpoint, loadCheckpoint, readCheckpoint } from "./train/checkpoint.js";

await init();
