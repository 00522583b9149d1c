// What differs between the JavaScript runtimes wasm-rnn runs in, behind one interface: Node, Bun and
// Deno (node.ts: files, worker_threads, environment variables) and browsers, Web Workers and edge
// runtimes such as Cloudflare's workerd (web.ts: fetch, Web Workers, no file system). The rest of the
// library reaches the runtime only through current.ts and never imports a `node:` module. Starting
// workers and a worker's side are functions of their own, so that worker scripts, which start none,
// do not carry (and bundlers do not follow) the worker URLs.

import type { Endpoint } from "comlink";

/** Which worker script to start: the worker pool's or the thread team's. */
export type WorkerKind = "pool" | "team";

/** A worker that was started, as the pool and the team drive it. */
export interface SpawnedWorker {
  endpoint: Endpoint;
  /** Lets a Node process exit while this worker idles (no-op elsewhere). */
  unref(): void;
  /** Rejects when the worker exits or fails; never resolves. */
  lost: Promise<never>;
  terminate(): Promise<void>;
}

/** The synchronous file operations checkpoints need (Node, Bun, Deno). */
export interface Files {
  exists(path: string): boolean;
  read(path: string): Uint8Array;
  /** Writes `bytes` to `path` and flushes them to the disk before returning. */
  writeFlushed(path: string, bytes: Uint8Array): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
  /** Creates `path` and its parents when missing. */
  makeDirectory(path: string): void;
  join(directory: string, name: string): string;
}

export interface Platform {
  /** "node": Node and the runtimes that run its modules (Bun, Deno); "web": browsers, Web Workers, edge runtimes. */
  readonly kind: "node" | "web";
  /** Whether this thread may sleep in Atomics.wait (a page's main thread may not). */
  readonly mayBlock: boolean;
  /** Whether wasm memory can be shared with workers (SharedArrayBuffer; in a page, cross-origin isolation). */
  sharedMemory(): boolean;
  /** Cores the runtime reports (1 when it does not say). */
  coreCount(): number;
  /** An environment variable, or undefined when unset or unreadable (Deno without --allow-env). */
  environmentVariable(name: string): string | undefined;
  /** Turns on what this runtime needs before compiling relaxed SIMD (a V8 flag in Node 20). */
  enableRelaxedSimd(): void;
  /** Whether this runtime's relaxed SIMD is an experimental one that runs the i8·i7 dot into i32
   *  wrong at times: Node 20's V8 11.3, whose baseline code gets it wrong until the optimised code
   *  arrives (measured: a fresh int8 kernel's first 500–1,000 calls), so no probe can vouch for it. */
  relaxedIntegerDotUnreliable(): boolean;
  /** The bytes at a URL: read from disk for file: URLs where there are files, fetched otherwise. The
   *  response's content type too, when there is one. */
  fetchBytes(url: URL): Promise<{ bytes: Uint8Array; contentType: string | null }>;
  /** A URL for a path or URL given by a user: an absolute URL as it is; a path is a file in Node,
   *  relative to the page elsewhere. */
  toUrl(source: string): URL;
  /** The file system, or null where there is none. */
  readonly files: Files | null;
  /** Resolves once the event loop has run what was waiting (timers, I/O, messages): a long
   *  computation awaits it between pieces to keep its thread answering. */
  yieldToEventLoop(): Promise<void>;
}

/** Starts a worker: the package's own script of that kind, or the script at `url`. */
export type SpawnWorker = (kind: WorkerKind, url?: URL | string) => SpawnedWorker;

/** The worker's side: exposes `api` through Comlink to the thread that started this worker. */
export type ExposeToParent = (api: object) => void;
