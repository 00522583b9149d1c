// Starting one worker running worker.js: a worker_threads Worker in Node (with Comlink's node adapter
// as its endpoint), a module Web Worker in browsers. `lost` rejects if the worker exits or crashes,
// so a call in flight can fail instead of waiting forever.

import type { Endpoint } from "comlink";
import { isNode } from "../runtime.js";

/** The pool's worker script and the thread team's, beside this module (in the browser bundle: beside the bundle). */
export const WORKER_URL = new URL("./worker.js", import.meta.url);
export const TEAM_WORKER_URL = new URL("./team-worker.js", import.meta.url);

export interface SpawnedWorker {
  endpoint: Endpoint;
  /** Lets a Node process exit while this worker idles (no-op in browsers). */
  unref(): void;
  /** Rejects when the worker exits or fails; never resolves. */
  lost: Promise<never>;
  terminate(): Promise<void>;
}

export async function spawnWorker(url: URL | string): Promise<SpawnedWorker> {
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    const { default: nodeEndpoint } = await import("comlink/dist/esm/node-adapter.mjs");
    const worker = new Worker(url, { execArgv: workerExecArgv(process.execArgv) });
    const lost = new Promise<never>((_, reject) => {
      worker.once("error", (e) => reject(new Error(`the worker crashed: ${e.message}`)));
      worker.once("exit", (code) => reject(new Error(`the worker exited (code ${code})`)));
    });
    lost.catch(() => undefined); // observed by calls in flight; not an unhandled rejection otherwise
    return { endpoint: nodeEndpoint(worker), lost, unref: () => worker.unref(), terminate: async () => void (await worker.terminate()) };
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
    unref: () => undefined,
    terminate: async () => {
      worker.terminate();
      stop(new Error("the worker was stopped"));
    },
  };
}

/** The parent's Node flags less those about its own entry (-e/-p and their code, --input-type),
 *  which make a worker's module fail to load. */
function workerExecArgv(flags: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if (["-e", "--eval", "-p", "--print"].includes(flag)) i++;
    else if (!/^--(input-type|eval|print)(=|$)/.test(flag)) kept.push(flag);
  }
  return kept;
}
