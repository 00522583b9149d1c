// The CommonJS consumer: `require("wasm-rnn")` (no top-level await in the required entry), then
// `await init()` as the README says, and the same job as main.mjs.
const lib = require("wasm-rnn");

(async () => {
  await lib.init();
  const { run } = await import("./workload.js");
  const args = process.argv.slice(2);
  const dir = args.includes("--checkpoint-dir") ? args[args.indexOf("--checkpoint-dir") + 1] : null;
  console.log(JSON.stringify(await run(lib, { threads: args.includes("--threads"), pool: args.includes("--pool"), checkpointDir: dir })));
})();
