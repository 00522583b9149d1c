// The test-only fourth cell's kernels (assembly/testing/mgu.ts) in the test builds, instantiated
// directly and given plans laid out as layers/recurrent-stack.ts lays them out: forward (states,
// gates, f⊙h) and backward (∂h0, ∂x or ∂table, every parameter gradient, accumulated or overwritten
// as the other cells do) against the float64 reference (test/reference/mgu.ts) on batch 1 and
// batches, odd H, lengths, h0, token inputs and int8 weights, with sentinels after every buffer and
// NaN in every buffer the kernels must write before reading; a batch split over two threads (a
// worker_thread on the threads build's shared memory); and the reference itself against finite
// differences and against a GRU that computes the same cell. The shipped builds have no MGU.

import { readFileSync } from "node:fs";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyPlan, FLAG_INT8, type CoreExports, type SequencePlan } from "../../src/engine/abi.js";
import { encodePlan } from "../../src/engine/engine.js";
import { quantizeRows } from "../../src/layers/quantize.js";
import { Random } from "../../src/random.js";
import { expectClose, type Tolerance } from "../helpers/compare.js";
import { recurrentBackward, recurrentForward, type NamedTensors, type RecurrentForward, type RecurrentSpec } from "../reference/recurrent.js";

v8.setFlagsFromString("--experimental-wasm-relaxed-simd");

const MGU_KERNELS = ["mguPreparedBytes", "mguPrepare", "mguForward", "mguBackward", "mguForwardWorkspaceBytes", "mguBackwardWorkspaceBytes", "mguBackwardSharedBytes"] as const;
type MguCore = CoreExports & Record<(typeof MGU_KERNELS)[number], (plan: number) => number>;

const SENTINEL = 12345.5;
const GUARD_FLOATS = 16;
/** What int8 products may differ by from the reference's rounding of their operands (as the quantized layers' suite). */
const QUANTIZED_MATH: Tolerance = { rtol: 1e-3, atol: 1e-4 };
/** A split against the same build unsplit: the same products per row, in the same order. */
const SPLIT_EXACT: Tolerance = { rtol: 1e-6, atol: 0 };

const buildUrl = (file: string) => new URL(`../../build/${file}`, import.meta.url);

// ---- a test build on its own memory -------------------------------------------------------------

/** A build instantiated on `memory`, and a bump allocator that puts sentinels after every buffer. */
class Wasm {
  readonly core: MguCore;
  private top: number;
  private readonly guards: { label: string; at: number }[] = [];
  private readonly planBlocks: number[] = [];

  constructor(module: WebAssembly.Module, readonly memory: WebAssembly.Memory) {
    this.core = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error("abort"); } } }).exports as unknown as MguCore;
    this.top = Math.ceil(this.core.heapBase() / 64) * 64;
  }

  get f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  get i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  /** `bytes` bytes (64-aligned), filled with `fill`, followed by sentinels. */
  alloc(bytes: number, label: string, fill = NaN): number {
    const ptr = this.top, guard = ptr + Math.ceil(bytes / 64) * 64;
    this.top = guard + GUARD_FLOATS * 4;
    const short = this.top - this.memory.buffer.byteLength;
    if (short > 0) this.memory.grow(Math.ceil(short / 65536));
    this.f32.fill(fill, ptr >> 2, guard >> 2);
    this.f32.fill(SENTINEL, guard >> 2, (guard >> 2) + GUARD_FLOATS);
    this.guards.push({ label, at: guard });
    return ptr;
  }

  floats(values: ArrayLike<number>, label: string): number {
    const ptr = this.alloc(values.length * 4, label);
    this.f32.set(values, ptr >> 2);
    return ptr;
  }

  ints(values: ArrayLike<number>, label: string): number {
    const ptr = this.alloc(values.length * 4, label);
    this.i32.set(values, ptr >> 2);
    return ptr;
  }

  int8(values: Int8Array, label: string): number {
    const ptr = this.alloc(values.length, label);
    new Int8Array(this.memory.buffer).set(values, ptr);
    return ptr;
  }

  read(ptr: number, n: number): Float32Array {
    return this.f32.slice(ptr >> 2, (ptr >> 2) + n);
  }

  /** Writes `plan` into plan block `block` and returns its address. */
  plan(plan: SequencePlan, block = 0): number {
    while (this.planBlocks.length <= block) this.planBlocks.push(this.alloc(this.core.planBytes(), "plan"));
    this.i32.set(encodePlan(plan), this.planBlocks[block] >> 2);
    return this.planBlocks[block];
  }

  /** Fails naming every buffer whose sentinels changed, after `call`. */
  expectGuards(call: string): void {
    const f32 = this.f32;
    const broken = this.guards.filter(({ at }) => f32.subarray(at >> 2, (at >> 2) + GUARD_FLOATS).some((v) => v !== SENTINEL));
    expect(broken.map((g) => g.label), `sentinels after ${call}`).toEqual([]);
  }
}

