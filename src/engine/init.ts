// Starting the engine on the main thread: `init()` compiles the best build (or takes the host's),
// instantiates it once per realm and sizes the thread team kernels split over (default: the cores in
// Node, Bun and Deno, WASM_RNN_THREADS overriding; one thread elsewhere). `integerDot` names the
// int8 kernels' inner product instead of letting the engine measure it (integer-dot.ts).

import { engineInfo, engineStarted, startEngine, type Engine, type EngineInfo } from "./engine.js";
import { compileCore, type LoadOptions } from "./load.js";
import { chooseIntegerDot, type IntegerDot } from "./integer-dot.js";
import { ThreadTeam } from "./threads/team.js";
import { MAX_THREADS } from "./threads/team-control.js";
import { ShapeError } from "../errors.js";
import { optionsObject, positiveInt } from "../validate.js";
import { platform } from "../platform/current.js";

export interface InitOptions extends LoadOptions {
  /** Upper bound on wasm memory the engine may allocate, in bytes (default 2 GiB). */
  memoryLimitBytes?: number;
  /**
   * Threads every layer's and model's kernels run on: this one and threads − 1 workers on the shared
   * memory (default: the number of cores in Node, 1 in browsers; 1 = no workers). Like
   * onnxruntime-web's env.wasm.numThreads. Calling init again with another number resizes the team.
   * Without shared memory (a page that is not cross-origin isolated) the engine runs on one thread.
   */
  threads?: number;
  /** The inner product of the int8 kernels (quantized inference): "auto" (default: the fastest that
   *  is exact on this engine, measured before the first int8 kernel), or "relaxed", "relaxed-i16",
   *  "i16". Every one gives the same results; only the speed differs. */
  integerDot?: IntegerDot | "auto";
}

/** @internal init, returning the engine itself (the library's own modules and tests). */
export async function initEngine(options: InitOptions = {}): Promise<Engine> {
  optionsObject(options, "init: options");
  const asked = options.threads === undefined ? undefined : positiveInt(options.threads, "init: threads");
  if (asked !== undefined && asked > MAX_THREADS) throw new ShapeError(`init: threads must be at most ${MAX_THREADS}; got ${asked}`);
  const first = !engineStarted();
  const eng = await startEngine(() => compileCore(options), options.memoryLimitBytes);
  if (options.integerDot !== undefined) chooseIntegerDot(eng, options.integerDot);
  if (asked === undefined && !first) return eng;
  const threads = asked ?? defaultThreads();
  if (threads > 1 && !eng.shared) {
    if (asked !== undefined) noticeOnce("shared memory is not available (is the page cross-origin isolated?); kernels run on one thread");
    await eng.useThreads(1, ThreadTeam.start);
    return eng;
  }
  if (asked !== undefined) {
    await eng.useThreads(threads, ThreadTeam.start);
    return eng;
  }
  // The default team starts in the background: workers take ~50–100 ms to boot, which init (and
  // importing the Node entry) should not wait for; a team that cannot start leaves one thread.
  eng.useThreads(threads, ThreadTeam.start, true).catch((e) => noticeOnce(`${(e as Error).message}; kernels run on one thread`));
  return eng;
}

/**
 * Loads and instantiates the wasm core once; later calls reuse it. Sizes its thread team: to
 * `threads` when given, else to the default on the first call. Resolves to what the engine runs with.
 */
export async function init(options: InitOptions = {}): Promise<EngineInfo> {
  await initEngine(options);
  return engineInfo();
}

/** The default team size: WASM_RNN_THREADS or the cores in Node (Bun, Deno), one thread elsewhere. */
function defaultThreads(): number {
  if (platform.kind !== "node") return 1;
  const variable = platform.environmentVariable("WASM_RNN_THREADS");
  if (variable !== undefined && variable !== "") return Math.min(positiveInt(Number(variable), "the WASM_RNN_THREADS environment variable"), MAX_THREADS);
  return Math.min(platform.coreCount(), MAX_THREADS);
}

const noticesShown = new Set<string>();

/** A console warning shown once per message. */
function noticeOnce(message: string): void {
  if (noticesShown.has(message)) return;
  noticesShown.add(message);
  console.warn(`wasm-rnn: ${message}`);
}
