// Which inner product the int8 kernels use (assembly/int8.ts): the relaxed-SIMD i8·i7 dot into i32,
// the relaxed dot into i16 then widened, or the plain-SIMD i16 dot. Every one gives the same integer
// sums where it is correct, so the choice is about speed — except that some engines get one wrong:
// a candidate must first reproduce the i16 dot's results on a probe, bit for bit. Node 20's V8 11.3
// gets the i32 form wrong only in its baseline code, until the optimised code arrives (a fresh int8
// kernel's first 500–1,000 calls), so a probe run after that vouches for it wrongly: there it is
// never a candidate (the platform says so). Then the fastest correct one wins a short timing (about 30 ms: each warmed up until its
// optimised code runs, then interleaved rounds), or the caller names one (init). The
// choice is made once per realm, at its first int8 kernel; a thread team's members follow the main
// thread's. Measured here (AMD EPYC Zen 5, one thread, a 32 × 1024 × 256 product, GMAC/s), the relaxed
// dot into i32 / into i16 widened / the plain i16 dot: Node 20.20 wrong / 50 / 31, Node 22.23
// 37 / 52 / 31, Node 24.22 89 / 52 / 31, Node 26.12 89 / 52 / 31 — so the i16 dot runs only where no
// relaxed one is correct (and in the plain build), and the timing decides between the relaxed two.
// That timing can mislead right after start-up, while the engine still compiles in the background
// (Node 22 and 26 here picked the slower relaxed form about one time in five), so a measured choice
// is measured once more at the first int8 kernel RECHECK_MS later; the sums are the same either way.

import { ShapeError } from "../errors.js";
import { platform } from "../platform/current.js";
import type { Engine } from "./engine.js";

/** The inner products, by the names init() and engineInfo() use. */
export type IntegerDot = "relaxed" | "relaxed-i16" | "i16";

/** @internal Their numbers in the core (setIntegerDot). */
export const INTEGER_DOTS: Record<IntegerDot, number> = { i16: 0, relaxed: 1, "relaxed-i16": 2 };

/** A probe's sizes: rows of x, outputs, inner size (odd sizes exercise every edge of the kernels). */
const PROBE = { rows: 5, outputs: 37, inner: 70 };
/** The timing's sizes, like a batch step of a 256-unit layer. */
const TIMED = { rows: 8, outputs: 256, inner: 256 };
/** Milliseconds after a measured choice at which it is measured once more. */
const RECHECK_MS = 1000;
/** Milliseconds each candidate runs before timing; of each timed round; and the number of rounds. */
const WARMUP_MS = 5, ROUND_MS = 0.5, ROUNDS = 9;

/**
 * @internal Sets the engine's inner product: `wanted`, or (auto) the fastest that reproduces the i16 dot
 * (then measured once more RECHECK_MS later, unless this is that `recheck`). A named one the build
 * cannot run, or that gives other sums here, is a ShapeError.
 */
export function chooseIntegerDot(engine: Engine, wanted: IntegerDot | "auto" = "auto", recheck = false): IntegerDot {
  if (wanted !== "auto" && !(wanted in INTEGER_DOTS)) throw new ShapeError(`init: integerDot must be "auto", "relaxed", "relaxed-i16" or "i16"; got ${JSON.stringify(wanted)}`);
  const candidates: IntegerDot[] = engine.simd === "relaxed" ? ["relaxed", "relaxed-i16", "i16"] : ["i16"];
  if (wanted !== "auto" && !candidates.includes(wanted)) throw new ShapeError(`init: integerDot "${wanted}" needs the relaxed-SIMD build; this engine runs the plain one`);
  // Node 20: no probe can vouch for the relaxed dot into i32 (see the header)
  const unreliable = (dot: IntegerDot) => dot === "relaxed" && platform.relaxedIntegerDotUnreliable();
  if (wanted !== "auto" && unreliable(wanted)) {
    throw new ShapeError(`init: integerDot "relaxed" gives wrong sums on this engine (Node 20's V8 runs it wrong until its optimised code arrives); use "relaxed-i16"`);
  }
  const correct = candidates.filter((dot) => dot === "i16" || (!unreliable(dot) && sameAsI16(engine, dot)));
  if (wanted !== "auto" && !correct.includes(wanted)) throw new ShapeError(`init: integerDot "${wanted}" gives wrong sums on this engine (it does not reproduce the i16 dot)`);
  // The plain i16 dot is never the fastest where a relaxed one is correct (see the header), and timing
  // it against them right after start-up, while the engine still compiles in the background, could
  // pick it: it only runs where no relaxed dot is correct.
  const relaxed = correct.filter((dot) => dot !== "i16");
  const contenders = relaxed.length > 0 ? relaxed : correct;
  const chosen = wanted !== "auto" ? wanted : contenders.length === 1 ? contenders[0] : fastest(engine, contenders);
  engine.core.setIntegerDot(INTEGER_DOTS[chosen]);
  engine.integerDot = chosen;
  engine.integerDotRecheck = wanted === "auto" && !recheck && contenders.length > 1 ? performance.now() + RECHECK_MS : null;
  return chosen;
}

