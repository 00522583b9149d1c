// The ESM consumer (Node, Bun, Deno): `import` the package as an application would, run the job,
// print its numbers as JSON. Arguments: --threads, --pool, --checkpoint-dir DIR.
import * as lib from "wasm-rnn";
import { run } from "./workload.js";

const args = process.argv.slice(2);
const dir = args.includes("--checkpoint-dir") ? args[args.indexOf("--checkpoint-dir") + 1] : null;
const result = await run(lib, { threads: args.includes("--threads"), pool: args.includes("--pool"), checkpointDir: dir });
console.log(JSON.stringify(result));
