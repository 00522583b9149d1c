// The platform in Node and in the runtimes that run Node's modules (Bun, Deno): files through node:fs,
// workers through worker_threads (with Comlink's node adapter), cores from node:os. Worker scripts are
// found in dist/ (dist/serving/worker.js, dist/engine/threads/team-worker.js).

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { parentPort, Worker } from "node:worker_threads";
import * as Comlink from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { ExposeToParent, Files, Platform, SpawnedWorker, SpawnWorker, WorkerKind } from "./platform.js";

const files: Files = {
  exists: (path) => existsSync(path),
  read: (path) => readFileSync(path),
  writeFlushed(path, bytes) {
    const fd = openSync(path, "w");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  remove: (path) => unlinkSync(path),
  makeDirectory: (path) => void mkdirSync(path, { recursive: true }),
  join: (directory, name) => join(directory, name),
};

/** Node itself (not Bun or Deno, which also report process.versions.node). */
const isNodeItself = typeof process.versions.bun !== "string" && typeof (globalThis as { Deno?: unknown }).Deno === "undefined";
/** Node before 22 (V8 11.3): relaxed SIMD is still experimental there. */
const experimentalRelaxedSimd = isNodeItself && Number(process.versions.node.split(".")[0]) < 22;

export const platform: Platform = {
  kind: "node",
  mayBlock: true,
  sharedMemory: () => typeof SharedArrayBuffer !== "undefined",
  coreCount: () => availableParallelism(),
  environmentVariable(name) {
    try {
      return process.env[name];
    } catch {
      return undefined; // Deno without --allow-env throws NotCapable: treat the variable as unset
    }
  },
  enableRelaxedSimd() {
    // Relaxed SIMD is behind a flag in Node 20 (V8 11.3); set before compiling, it enables it.
    if (experimentalRelaxedSimd) setFlagsFromString("--experimental-wasm-relaxed-simd");
  },
  relaxedIntegerDotUnreliable: () => experimentalRelaxedSimd,
  async fetchBytes(url) {
    if (url.protocol === "file:") return { bytes: new Uint8Array(await readFile(url)), contentType: null };
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get("content-type") };
  },
  // A scheme of two or more letters ("https:", "file:") makes a URL; "C:\\" is a Windows drive.
  toUrl: (source) => (/^[a-z][a-z0-9+.-]+:/i.test(source) && URL.canParse(source) ? new URL(source) : pathToFileURL(source)),
  files,
  yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
};

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

/** Flags of this process that Node refused for a worker (V8's process-wide ones, such as
 *  --expose-gc): they already apply to the whole process. */
const refusedFlags = new Set<string>();

/** A worker on `script` with this process's flags, less those a worker may not take. */
function startWorker(script: URL | string): Worker {
  const flags = () => workerExecArgv(process.execArgv).filter((f) => !refusedFlags.has(f.replace(/=.*$/s, "")));
  try {
    return new Worker(script, { execArgv: flags() });
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
    // "Initiated Worker with invalid execArgv flags: --a, --b": refused by name, or all of them.
    const named = /flags?: (.+)$/.exec((e as Error).message)?.[1].split(/,\s*/) ?? [];
    for (const flag of named.length ? named : flags()) refusedFlags.add(flag.replace(/=.*$/s, ""));
    return new Worker(script, { execArgv: flags() });
  }
}

/** Starts the package's worker script of `kind` (or the one at `url`). */
export const spawnWorker: SpawnWorker = (kind: WorkerKind, url?: URL | string): SpawnedWorker => {
  const script = url ?? (kind === "pool" ? new URL("../serving/worker.js", import.meta.url) : new URL("../engine/threads/team-worker.js", import.meta.url));
  const worker = startWorker(script);
  const lost = new Promise<never>((_, reject) => {
    worker.once("error", (e) => reject(new Error(`the worker crashed: ${e.message}`)));
    worker.once("exit", (code) => reject(new Error(`the worker exited (code ${code})`)));
  });
  lost.catch(() => undefined); // observed by calls in flight; not an unhandled rejection otherwise
  return { endpoint: nodeEndpoint(worker), lost, unref: () => worker.unref(), terminate: async () => void (await worker.terminate()) };
};

/** The worker's side: exposes `api` to the thread that started this worker. */
export const exposeToParent: ExposeToParent = (api) => {
  if (!parentPort) throw new Error("wasm-rnn: a worker script was run outside a worker");
  Comlink.expose(api, nodeEndpoint(parentPort));
};
