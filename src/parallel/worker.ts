// The worker entry: exposes a Host through Comlink — over worker_threads' parentPort in Node (with
// Comlink's node adapter), over the worker's global scope in browsers.

import * as Comlink from "comlink";
import { Host } from "./host.js";
import { isNode } from "../runtime.js";

const host = new Host();
if (isNode) {
  const { parentPort } = await import("node:worker_threads");
  const { default: nodeEndpoint } = await import("comlink/dist/esm/node-adapter.mjs");
  Comlink.expose(host, nodeEndpoint(parentPort!));
} else {
  Comlink.expose(host);
}
