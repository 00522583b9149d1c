// A small coverage-guided mutational fuzzer: V8 block coverage (node:inspector precise coverage) of
// the code under test decides which inputs join the corpus; byte mutations and edits of an input's
// JSON text come from a seeded PRNG; a watchdog thread saves an input that hangs, then kills the process.

import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

/** The JSON text inside an input, and the input rebuilt around an edited text (length prefixes fixed). */
export interface JsonView {
  text: string;
  rebuild(text: string): Uint8Array;
}

export interface FuzzTarget {
  seeds: readonly Uint8Array[];
  /** Where crashing inputs are saved, as crash-<sha1>.bin. */
  crashDir: string;
  /** Parses one input (may return a promise); a throw that `expected` refuses is a crash. */
  run(input: Uint8Array): unknown;
  expected(error: unknown): boolean;
  json?(input: Uint8Array): JsonView | null;
}

export interface FuzzOptions {
  budgetMs: number;
  seed: number;
  /** Only scripts whose URL contains this count for coverage. */
  coverageUrl: string;
  /** A run that finishes but takes longer is a crash (default 2 s). */
  slowMs?: number;
  /** A run still going after this long is saved by the watchdog, which then kills the process (default 10 s). */
  hangMs?: number;
  /** Mutants are cut to this many bytes (default 64 KiB). */
  maxLength?: number;
}

export interface Crash {
  file: string;
  problem: string;
}

export interface FuzzStats {
  executions: number;
  corpusSize: number;
  coveredBlocks: number;
  crashes: Crash[];
}

/** Fuzzes the target `load` returns; it is loaded after coverage starts, so its functions get block counters. */
export async function fuzz(load: () => Promise<FuzzTarget>, options: FuzzOptions): Promise<FuzzStats> {
  const settings: Required<FuzzOptions> = { slowMs: 2000, hangMs: 10_000, maxLength: 1 << 16, ...options };
  const coverage = new BlockCoverage(settings.coverageUrl);
  try {
    const target = await load();
    const watchdog = new Watchdog(target.crashDir, settings.hangMs, settings.maxLength);
    try {
      return await campaign(target, coverage, watchdog, settings);
    } finally {
      await watchdog.stop();
    }
  } finally {
    coverage.stop();
  }
}

/** The seeds, then mutants of corpus entries until the budget is spent; an input reaching something new joins the corpus. */
async function campaign(target: FuzzTarget, coverage: BlockCoverage, watchdog: Watchdog, settings: Required<FuzzOptions>): Promise<FuzzStats> {
  const { budgetMs, seed, slowMs, maxLength } = settings;
  const rng = new Prng(seed);
  const corpus: Uint8Array[] = [];
  const crashes = new Map<string, Crash>();
  let executions = 0;
  /** Runs an input: "crash" (saved, one file per distinct problem), "new" coverage, or nothing new. */
  const attempt = async (input: Uint8Array): Promise<"crash" | "new" | "seen"> => {
    executions++;
    const problem = await execute(target, input, watchdog, slowMs);
    const fresh = coverage.takeNew();
    if (problem === null) return fresh ? "new" : "seen";
    const signature = problem.replace(/\d+/g, "N").split("\n").slice(0, 2).join("\n");
    if (!crashes.has(signature)) crashes.set(signature, { file: saveCrash(target.crashDir, input), problem });
    return "crash";
  };
  coverage.takeNew(); // what ran before the first input does not count
  for (const input of target.seeds) if ((await attempt(input)) !== "crash") corpus.push(input);
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline && corpus.length) {
    const child = mutate(rng.pick(corpus), corpus, target, rng, maxLength);
    if ((await attempt(child)) === "new") corpus.push(child);
  }
  return { executions, corpusSize: corpus.length, coveredBlocks: coverage.blocks, crashes: [...crashes.values()] };
}

