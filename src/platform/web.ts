// The platform in browsers, Web Workers and edge runtimes (Cloudflare's workerd): fetch, module Web
// Workers, no file system. Only the browser bundles include it (scripts/build-browser.mjs), so the
// worker scripts' URLs below are relative to the bundle in dist/browser/. Each is a literal
// `new Worker(new URL("./…", import.meta.url))`, the form Vite and webpack find, bundle and rename.

import * as Comlink from "comlink";
import type { ExposeToParent, Platform, SpawnedWorker, SpawnWorker, WorkerKind } from "./platform.js";

const scope = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number }; location?: { href: string }; document?: unknown };

export const platform: Platform = {
  kind: "web",
  // A page's main thread may not sleep in Atomics.wait; workers may.
  mayBlock: scope.document === undefined,
  sharedMemory: () => typeof SharedArrayBuffer !== "undefined" && scope.crossOriginIsolated === true,
  coreCount: () => scope.navigator?.hardwareConcurrency ?? 1,
  environmentVariable: () => undefined,
  enableRelaxedSimd: () => undefined,
  relaxedIntegerDotUnreliable: () => false,
  async fetchBytes(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get("content-type") };
  },
  toUrl: (source) => new URL(source, scope.location?.href),
  files: null,
  // A message to itself: a task, like a timer, but without the 4 ms browsers add to nested timeouts.
  yieldToEventLoop: () =>
    typeof MessageChannel === "undefined"
      ? new Promise((resolve) => setTimeout(resolve, 0))
      : new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            channel.port1.close();
            resolve();
          };
          channel.port2.postMessage(null);
        }),
};

/** Starts the package's worker script of `kind` (or the one at `url`). */
export const spawnWorker: SpawnWorker = (kind: WorkerKind, url?: URL | string): SpawnedWorker => {
  if (typeof Worker === "undefined") throw new Error("this runtime has no Web Workers");
  const worker =
    url !== undefined ? new Worker(url, { type: "module" })
    : kind === "pool" ? new Worker(new URL("./worker.js", import.meta.url), { type: "module" })
    : new Worker(new URL("./team-worker.js", import.meta.url), { type: "module" });
  let stop: (e: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => {
    stop = reject;
    worker.addEventListener("error", (e) => reject(new Error(`the worker crashed: ${e.message}`)));
  });
  lost.catch(() => undefined);
  return {
    endpoint: worker,
    lost,
    unref: () => undefined,
    terminate: async () => {
      worker.terminate();
      stop(new Error("the worker was stopped"));
    },
  };
};

/** The worker's side: exposes `api` to the thread that started this worker. */
export const exposeToParent: ExposeToParent = (api) => Comlink.expose(api);
