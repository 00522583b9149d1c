// Types for Comlink's Node adapter, which the package ships as an .mjs file without an exports entry.
// It accepts a worker_threads Worker or MessagePort (anything with postMessage, on and off).
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";

  export default function nodeEndpoint(endpoint: object): Endpoint;
}
