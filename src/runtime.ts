// Which JavaScript runtime this is: Node (files, worker_threads) or a browser-like one (fetch, Web Workers).

/** True in Node.js (and runtimes that present themselves as it). */
export const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