async function loadBuild(file: string): Promise<Wasm> {
  const module = await WebAssembly.compile(readFileSync(buildUrl(file)));
  return new Wasm(module, new WebAssembly.Memory({ initial: 64, maximum: 4096 }));
}

// ---- cases and their data -----------------------------------------------------------------------

interface MguCase {
  label: string;
  T: number;
  B: number;
  I: number;
  H: number;
  lengths?: number[];
  /** h0 given (else zeros) */
  h0?: boolean;
  /** biases (default true) */
  bias?: boolean;
  /** ∂L/∂output given (default true; else backward gets ∂L/∂h_T alone) */
  gradOutput?: boolean;
  /** Token inputs: rows of a [vocab, I] table picked by ids, and the row that gets no gradient. */
  tokens?: { vocab: number; paddingIdx: number };
}

interface CaseData {
  params: Record<string, Float32Array>;
  /** [T, B, I] (with tokens: the table's rows) */
  x: Float32Array;
  ids: Int32Array | null;
  table: Float32Array | null;
  h0: Float32Array | null;
  gradOutput: Float32Array | null;
  gradHN: Float32Array;
  /** What the accumulated gradients hold before backward. */
  priors: Record<string, Float32Array>;
}

function caseData(c: MguCase, seed: number): CaseData {
  const { T, B, I, H } = c, G = 2 * H, V = c.tokens?.vocab ?? 0;
  const random = new Random(seed);
  const uniform = (n: number, scale: number) => random.uniformArray(n, -scale, scale);
  const params: Record<string, Float32Array> = { weight_ih_l0: uniform(G * I, 0.7), weight_hh_l0: uniform(G * H, 0.7) };
  if (c.bias !== false) Object.assign(params, { bias_ih_l0: uniform(G, 0.5), bias_hh_l0: uniform(G, 0.5) });
  const ids = c.tokens ? Int32Array.from({ length: T * B }, () => random.below(V)) : null;
  const table = c.tokens ? uniform(V * I, 1) : null;
  const x = ids && table ? Float32Array.from({ length: T * B * I }, (_, k) => table[ids[Math.floor(k / I)] * I + (k % I)]) : uniform(T * B * I, 1);
  const priors = Object.fromEntries(Object.entries(params).map(([name, p]) => [name, uniform(p.length, 0.1)]));
  if (table) priors.table = uniform(table.length, 0.1);
  return {
    params, x, ids, table, priors,
    h0: c.h0 ? uniform(B * H, 0.5) : null,
    gradOutput: c.gradOutput === false ? null : uniform(T * B * H, 1),
    gradHN: uniform(B * H, 1),
  };
}

function specOf(c: MguCase): RecurrentSpec {
  return {
    cell: "mgu", inputSize: c.I, hiddenSize: c.H, numLayers: 1, bidirectional: false, bias: c.bias !== false, batchFirst: false,
    projSize: 0, peepholes: false, resetAfter: false, nonlinearity: "tanh",
  };
}

