// Starting one worker running worker.js: a worker_threads Worker in Node (with Comlink's node adapter
// as its endpoint), a module Web Worker in browsers. `lost` rejects if the worker exits or crashes,
// so a call in flight can fail instead of waiting forever.

import type { Endpoint } from "comlink";
import { isNode } from "../runtime.js";

export interface SpawnedWorker {
  endpoint: Endpoint;
  /** Rejects when the worker exits or fails; never resolves. */
  lost: Promise<never>;
  terminate(): Promise<void>;
}

export async function spawnWorker(url: URL | string): Promise<SpawnedWorker> {
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    const { default: nodeEndpoint } = await import("comlink/dist/esm/node-adapter.mjs");
    const worker = new Worker(url);
    const lost = new Promise<never>((_, reject) => {
      worker.once("error", (e) => reject(new Error(`the worker crashed: ${e.message}`)));
      worker.once("exit", (code) => reject(new Error(`the worker exited (code ${code})`)));
    });
    lost.catch(() => undefined); // observed by calls in flight; not an unhandled rejection otherwise
    return { endpoint: nodeEndpoint(worker), lost, terminate: async () => void (await worker.terminate()) };
  }
  const worker = new Worker(url, { type: "module" });
  let stop: (e: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => {
    stop = reject;
    worker.addEventListener("error", (e) => reject(new Error(`the worker crashed: ${e.message}`)));
  });
  lost.catch(() => undefined);
  return {
    endpoint: worker as unknown as Endpoint,
    lost,
    terminate: async () => {
      worker.terminate();
      stop(new Error("the worker was stopped"));
    },
  };
}