/** A product's operands in wasm memory (packed int8 weights, f32 rows, an output, a workspace) for
 *  `use`, which gets the product to run and a reader of its output; freed afterwards. */
function withOperands<T>(engine: Engine, sizes: { rows: number; outputs: number; inner: number }, use: (run: () => void, output: () => Float32Array) => T): T {
  const { rows, outputs, inner } = sizes;
  const core = engine.core, arena = engine.arena;
  const weights = arena.alloc(outputs * inner), scales = arena.alloc(outputs * 4), packed = arena.alloc(core.int8PackedBytes(outputs, inner));
  const x = arena.alloc(rows * inner * 4), y = arena.alloc(rows * outputs * 4), work = arena.alloc(core.int8WorkspaceBytes(inner));
  try {
    const bytes = new Int8Array(engine.memory.buffer, weights, outputs * inner);
    for (let i = 0; i < bytes.length; i++) bytes[i] = ((i * 73 + 11) % 255) - 127;
    engine.write(scales, Float32Array.from({ length: outputs }, (_, n) => 1 / (n + 1)));
    engine.write(x, Float32Array.from({ length: rows * inner }, (_, i) => Math.sin(i * 0.37) * (i % 5 === 0 ? 3 : 1)));
    core.packInt8(outputs, inner, weights, inner, 1, scales, packed);
    return use(() => core.int8Product(rows, outputs, inner, x, inner, packed, y, outputs, 0, work), () => engine.read(y, rows * outputs));
  } finally {
    for (const block of [work, y, x, packed, scales, weights]) arena.release(block);
  }
}

/** Whether `dot` gives the i16 dot's outputs, bit for bit, on the probe. */
function sameAsI16(engine: Engine, dot: IntegerDot): boolean {
  const outputsOf = (kind: IntegerDot) =>
    withOperands(engine, PROBE, (run, output) => {
      engine.core.setIntegerDot(INTEGER_DOTS[kind]);
      run();
      return new Int32Array(output().buffer);
    });
  const expected = outputsOf("i16"), got = outputsOf(dot);
  return expected.every((bits, i) => bits === got[i]);
}

/** The fastest of `dots` on the timed product. Each inner product is its own wasm function, which the
 *  engine first runs as baseline code and later, compiled in the background, optimised; measured on
 *  Node 20 and 26 with a few warm-up calls, the candidate the probe ran first won about one time in
 *  three. So all are warmed up in turn until each has run for WARMUP_MS (the optimised code has then
 *  usually arrived), then timed in interleaved rounds of at least ROUND_MS; the lowest median wins.
 *  Right after start-up, while the engine still compiles in the background, a measurement can still
 *  mislead (Node 20: about one time in eight); init({ integerDot }) names one instead. */
function fastest(engine: Engine, dots: IntegerDot[]): IntegerDot {
  return withOperands(engine, TIMED, (run) => {
    const timeOf = (dot: IntegerDot, calls: number) => {
      engine.core.setIntegerDot(INTEGER_DOTS[dot]);
      const start = performance.now();
      for (let i = 0; i < calls; i++) run();
      return performance.now() - start;
    };
    // Warm-up, round-robin, then calls per round: enough for ROUND_MS on the slowest candidate.
    const spent = dots.map(() => 0), made = dots.map(() => 0);
    while (Math.min(...spent) < WARMUP_MS) {
      dots.forEach((dot, k) => {
        spent[k] += timeOf(dot, 10);
        made[k] += 10;
      });
    }
    const calls = Math.max(...dots.map((_, k) => Math.ceil((ROUND_MS * made[k]) / spent[k])));
    const rounds = dots.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) dots.forEach((dot, k) => rounds[k].push(timeOf(dot, calls)));
    const medians = rounds.map((times) => times.sort((a, b) => a - b)[ROUNDS >> 1]);
    return dots[medians.indexOf(Math.min(...medians))];
  });
}