/** Runs one input: null when it loads or is refused as expected, else what went wrong. */
async function execute(target: FuzzTarget, input: Uint8Array, watchdog: Watchdog, slowMs: number): Promise<string | null> {
  watchdog.begin(input);
  const started = performance.now();
  try {
    await target.run(input);
  } catch (error) {
    if (!target.expected(error)) return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`).split("\n").slice(0, 6).join("\n") : `threw ${String(error)}`;
  } finally {
    watchdog.end();
  }
  const ms = performance.now() - started;
  return ms > slowMs ? `took ${Math.round(ms)} ms (the limit is ${slowMs} ms)` : null;
}

function saveCrash(dir: string, input: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `crash-${createHash("sha1").update(input).digest("hex").slice(0, 16)}.bin`);
  writeFileSync(file, input);
  return file;
}

// ---- coverage ----------------------------------------------------------------------------------------

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface ScriptCoverage {
  url: string;
  functions: { ranges: CoverageRange[] }[];
}

/**
 * The blocks reached so far. V8 reports, per function run since the last take, its range followed by
 * nested block ranges whose count differs from the enclosing one (a block run as often as its parent
 * is folded into it). So every block range ever reported is remembered, and a block counts as reached
 * when the innermost range around it this time has a non-zero count. Novelty is per block and coarse
 * hit count (1, 2–3, 4–15, 16+), as AFL's buckets.
 */
class BlockCoverage {
  private readonly session = new Session();
  private readonly known = new Map<string, { start: number; end: number; id: string }[]>();
  private readonly reached = new Set<string>();
  private readonly features = new Set<string>();

  constructor(private readonly urlPart: string) {
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  }

  get blocks(): number {
    return this.reached.size;
  }

  /** Collects (and resets) the counts since the last call; true when they show something new. */
  takeNew(): boolean {
    let fresh = false;
    for (const script of (this.post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] }).result) {
      if (!script.url.includes(this.urlPart)) continue;
      for (const { ranges } of script.functions) {
        if (ranges[0].count === 0) continue;
        const fn = `${script.url}@${ranges[0].startOffset}`;
        const blocks = this.known.get(fn) ?? [];
        this.known.set(fn, blocks);
        for (const r of ranges) {
          if (!blocks.some((b) => b.start === r.startOffset && b.end === r.endOffset)) blocks.push({ start: r.startOffset, end: r.endOffset, id: `${fn}:${r.startOffset}-${r.endOffset}` });
        }
        for (const block of blocks) {
          let count = 0;
          for (const r of ranges) if (r.startOffset <= block.start && block.start < r.endOffset) count = r.count; // ranges come outermost first
          if (count === 0) continue;
          this.reached.add(block.id);
          const feature = `${block.id}#${count < 2 ? 1 : count < 4 ? 2 : count < 16 ? 3 : 4}`;
          if (this.features.has(feature)) continue;
          this.features.add(feature);
          fresh = true;
        }
      }
    }
    return fresh;
  }

  stop(): void {
    this.post("Profiler.stopPreciseCoverage");
    this.post("Profiler.disable");
    this.session.disconnect();
  }

  /** Session.post answers Profiler methods synchronously in-process. */
  private post(method: string, params?: object): unknown {
    let answer: { error: Error | null; result?: unknown } | undefined;
    this.session.post(method, params, (error, result) => (answer = { error, result }));
    const { error, result } = (answer as typeof answer) ?? { error: new Error(`inspector ${method} did not answer synchronously`) };
    if (error) throw error;
    return result;
  }
}

// ---- hang watchdog -----------------------------------------------------------------------------------

/** Polls the run in flight (its number and bytes, in shared memory); saves and kills after hangMs without progress. */
const WATCHDOG_SOURCE = `
const { workerData: { shared, dir, hangMs } } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { mkdirSync, writeFileSync, writeSync } = require("node:fs");
const state = new Int32Array(shared, 0, 2);
let seen = 0, since = Date.now();
setInterval(() => {
  const running = Atomics.load(state, 0);
  if (running === 0 || running !== seen) { seen = running; since = Date.now(); return; }
  if (Date.now() - since < hangMs) return;
  const input = new Uint8Array(shared, 8, Atomics.load(state, 1)).slice();
  mkdirSync(dir, { recursive: true });
  const file = require("node:path").join(dir, "crash-" + createHash("sha1").update(input).digest("hex").slice(0, 16) + ".bin");
  writeFileSync(file, input);
  writeSync(2, "fuzz: an input has run for more than " + hangMs + " ms; saved as " + file + "; killing the process\\n");
  process.kill(process.pid, "SIGKILL");
}, 100);
`;

class Watchdog {
  private readonly shared: SharedArrayBuffer;
  private readonly state: Int32Array;
  private readonly worker: Worker;
  private runs = 0;

