// A brain.js net's matrices in wasm memory and the calls that run it on assembly/brain.ts, one call
// per training sequence, per update, per run and per forecast, in brain.js's own arithmetic (the
// kernel's header has the equations and the quirks of brain.js's backpropagation it reproduces). The
// model (model.ts) owns the matrices: its weights are written into wasm memory when the net is made
// (or loaded), training works on the wasm copies of the weights, deltas and RMSProp cache and writes
// them back to the model when it ends (and before each log or callback), so the model is current
// whenever the user's code runs. The weights' float64 transposes the kernels read (brainPrepare) are
// made again only after the weights change (each update). A time-step net's step records stay in
// wasm memory from call to call, as brain.js keeps its equations (its backpropagation runs over all
// of them: the kernel's header says how). Activations that leave float32's range are a NumericError (brain.js goes on
// with Infinity and NaN).

import { internalEngine, NumericError } from "../../index.js";
import type { BrainCell, CellName } from "./cells.js";
import type { BrainModel } from "./model.js";

/** The kernels' cell codes. */
const CELL_CODES: Readonly<Record<CellName, number>> = { RNN: 0, LSTM: 1, GRU: 2 };

/** brain.js's update settings (RNN.prototype.adjustWeights). */
export interface UpdateSettings {
  learningRate: number;
  decayRate: number;
  smoothEps: number;
  regc: number;
  clipval: number;
}

/** A block of wasm memory that grows (reallocated, contents dropped) when a call needs more. */
class Scratch {
  ptr = 0;
  private bytes = 0;

  /** The block's address, at least `bytes` long. */
  take(bytes: number): number {
    if (bytes > this.bytes) {
      const arena = internalEngine().arena;
      const ptr = arena.alloc(Math.max(bytes, 2 * this.bytes));
      arena.release(this.ptr);
      this.ptr = ptr;
      this.bytes = Math.max(bytes, 2 * this.bytes);
    }
    return this.ptr;
  }

  release(): void {
    internalEngine().arena.release(this.ptr);
    this.ptr = this.bytes = 0;
  }
}

export class Network {
  /** [cell, inputRows, I, O, L, H…] (i32) */
  private readonly shape: number;
  /** Floats of the weights (= of the deltas and the cache), in allMatrices' order. */
  readonly count: number;
  /** The weights, deltas and RMSProp cache (float32; the deltas and cache current while training). */
  private readonly params: number;
  private readonly deltas: number;
  private readonly cache: number;
  /** The weights prepared for the kernels (float64, brainPrepare), and whether they are the weights' current ones. */
  private readonly prepared: number;
  private preparedCurrent = false;
  /** The step records and the kernels' workspace (brainTapeBytes), and the records' count kept in it. */
  private tape = 0;
  private tapeBytes = 0;
  /** Time-step nets: brain.js's equations, the step records its train, run and forecast bind (they only grow). */
  private equations = 0;
  private readonly inputs = new Scratch();
  private readonly targets = new Scratch();
  private readonly outputs = new Scratch();

  constructor(readonly cell: BrainCell, private readonly model: BrainModel, inputSize: number) {
    const eng = internalEngine();
    const sizes = model.hiddenLayers.map((layer) => layer[cell.gates[0].bias].rows);
    const header = [CELL_CODES[cell.name], model.input?.rows ?? 0, inputSize, model.output.rows, sizes.length, ...sizes];
    const blocks: number[] = [];
    try {
      blocks.push(eng.arena.alloc(header.length * 4));
      eng.i32.set(header, blocks[0] >> 2);
      const count = eng.core.brainParameterCount(blocks[0]);
      for (const bytes of [count * 4, count * 4, count * 4, count * 8]) blocks.push(eng.arena.alloc(bytes));
      this.count = count;
    } catch (e) {
      for (const block of blocks) eng.arena.release(block);
      throw e;
    }
    [this.shape, this.params, this.deltas, this.cache, this.prepared] = blocks;
    eng.f32.set(model.weights, this.params >> 2);
  }

  /** The prepared weights, made from the current ones when they changed since. */
  private preparedWeights(): number {
    if (!this.preparedCurrent) {
      internalEngine().core.brainPrepare(this.shape, this.params, this.prepared);
      this.preparedCurrent = true;
    }
    return this.prepared;
  }

  /**
   * Runs `body` (the training passes) with the model's deltas and `stepCache` (brain.js's RMSProp
   * cache, `count` floats in allMatrices' order) in wasm memory; writes weights, deltas and cache back
   * to the model and `stepCache` when it ends, and whenever `body` calls the sync function it is given.
   */
  training<R>(stepCache: Float32Array, body: (sync: () => void) => R): R {
    const f32 = internalEngine().f32;
    f32.set(this.model.deltas, this.deltas >> 2);
    f32.set(stepCache, this.cache >> 2);
    const sync = () => {
      const f32 = internalEngine().f32;
      this.model.weights.set(f32.subarray(this.params >> 2, (this.params >> 2) + this.count));
      this.model.deltas.set(f32.subarray(this.deltas >> 2, (this.deltas >> 2) + this.count));
      stepCache.set(f32.subarray(this.cache >> 2, (this.cache >> 2) + this.count));
    };
    try {
      return body(sync);
    } finally {
      sync();
    }
  }

