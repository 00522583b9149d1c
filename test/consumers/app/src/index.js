// The browser consumer, built by Vite (index.html) and by webpack (this is its default entry), each
// with its default production configuration: `import … from "wasm-rnn"` and the same job, with the
// thread team and the worker pool (the test serves the page cross-origin isolated). The result goes
// to `window.consumerResult`.
import * as lib from "wasm-rnn";
import { run } from "../workload.js";

run(lib, { threads: true, pool: true }).then(
  (result) => (window.consumerResult = result),
  (e) => (window.consumerResult = { error: `${e?.name}: ${e?.message}` }),
);
