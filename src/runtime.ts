// Which JavaScript runtime this is: Node (files, worker_threads) or a browser-like one (fetch, Web
// Workers), and what this thread may do (block in Atomics.wait).

/** True in Node.js (and runtimes that present themselves as it). */
export const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** Whether this thread may sleep in Atomics.wait: Node's threads and workers may, a page's main thread may not. */
export const mayBlock = isNode || typeof (globalThis as { document?: unknown }).document === "undefined";

/** Cores this runtime reports (1 when it does not say). */
export async function coreCount(): Promise<number> {
  if (isNode) return (await import("node:os")).availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}