  /** The tape for `records` step records; a larger one keeps the records the net holds (time-step
   *  nets' equations), and starts the rest from zeros as brain.js's new equations. */
  private tapeFor(records: number): number {
    const eng = internalEngine();
    const bytes = eng.core.brainTapeBytes(this.shape, records);
    if (bytes > this.tapeBytes) {
      const tape = eng.arena.alloc(bytes);
      eng.f32.fill(0, tape >> 2, (tape + bytes) >> 2);
      if (this.tape) eng.f32.copyWithin(tape >> 2, this.tape >> 2, (this.tape + this.equations * eng.core.brainStepBytes(this.shape)) >> 2);
      eng.arena.release(this.tape);
      this.tape = tape;
      this.tapeBytes = bytes;
    }
    return this.tape;
  }

  /** Time-step nets: brain.js's equations after a call binds `count` (it binds more, never fewer). */
  private bind(count: number): number {
    const tape = this.tapeFor(Math.max(count, this.equations));
    this.equations = Math.max(count, this.equations);
    return tape;
  }

  /**
   * One character sequence (inside training): step t reads input row rows[t] and predicts targets[t].
   * Sets every matrix's deltas as brain.js does; returns Σ −log₂ p(target).
   */
  trainCharacters(rows: Int32Array, targets: Int32Array, where: string): number {
    const eng = internalEngine();
    const steps = rows.length;
    const tape = this.tapeFor(steps);
    const inputs = this.inputs.take(steps * 4), goals = this.targets.take(steps * 4);
    eng.i32.set(rows, inputs >> 2);
    eng.i32.set(targets, goals >> 2);
    return finite(eng.core.brainTrain(this.shape, this.params, this.preparedWeights(), this.deltas, steps, inputs, goals, tape, 0), where);
  }

  /** One time-step sequence of `steps` + 1 values (inside training): inputs [steps, I] predict
   *  targets [steps, O]; returns Σ_t Σ_k |y − target|. */
  trainSeries(inputs: Float64Array, targets: Float64Array, steps: number, where: string): number {
    const eng = internalEngine();
    const tape = this.bind(steps + 1);
    const x = this.inputs.take(inputs.byteLength), y = this.targets.take(targets.byteLength);
    new Float64Array(eng.memory.buffer, x, inputs.length).set(inputs);
    new Float64Array(eng.memory.buffer, y, targets.length).set(targets);
    return finite(eng.core.brainTrain(this.shape, this.params, this.preparedWeights(), this.deltas, steps, x, y, tape, this.equations), where);
  }

  /** brain.js's adjustWeights (inside training): every weight from its delta. */
  update(settings: UpdateSettings): void {
    const { learningRate, decayRate, smoothEps, regc, clipval } = settings;
    internalEngine().core.brainUpdate(this.params, this.deltas, this.cache, this.count, learningRate, decayRate, smoothEps, regc, clipval);
    this.preparedCurrent = false;
  }

  /**
   * A character net's run: step 0 reads row 0, step 0 < i < rows.length reads rows[i − 1] (brain.js never feeds the input's last value), later
   * steps their predecessor's choice, until the end token or `limit` steps; the choices, but the
   * last (the end token, or the one at the limit). `sample`: drawn with Math.random (one number per
   * step, as brain.js draws) from the softmax at `temperature`, else the most likely.
   */
  runCharacters(rows: Int32Array, limit: number, sample: boolean, temperature: number, where: string): number[] {
    const eng = internalEngine();
    const tape = this.tapeFor(2);
    const given = this.inputs.take(rows.length * 4 + 4), out = this.outputs.take(limit * 4 + 4);
    eng.i32.set(rows, given >> 2);
    let steps = 0;
    for (;;) {
      steps = eng.core.brainRunCharacters(this.shape, this.params, this.preparedWeights(), tape, given, rows.length, out, steps, limit, sample ? 1 : 0, sample ? Math.random() : 0, temperature);
      if (steps < 0) throw overflow(where);
      if (eng.i32[(out >> 2) + steps - 1] === 0 || steps >= limit) break;
    }
    return Array.from(eng.i32.subarray(out >> 2, (out >> 2) + steps - 1));
  }

  /**
   * A time-step net's forecast: `steps` inputs [steps, I] from zero states, then count − 1 steps
   * each fed the previous output: the output after the inputs and each later one. `bound`: the
   * equations brain.js's call binds (run: steps + 1; forecast: steps + count + 1).
   */
  forecast(inputs: Float64Array, steps: number, count: number, bound: number, where: string): Float32Array[] {
    const eng = internalEngine();
    const O = this.model.output.rows, n = Math.max(count, 1);
    const tape = this.bind(bound);
    const x = this.inputs.take(inputs.byteLength), y = this.outputs.take(n * O * 4);
    new Float64Array(eng.memory.buffer, x, inputs.length).set(inputs);
    if (eng.core.brainForecast(this.shape, this.params, this.preparedWeights(), tape, x, steps, count, y, this.equations) < 0) throw overflow(where);
    return Array.from({ length: n }, (_, k) => eng.f32.slice((y >> 2) + k * O, (y >> 2) + (k + 1) * O));
  }

  dispose(): void {
    const arena = internalEngine().arena;
    for (const scratch of [this.inputs, this.targets, this.outputs]) scratch.release();
    for (const block of [this.tape, this.prepared, this.cache, this.deltas, this.params, this.shape]) arena.release(block);
  }
}

function overflow(where: string): NumericError {
  return new NumericError(`${where}: the net's activations left float32's range (brain.js would go on with Infinity and NaN; wasm-rnn stops)`);
}

/** The kernel's error sum, or the NumericError its NaN stands for. */
function finite(error: number, where: string): number {
  if (Number.isNaN(error)) throw overflow(where);
  return error;
}