/** The parameters as the reference reads them: float, or int8 values with their row scales. */
function quantizedParams(c: MguCase, d: CaseData): { params: NamedTensors; int8: Record<"wIh" | "wHh", { values: Int8Array; scales: Float32Array }> } {
  const G = 2 * c.H;
  const wIh = quantizeRows(d.params.weight_ih_l0, G, c.I, "weight_ih"), wHh = quantizeRows(d.params.weight_hh_l0, G, c.H, "weight_hh");
  const params: NamedTensors = { ...d.params, weight_ih_l0: wIh.values, weight_ih_l0_scale: wIh.scales, weight_hh_l0: wHh.values, weight_hh_l0_scale: wHh.scales };
  return { params, int8: { wIh, wHh } };
}

// ---- plans, as the recurrent stack builds them --------------------------------------------------

/** A plan over fresh buffers: parameters (int8 when asked), input or tokens, lengths, h with h0 in
 *  h[0], and NaN in h[1..T], gates and extra, which forward must write. */
function layOut(wasm: Wasm, c: MguCase, d: CaseData, int8 = false): SequencePlan {
  const { T, B, I, H } = c, G = 2 * H;
  const plan = emptyPlan();
  Object.assign(plan, { steps: T, batch: B, inputSize: I, hiddenSize: H, outputSize: H });
  if (int8) {
    const q = quantizedParams(c, d).int8;
    plan.flags = FLAG_INT8;
    plan.wIh = wasm.int8(q.wIh.values, "weight_ih (int8)");
    plan.wHh = wasm.int8(q.wHh.values, "weight_hh (int8)");
    plan.wIhScale = wasm.floats(q.wIh.scales, "weight_ih scales");
    plan.wHhScale = wasm.floats(q.wHh.scales, "weight_hh scales");
  } else {
    plan.wIh = wasm.floats(d.params.weight_ih_l0, "weight_ih");
    plan.wHh = wasm.floats(d.params.weight_hh_l0, "weight_hh");
  }
  if (d.params.bias_ih_l0) {
    plan.bIh = wasm.floats(d.params.bias_ih_l0, "bias_ih");
    plan.bHh = wasm.floats(d.params.bias_hh_l0, "bias_hh");
  }
  plan.lengths = c.lengths ? wasm.ints(c.lengths, "lengths") : 0;
  if (c.tokens) {
    plan.tokens = wasm.ints(d.ids!, "tokens");
    plan.vocab = c.tokens.vocab;
    plan.table = wasm.floats(d.table!, "table");
    plan.paddingIdx = c.tokens.paddingIdx;
  } else {
    plan.x = wasm.floats(d.x, "x");
  }
  plan.h = wasm.alloc((T + 1) * B * H * 4, "h");
  wasm.f32.set(d.h0 ?? new Float32Array(B * H), plan.h >> 2);
  plan.gates = wasm.alloc(T * B * G * 4, "gates");
  plan.extra = wasm.alloc(T * B * H * 4, "extra");
  return plan;
}

/** The hidden-side weights laid out for the plan's batch size, as the stack's preparedWeights does. */
function prepare(wasm: Wasm, plan: SequencePlan): void {
  plan.prepared = wasm.alloc(wasm.core.mguPreparedBytes(wasm.plan(plan)), "prepared");
  wasm.core.mguPrepare(wasm.plan(plan));
  wasm.expectGuards("mguPrepare");
}

function forward(wasm: Wasm, plan: SequencePlan): void {
  prepare(wasm, plan);
  plan.work = wasm.alloc(wasm.core.mguForwardWorkspaceBytes(wasm.plan(plan)), "forward workspace");
  wasm.core.mguForward(wasm.plan(plan));
  wasm.expectGuards("mguForward");
}

/** Points the plan at backward's inputs and outputs: ∂L/∂output (every step, past the lengths too:
 *  the kernel must not read those), ∂L/∂h_T, ∂x (NaN: overwritten), and the accumulated gradients
 *  holding their priors. */