  constructor(dir: string, hangMs: number, maxLength: number) {
    this.shared = new SharedArrayBuffer(8 + maxLength);
    this.state = new Int32Array(this.shared, 0, 2);
    this.worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { shared: this.shared, dir, hangMs } });
    this.worker.unref();
  }

  begin(input: Uint8Array): void {
    new Uint8Array(this.shared, 8).set(input);
    Atomics.store(this.state, 1, input.length);
    this.runs = (this.runs % 0x7fffffff) + 1;
    Atomics.store(this.state, 0, this.runs);
  }

  end(): void {
    Atomics.store(this.state, 0, 0);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---- mutations ---------------------------------------------------------------------------------------

/** mulberry32. */
class Prng {
  constructor(private state: number) {}

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Boundary values, written little-endian in 1, 2, 4 or 8 bytes (truncated to the width) or as a varint. */
const INTERESTING = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, 1n << 63n, (1n << 64n) - 1n];
/** Replacements for a token of JSON text. */
const JSON_VALUES = ["0", "-1", "1", "2", "255", "65536", "2147483648", "4294967296", "9007199254740993", "1e308", "1e999", "-0", "0.5", "null", "true", '""', "[]", "{}", "[0]", "[null]", '"__proto__"'];
const JSON_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|true|false|null/g;

const splice = (bytes: Uint8Array, at: number, remove: number, insert: Uint8Array | readonly number[]): Uint8Array => {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
};

function littleEndian(value: bigint, width: number): number[] {
  return Array.from({ length: width }, (_, k) => Number((value >> BigInt(8 * k)) & 0xffn));
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  for (; value >= 0x80n; value >>= 7n) out.push(Number(value & 0x7fn) | 0x80);
  return [...out, Number(value)];
}

/** One byte-level mutation. */
function mutateBytes(bytes: Uint8Array, corpus: readonly Uint8Array[], rng: Prng): Uint8Array {
  const at = rng.below(bytes.length + 1);
  const length = () => 1 + rng.below(rng.below(2) ? 8 : 256); // mostly short, sometimes long
  switch (rng.below(8)) {
    case 0: // flip a bit
      return at < bytes.length ? splice(bytes, at, 1, [bytes[at] ^ (1 << rng.below(8))]) : bytes;
    case 1: // a random byte
      return splice(bytes, at, Math.min(1, bytes.length - at), [rng.below(256)]);
    case 2: { // a boundary number over the bytes there
      const value = littleEndian(rng.pick(INTERESTING), rng.pick([1, 2, 4, 8]));
      return splice(bytes, at, Math.min(value.length, bytes.length - at), value);
    }
    case 3: { // a boundary number as a protobuf varint
      const value = varint(rng.pick(INTERESTING));
      return splice(bytes, at, Math.min(rng.below(value.length + 1), bytes.length - at), value);
    }
    case 4: // cut a range
      return splice(bytes, at, Math.min(length(), bytes.length - at), []);
    case 5: // insert random bytes
      return splice(bytes, at, 0, Array.from({ length: 1 + rng.below(16) }, () => rng.below(256)));
    case 6: { // a range of this input or of another inserted anywhere (names, tags, whole sub-messages)
      const source = rng.below(2) ? bytes : rng.pick(corpus);
      const from = rng.below(source.length + 1);
      return splice(bytes, at, 0, source.slice(from, from + length()));
    }
    default: { // this input's head, another's tail
      const other = rng.pick(corpus);
      return splice(bytes, at, bytes.length - at, other.subarray(rng.below(other.length + 1)));
    }
  }
}

/** One token of the input's JSON text replaced: by a boundary value, another token of the text, or the number ±1. */
function mutateJson(view: JsonView, rng: Prng): Uint8Array | null {
  const tokens = [...view.text.matchAll(JSON_TOKEN)];
  if (!tokens.length) return null;
  const token = rng.pick(tokens);
  const number = Number(token[0]);
  const choice = rng.below(3);
  const replacement = choice === 0 ? rng.pick(JSON_VALUES) : choice === 1 || Number.isNaN(number) ? rng.pick(tokens)[0] : String(number + rng.pick([-1, 1]));
  return view.rebuild(view.text.slice(0, token.index) + replacement + view.text.slice(token.index + token[0].length));
}

/** 1–8 stacked mutations of `parent`, a JSON edit with probability 1/3 each when the target has JSON text. */
function mutate(parent: Uint8Array, corpus: readonly Uint8Array[], target: FuzzTarget, rng: Prng, maxLength: number): Uint8Array {
  let child = parent;
  for (let n = 1 << rng.below(4); n > 0; n--) {
    const view = target.json && rng.below(3) === 0 ? target.json(child) : null;
    child = (view && mutateJson(view, rng)) ?? mutateBytes(child, corpus, rng);
  }
  return child.length > maxLength ? child.subarray(0, maxLength) : child;
}
