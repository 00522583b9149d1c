// `.wasm` imports as Cloudflare Workers (and @cloudflare/workers-types) type them: a compiled module.
declare module "*.wasm" {
  const compiled: import("wasm-rnn").WasmModule;
  export default compiled;
}