function layOutBackward(wasm: Wasm, c: MguCase, d: CaseData, plan: SequencePlan): void {
  plan.gradOutput = d.gradOutput ? wasm.floats(d.gradOutput, "gradOutput") : 0;
  plan.gradH = wasm.floats(d.gradHN, "gradH");
  plan.gradX = c.tokens ? 0 : wasm.alloc(c.T * c.B * c.I * 4, "gradX");
  plan.gradWIh = wasm.floats(d.priors.weight_ih_l0, "grad weight_ih");
  plan.gradWHh = wasm.floats(d.priors.weight_hh_l0, "grad weight_hh");
  if (d.priors.bias_ih_l0) {
    plan.gradBIh = wasm.floats(d.priors.bias_ih_l0, "grad bias_ih");
    plan.gradBHh = wasm.floats(d.priors.bias_hh_l0, "grad bias_hh");
  }
  if (c.tokens) plan.gradTable = wasm.floats(d.priors.table, "grad table");
}

function backward(wasm: Wasm, c: MguCase, d: CaseData, plan: SequencePlan): void {
  layOutBackward(wasm, c, d, plan);
  plan.work = 0;
  plan.work = wasm.alloc(wasm.core.mguBackwardWorkspaceBytes(wasm.plan(plan)), "backward workspace");
  wasm.core.mguBackward(wasm.plan(plan));
  wasm.expectGuards("mguBackward");
}

// ---- what the reference expects -----------------------------------------------------------------

interface StepCache {
  f: Float64Array;
  n: Float64Array;
  fh: Float64Array;
}

/** Forward's buffers against the reference: h [T+1, B, H] (h0, then each step's state, carried past
 *  a row's length), the gates f n of every active step, and extra: f⊙h, zero past a row's length. */
function expectForward(wasm: Wasm, c: MguCase, d: CaseData, plan: SequencePlan, ref: RecurrentForward, tol?: Tolerance): void {
  const { T, B, H } = c, G = 2 * H;
  const h = new Float64Array((T + 1) * B * H), extra = new Float64Array(T * B * H);
  if (d.h0) h.set(d.h0);
  const gates: number[] = [], expectedGates: number[] = [];
  const gatesActual = wasm.read(plan.gates, T * B * G);
  for (let b = 0; b < B; b++) {
    const steps = ref.tape[b];
    for (let t = 0; t < T; t++) {
      const at = ((t + 1) * B + b) * H;
      if (t < steps.length) {
        const { f, n, fh } = steps[t].cache as StepCache;
        h.set(ref.output.subarray((t * B + b) * H, (t * B + b + 1) * H), at);
        extra.set(fh, (t * B + b) * H);
        expectedGates.push(...f, ...n);
        gates.push(...gatesActual.subarray((t * B + b) * G, (t * B + b + 1) * G));
      } else {
        h.set(ref.hN.subarray(b * H, (b + 1) * H), at);
      }
    }
  }
  expectClose(wasm.read(plan.h, h.length), h, `${c.label}: h`, tol);
  expectClose(gates, expectedGates, `${c.label}: gates`, tol);
  expectClose(wasm.read(plan.extra, extra.length), extra, `${c.label}: extra`, tol);
}

/** Backward's outputs against the reference: ∂h0, ∂x (or the table's gradient), and every parameter
 *  gradient added to its prior. */
