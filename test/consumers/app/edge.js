// The Cloudflare Workers consumer (workerd): the wasm core arrives as a module the runtime compiled
// (`import … from "wasm-rnn/wasm/relaxed.wasm"`, as wrangler bundles it), since workerd compiles no
// wasm from bytes; the job runs without files or workers and answers as JSON.
import * as lib from "wasm-rnn";
import relaxed from "wasm-rnn/wasm/relaxed.wasm";
import { run } from "./workload.js";

export default {
  async fetch() {
    try {
      await lib.init({ module: relaxed });
      return Response.json(await run(lib));
    } catch (e) {
      return Response.json({ error: `${e?.name}: ${e?.message}` }, { status: 500 });
    }
  },
};