function expectBackward(wasm: Wasm, c: MguCase, d: CaseData, plan: SequencePlan, ref: RecurrentForward, tol?: Tolerance): void {
  const { T, B, I } = c;
  const grads = recurrentBackward(specOf(c), d.params, ref, T, B, d.gradOutput, d.gradHN);
  expectClose(wasm.read(plan.gradH, B * c.H), grads.h0, `${c.label}: ∂h0`, tol);
  if (c.tokens) {
    const table = Float64Array.from(d.priors.table);
    for (let r = 0; r < T * B; r++) {
      const v = d.ids![r];
      if (v === c.tokens.paddingIdx) continue;
      for (let k = 0; k < I; k++) table[v * I + k] += grads.input[r * I + k];
    }
    expectClose(wasm.read(plan.gradTable, table.length), table, `${c.label}: ∂table`, tol);
  } else {
    expectClose(wasm.read(plan.gradX, T * B * I), grads.input, `${c.label}: ∂x`, tol);
  }
  const fields: Record<string, keyof SequencePlan> = { weight_ih_l0: "gradWIh", weight_hh_l0: "gradWHh", bias_ih_l0: "gradBIh", bias_hh_l0: "gradBHh" };
  expect(Object.keys(grads.params).sort()).toEqual(Object.keys(d.params).sort());
  for (const [name, g] of Object.entries(grads.params)) {
    const expected = Float64Array.from(g, (v, i) => v + d.priors[name][i]);
    expectClose(wasm.read(plan[fields[name]], g.length), expected, `${c.label}: ∂${name}`, tol);
  }
}

/** The forward's inputs are read, never written. */
function expectInputsKept(wasm: Wasm, c: MguCase, d: CaseData, plan: SequencePlan): void {
  expect(wasm.read(plan.wHh, d.params.weight_hh_l0.length), `${c.label}: weight_hh kept`).toEqual(d.params.weight_hh_l0);
  expect(wasm.read(plan.wIh, d.params.weight_ih_l0.length), `${c.label}: weight_ih kept`).toEqual(d.params.weight_ih_l0);
  if (plan.x) expect(wasm.read(plan.x, d.x.length), `${c.label}: x kept`).toEqual(d.x);
  if (plan.table) expect(wasm.read(plan.table, d.table!.length), `${c.label}: table kept`).toEqual(d.table);
}

function referenceForward(c: MguCase, params: NamedTensors, d: CaseData): RecurrentForward {
  return recurrentForward(specOf(c), params, d.x, c.T, c.B, { h0: d.h0 ?? undefined, lengths: c.lengths });
}

// ---- the cases ----------------------------------------------------------------------------------

const CASES: MguCase[] = [
  { label: "B 1, H 4, h0", T: 5, B: 1, I: 3, H: 4, h0: true },
  { label: "B 1, odd H 7, length 4 of 6", T: 6, B: 1, I: 5, H: 7, lengths: [4] },
  { label: "B 3, odd H 9, lengths, h0", T: 5, B: 3, I: 4, H: 9, lengths: [5, 2, 4], h0: true },
  { label: "B 4, odd H 13, no bias, lengths, h0", T: 7, B: 4, I: 6, H: 13, lengths: [7, 7, 3, 1], h0: true, bias: false },
  { label: "B 2, H 6, ∂h_T only", T: 4, B: 2, I: 5, H: 6, h0: true, gradOutput: false },
  { label: "B 3, H 5, token inputs, padding row, lengths", T: 5, B: 3, I: 4, H: 5, lengths: [5, 3, 4], h0: true, tokens: { vocab: 7, paddingIdx: 2 } },
  { label: "B 1, H 11, token inputs", T: 6, B: 1, I: 3, H: 11, tokens: { vocab: 5, paddingIdx: -1 } },
  { label: "B 5, H 35, I 24, lengths", T: 9, B: 5, I: 24, H: 35, lengths: [9, 4, 9, 1, 6], h0: true },
];

const INT8_CASES: MguCase[] = [
  { label: "int8, B 1, odd H 7", T: 6, B: 1, I: 5, H: 7, h0: true },
  { label: "int8, B 3, H 12, lengths", T: 5, B: 3, I: 9, H: 12, lengths: [5, 2, 4], h0: true },
  { label: "int8, B 2, H 9, token inputs", T: 4, B: 2, I: 6, H: 9, tokens: { vocab: 6, paddingIdx: 0 } },
];

// ---- the kernels of each single-threaded build --------------------------------------------------

for (const file of ["testing/release.wasm", "testing/relaxed.wasm"]) {
  describe(`MGU kernels of build/${file} against the float64 reference`, () => {
    let wasm: Wasm;
    beforeAll(async () => {
      wasm = await loadBuild(file);
    });

    CASES.forEach((c, i) => {
      it(`${c.label}: forward, then backward`, () => {
        const d = caseData(c, 100 + i);
        const plan = layOut(wasm, c, d);
        forward(wasm, plan);
        const ref = referenceForward(c, d.params, d);
        expectForward(wasm, c, d, plan, ref);
        backward(wasm, c, d, plan);
        expectBackward(wasm, c, d, plan, ref);
        expectInputsKept(wasm, c, d, plan);
      });
    });

    INT8_CASES.forEach((c, i) => {
      it(`${c.label}: forward`, () => {
        const d = caseData(c, 200 + i);
        const plan = layOut(wasm, c, d, true);
        forward(wasm, plan);
        expectForward(wasm, c, d, plan, referenceForward(c, quantizedParams(c, d).params, d), QUANTIZED_MATH);
      });
    });

    it("one sequence is never split by units: asked, forward and backward trap", () => {
      const c = CASES[0], d = caseData(c, 300);
      const plan = layOut(wasm, c, d);
      forward(wasm, plan);
      layOutBackward(wasm, c, d, plan);
      const split = { ...plan, parts: 2, barrier: wasm.ints([0], "barrier"), shared: wasm.alloc(1 << 12, "shared") };
      expect(() => wasm.core.mguForward(wasm.plan(split))).toThrow(WebAssembly.RuntimeError);
      expect(() => wasm.core.mguBackward(wasm.plan(split))).toThrow(WebAssembly.RuntimeError);
    });
  });
}

// ---- a batch split over two threads ---------------------------------------------------------------

/** Part 1 of a split kernel runs here, on the build and the shared memory it is sent. */
const PART_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory } = workerData;
const core = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("abort"); } } }).exports;
parentPort.on("message", ({ kernel, plan }) => {
  try {
    core[kernel](plan);
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e) });
  }
});
parentPort.postMessage({ ok: true });
`;

/** The threads build on a shared memory here and in one worker_thread: two parts of a kernel run at
 *  once, meeting at the plan's barrier (what the engine's thread team does with its members). */
class TwoThreads {
  private constructor(readonly wasm: Wasm, private readonly worker: Worker, private readonly barrier: number) {}

  static async start(): Promise<TwoThreads> {
    const module = await WebAssembly.compile(readFileSync(buildUrl("testing/threads.wasm")));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 4096, shared: true });
    const worker = new Worker(PART_WORKER, { eval: true, workerData: { module, memory } });
    await new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    const wasm = new Wasm(module, memory);
    return new TwoThreads(wasm, worker, wasm.ints([0], "barrier"));
  }

  /** Runs plans[0] here and plans[1] in the worker, from a fresh barrier. */
  async run(kernel: "mguForward" | "mguBackward", plans: SequencePlan[]): Promise<void> {
    Atomics.store(this.wasm.i32, this.barrier >> 2, 0);
    const addresses = plans.map((plan, k) => this.wasm.plan({ ...plan, barrier: this.barrier }, k));
    const reply = new Promise<{ ok: boolean; error?: string }>((resolve) => this.worker.once("message", resolve));
    this.worker.postMessage({ kernel, plan: addresses[1] });
    this.wasm.core[kernel](addresses[0]);
    const { ok, error } = await reply;
    expect(error, `${kernel} part 1`).toBeUndefined();
    expect(ok).toBe(true);
    this.wasm.expectGuards(`${kernel} in two parts`);
  }

  /** Forward in two parts by batch rows, as the stack's partPlans builds them: one prepared layout,
   *  a workspace per part. */
  async forward(plan: SequencePlan): Promise<void> {
    prepare(this.wasm, plan);
    const plans = [0, 1].map((part) => {
      const partPlan = { ...plan, part, parts: 2, work: 0 };
      partPlan.work = this.wasm.alloc(this.wasm.core.mguForwardWorkspaceBytes(this.wasm.plan(partPlan)), `forward workspace ${part}`);
      return partPlan;
    });
    await this.run("mguForward", plans);
  }

  /** Backward in two parts, as the stack's backwardPlans builds them: the shared gate gradients, a
   *  workspace per part. */
  async backward(c: MguCase, d: CaseData, plan: SequencePlan): Promise<void> {
    layOutBackward(this.wasm, c, d, plan);
    const split = { ...plan, parts: 2, work: 0, shared: 0 };
    split.shared = this.wasm.alloc(this.wasm.core.mguBackwardSharedBytes(this.wasm.plan(split)), "backward shared");
    const bytes = this.wasm.core.mguBackwardWorkspaceBytes(this.wasm.plan(split));
    await this.run("mguBackward", [0, 1].map((part) => ({ ...split, part, work: this.wasm.alloc(bytes, `backward workspace ${part}`) })));
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

const SPLIT_CASES: MguCase[] = [
  { label: "B 4, odd H 11, lengths, h0", T: 6, B: 4, I: 5, H: 11, lengths: [6, 3, 6, 2], h0: true },
  { label: "B 3, H 8, token inputs, padding row", T: 5, B: 3, I: 4, H: 8, lengths: [5, 5, 2], tokens: { vocab: 9, paddingIdx: 4 } },
  { label: "B 2, H 6, ∂h_T only", T: 4, B: 2, I: 7, H: 6, gradOutput: false },
];

describe("MGU kernels of build/testing/threads.wasm split by batch rows over two threads", () => {
  let threads: TwoThreads;
  beforeAll(async () => {
    threads = await TwoThreads.start();
  });
  afterAll(async () => {
    await threads?.stop();
  });

  SPLIT_CASES.forEach((c, i) => {
    it(`${c.label}: the reference's results, and the unsplit kernels' results`, async () => {
      const wasm = threads.wasm, d = caseData(c, 400 + i);
      const whole = layOut(wasm, c, d);
      forward(wasm, whole);
      backward(wasm, c, d, whole);

      const plan = layOut(wasm, c, d);
      await threads.forward(plan);
      const ref = referenceForward(c, d.params, d);
      expectForward(wasm, c, d, plan, ref);
      await threads.backward(c, d, plan);
      expectBackward(wasm, c, d, plan, ref);

      const T = c.T, B = c.B, H = c.H, I = c.I;
      const buffers: [keyof SequencePlan, number][] = [
        ["h", (T + 1) * B * H], ["extra", T * B * H], ["gradH", B * H], ["gradWIh", 2 * H * I], ["gradWHh", 2 * H * H], ["gradBIh", 2 * H], ["gradBHh", 2 * H],
        c.tokens ? ["gradTable", c.tokens.vocab * I] : ["gradX", T * B * I],
      ];
      for (const [field, n] of buffers) expectClose(wasm.read(plan[field], n), wasm.read(whole[field], n), `${c.label}: ${field} split`, SPLIT_EXACT);
    });
  });

  it("int8, B 3, H 12, lengths: forward split by rows, against the reference", async () => {
    const c = INT8_CASES[1], d = caseData(c, 500);
    const plan = layOut(threads.wasm, c, d, true);
    await threads.forward(plan);
    expectForward(threads.wasm, c, d, plan, referenceForward(c, quantizedParams(c, d).params, d), QUANTIZED_MATH);
  });
});

// ---- the builds ---------------------------------------------------------------------------------

describe("the MGU is in the test builds only", () => {
  const exportsOf = (file: string) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(buildUrl(file)))).map((e) => e.name);

  for (const file of ["testing/release.wasm", "testing/relaxed.wasm", "testing/threads.wasm", "testing/threads-relaxed.wasm"]) {
    it(`build/${file} exports its seven kernels`, () => {
      expect(exportsOf(file)).toEqual(expect.arrayContaining([...MGU_KERNELS]));
    });
  }
  for (const file of ["release.wasm", "relaxed.wasm", "threads.wasm", "threads-relaxed.wasm"]) {
    it(`the shipped build/${file} has none`, () => {
      expect(exportsOf(file).filter((name) => name.startsWith("mgu"))).toEqual([]);
    });
  }
});

// ---- the reference itself -------------------------------------------------------------------------

describe("the MGU reference", () => {
  const c: MguCase = { label: "reference", T: 3, B: 2, I: 3, H: 3, lengths: [3, 2], h0: true };
  const d = caseData(c, 600);
  const spec = specOf(c);
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };

  it("backward: every gradient is the central difference of L = ⟨output, R⟩ + ⟨hN, S⟩", () => {
    const params = Object.fromEntries(Object.entries(d.params).map(([name, p]) => [name, Float64Array.from(p)]));
    const x = Float64Array.from(d.x), h0 = Float64Array.from(d.h0!);
    const loss = () => {
      const f = recurrentForward(spec, params, x, c.T, c.B, { h0, lengths: c.lengths });
      return dot(f.output, d.gradOutput!) + dot(f.hN, d.gradHN);
    };
    const ref = recurrentForward(spec, params, x, c.T, c.B, { h0, lengths: c.lengths });
    const grads = recurrentBackward(spec, params, ref, c.T, c.B, d.gradOutput, d.gradHN);
    const checked: [string, Float64Array, ArrayLike<number>][] = [
      ...Object.entries(params).map(([name, p]) => [name, p, grads.params[name]] as [string, Float64Array, ArrayLike<number>]),
      ["x", x, grads.input], ["h0", h0, grads.h0],
    ];
    const eps = 1e-6;
    for (const [name, values, analytic] of checked) {
      const numeric = Float64Array.from(values, (original, i) => {
        values[i] = original + eps;
        const up = loss();
        values[i] = original - eps;
        const down = loss();
        values[i] = original;
        return (up - down) / (2 * eps);
      });
      expectClose(analytic, numeric, `∂${name}`, { rtol: 1e-7, atol: 1e-8 });
    }
  });

  it("is the GRU (reset before) with r = f and z = 1 − f, forward and backward", () => {
    // z = σ(−a) = 1 − σ(a) takes the f rows negated: rows [f; −f; n] of every MGU parameter.
    const H = c.H;
    const gruOf = (p: ArrayLike<number>) => {
      const K = p.length / (2 * H), f = Array.from(p).slice(0, H * K);
      return Float64Array.from([...f, ...f.map((v) => -v), ...Array.from(p).slice(H * K)]);
    };
    const gruParams = Object.fromEntries(Object.entries(d.params).map(([name, p]) => [name, gruOf(p)]));
    const gruSpec: RecurrentSpec = { ...spec, cell: "gru", resetAfter: false };
    const initial = { h0: d.h0!, lengths: c.lengths };
    const mgu = recurrentForward(spec, d.params, d.x, c.T, c.B, initial);
    const gru = recurrentForward(gruSpec, gruParams, d.x, c.T, c.B, initial);
    const exact: Tolerance = { rtol: 1e-12, atol: 1e-14 };
    expectClose(mgu.output, gru.output, "output", exact);
    expectClose(mgu.hN, gru.hN, "hN", exact);

    const mguGrads = recurrentBackward(spec, d.params, mgu, c.T, c.B, d.gradOutput, d.gradHN);
    const gruGrads = recurrentBackward(gruSpec, gruParams, gru, c.T, c.B, d.gradOutput, d.gradHN);
    expectClose(mguGrads.input, gruGrads.input, "∂x", exact);
    expectClose(mguGrads.h0, gruGrads.h0, "∂h0", exact);
    for (const [name, g] of Object.entries(mguGrads.params)) {
      // ∂f = ∂r − ∂z (the f rows enter the GRU twice, once negated); ∂n = ∂n.
      const K = g.length / (2 * H), twin = gruGrads.params[name];
      const expected = Float64Array.from(g, (_, i) => (i < H * K ? twin[i] - twin[H * K + i] : twin[H * K + i]));
      expectClose(g, expected, `∂${name}`, exact);
    }
  });
});
