// Streams of an ONNX model with state (Silero VAD: each stream's LSTM state carried from frame to
// frame), served frame by frame: which inputs are state and which output each comes back as, where
// each input's and output's batch axis is, and the batching of concurrent streams' frames into one
// run along those axes. Frames that arrive in one turn of the event loop and agree on everything but
// the batch (shapes, the values of unbatched scalars such as Silero's sample rate) run together.
//
// Batching is never taken on trust: the first batch runs both ways, batched and frame by frame, and
// the axes are kept only if every frame's outputs agree (an axis that was time, not batch, shows at
// once); and it must pay, as BatchPayoff measures it: per frame, a batch of n is kept only while it
// takes at most 0.9 of a lone frame's time.

import { ShapeError } from "../errors.js";
import type { InferenceSession, ValueSignature } from "../io/onnx/session.js";
import { allocate, type OnnxTensor } from "../io/onnx/tensor.js";
import { joinAlong, sliceAlong } from "./along-axis.js";
import { BatchPayoff } from "./batch-payoff.js";

/** A state input and the output it comes back as. */
export type StatePair = readonly [input: string, output: string];

/** Output names that commonly carry an input's next state (Silero: state → stateN, h → hn). */
const NEXT_STATE = (name: string) => [`${name}N`, `${name}n`, `${name}_out`, `${name}_n`, `${name}_next`, `next_${name}`];

/**
 * The model's state pairs: `given` ("in=out" each, e.g. the CLI's --state), or found where unambiguous —
 * an input and an output of the same type and declared dims whose names pair as NEXT_STATE says.
 */
export function statePairs(session: InferenceSession, given: readonly string[] = []): StatePair[] {
  const { inputs, outputs } = session.signature;
  if (given.length) {
    return given.map((pair) => {
      const [input, output, extra] = pair.split("=");
      if (!input || !output || extra !== undefined) throw new ShapeError(`--state must be INPUT=OUTPUT; got "${pair}"`);
      if (!inputs.some((i) => i.name === input)) throw new ShapeError(`--state ${pair}: the model has no input "${input}" (its inputs: ${inputs.map((i) => i.name).join(", ")})`);
      if (!outputs.some((o) => o.name === output)) throw new ShapeError(`--state ${pair}: the model has no output "${output}" (its outputs: ${outputs.map((o) => o.name).join(", ")})`);
      return [input, output] as const;
    });
  }
  const pairs: StatePair[] = [];
  for (const input of inputs) {
    const candidates = outputs.filter((o) => NEXT_STATE(input.name).includes(o.name) && o.type === input.type && sameDeclared(o, input));
    if (candidates.length === 1) pairs.push([input.name, candidates[0].name]);
  }
  return pairs;
}

function sameDeclared(a: ValueSignature, b: ValueSignature): boolean {
  return !a.dims || !b.dims || (a.dims.length === b.dims.length && a.dims.every((d, k) => d === null || b.dims![k] === null || d === b.dims![k]));
}

/** Where each input and output of a stream's frame has its batch (null: none, a scalar every frame shares). */
export interface BatchAxes {
  inputs: ReadonlyMap<string, number | null>;
  outputs: ReadonlyMap<string, number | null>;
}

/** The batch axes: a state's is its one dimension of unknown size; every other tensor's its first of
 *  unknown size, or 0; rank-0 inputs have none. An output takes its state input's axis, or its first
 *  unknown one. (Checked on the first batch: see the file's header.) */
export function batchAxes(session: InferenceSession, pairs: readonly StatePair[]): BatchAxes {
  const { inputs, outputs } = session.signature;
  const axisOf = (v: ValueSignature, state: boolean): number | null => {
    if (!v.dims) return 0;
    if (v.dims.length === 0) return null;
    const unknown = v.dims.flatMap((d, k) => (d === null ? [k] : []));
    if (state) return unknown.length === 1 ? unknown[0] : null;
    return unknown[0] ?? 0;
  };
  const stateOf = new Map(pairs.map(([i, o]) => [o, i]));
  const inputAxes = new Map(inputs.map((i) => [i.name, axisOf(i, pairs.some(([s]) => s === i.name))]));
  const outputAxes = new Map(outputs.map((o) => [o.name, stateOf.has(o.name) ? inputAxes.get(stateOf.get(o.name)!) ?? null : axisOf(o, false)]));
  return { inputs: inputAxes, outputs: outputAxes };
}

/** A tensor's typed array, of whichever type (only its subarray and set are used, on arrays of one type). */
const elements = (t: OnnxTensor) => t.data as unknown as Float32Array;

/** Tensors joined along `axis` (their other dims equal). */
function join(parts: readonly OnnxTensor[], axis: number): OnnxTensor {
  const first = parts[0];
  const out = allocate(first.type, first.dims.map((d, k) => (k === axis ? parts.reduce((n, p) => n + p.dims[axis], 0) : d)), "StreamBatcher");
  joinAlong(parts.map((p) => ({ data: elements(p), dims: p.dims })), axis, elements(out));
  return out;
}

/** `t` cut along `axis` into parts of the given sizes. */
function split(t: OnnxTensor, axis: number, sizes: readonly number[]): OnnxTensor[] {
  if (t.dims[axis] !== sizes.reduce((a, b) => a + b, 0)) throw new ShapeError(`StreamBatcher: an output of [${t.dims.join(", ")}] does not split into batches of ${sizes.join(", ")} on axis ${axis}`);
  let start = 0;
  return sizes.map((size) => {
    const out = allocate(t.type, t.dims.map((d, k) => (k === axis ? size : d)), "StreamBatcher");
    sliceAlong(elements(t), t.dims, axis, start, size, elements(out));
    start += size;
    return out;
  });
}

interface Waiting {
  feeds: Record<string, OnnxTensor>;
  resolve(outputs: Record<string, OnnxTensor>): void;
  reject(error: unknown): void;
}

/** The largest |difference| between a frame's outputs batched and alone for the axes to be kept. */
const AGREEMENT = 1e-4;

/** Runs one session's frames, batching those of concurrent streams where that is right and pays. */
export class StreamBatcher {
  private readonly waiting: Waiting[] = [];
  private scheduled = false;
  /** null until the first batch was checked; then whether the axes batch. */
  private verified: boolean | null = null;
  /** Whether batches pay, from the times of lone frames and batches. */
  readonly payoff = new BatchPayoff();

  /** `report`: called after each run with the frames it carried and its seconds (the server's metrics). */
  constructor(
    private readonly run: (feeds: Record<string, OnnxTensor>) => Promise<Record<string, OnnxTensor>>,
    private readonly axes: BatchAxes,
    private readonly maxBatch: number,
    private readonly report: (frames: number, seconds: number) => void = () => {},
  ) {}

  /** The frame's outputs, computed with the other frames of this turn where they can batch. */
  submit(feeds: Record<string, OnnxTensor>): Promise<Record<string, OnnxTensor>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ feeds, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    const frames = this.waiting.splice(0);
    if (!this.mayBatch() || this.maxBatch < 2) {
      for (const w of frames) await this.alone(w);
      return;
    }
    const groups = new Map<string, Waiting[]>();
    for (const w of frames) {
      const key = this.groupKey(w.feeds);
      const group = groups.get(key) ?? [];
      group.push(w);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      while (group.length > 0) {
        // Up to maxBatch frames as one batch where that pays; else the first frame alone (the rest ask again).
        const n = Math.min(group.length, this.maxBatch);
        if (this.mayBatch() && this.payoff.pays(n)) await this.runBatch(group.splice(0, n));
        else await this.alone(group.shift()!);
      }
    }
  }

  /** Whether frames may batch: not once a batch's check found the axes wrong (a batch may find it mid-drain). */
  private mayBatch(): boolean {
    return this.verified !== false;
  }

  /** Frames batch together when every input's dims agree off its batch axis and unbatched inputs agree in value. */
  private groupKey(feeds: Record<string, OnnxTensor>): string {
    return Object.entries(feeds)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, t]) => {
        const axis = this.axes.inputs.get(name);
        if (axis === null || axis === undefined) return `${name}:${t.type}[${t.dims.join(",")}]=${Array.prototype.join.call(t.data, ",")}`;
        return `${name}:${t.type}[${t.dims.map((d, k) => (k === axis ? "*" : d)).join(",")}]`;
      })
      .join("|");
  }

  private async runBatch(group: Waiting[]): Promise<void> {
    try {
      const sizes = group.map((w) => this.batchOf(w.feeds));
      const joined: Record<string, OnnxTensor> = {};
      for (const name of Object.keys(group[0].feeds)) {
        const axis = this.axes.inputs.get(name)!;
        joined[name] = axis === null ? group[0].feeds[name] : join(group.map((w) => w.feeds[name]), axis);
      }
      const started = performance.now();
      const outputs = await this.run(joined);
      const ms = performance.now() - started;
      this.payoff.note(group.length, ms / group.length);
      this.report(group.length, ms / 1000);
      const parts = group.map(() => ({}) as Record<string, OnnxTensor>);
      for (const [name, t] of Object.entries(outputs)) {
        const axis = this.axes.outputs.get(name);
        if (axis === null || axis === undefined) throw new ShapeError(`StreamBatcher: output "${name}" has no batch axis`);
        split(t, axis, sizes).forEach((part, i) => (parts[i][name] = part));
      }
      if (this.verified === null) this.verified = await this.agrees(group, parts);
      if (this.verified === false) {
        for (const w of group) await this.alone(w);
        return;
      }
      group.forEach((w, i) => w.resolve(parts[i]));
    } catch {
      // A batch that fails (shapes that do not join, an output without a batch) runs frame by frame:
      // each frame then gets its own answer or its own error.
      this.verified = false;
      for (const w of group) await this.alone(w);
    }
  }

  private async alone(w: Waiting): Promise<void> {
    try {
      const started = performance.now();
      const outputs = await this.run(w.feeds);
      const ms = performance.now() - started;
      this.payoff.note(1, ms);
      this.report(1, ms / 1000);
      w.resolve(outputs);
    } catch (e) {
      w.reject(e);
    }
  }

  /** A frame's batch size: its size on the first batched input's axis. */
  private batchOf(feeds: Record<string, OnnxTensor>): number {
    for (const [name, t] of Object.entries(feeds)) {
      const axis = this.axes.inputs.get(name);
      if (axis !== null && axis !== undefined) return t.dims[axis];
    }
    return 1;
  }

  /** Whether the first batch's outputs are each frame's own (run alone), the axes right. */
  private async agrees(group: Waiting[], parts: Record<string, OnnxTensor>[]): Promise<boolean> {
    for (let i = 0; i < group.length; i++) {
      const alone = await this.run(group[i].feeds);
      for (const [name, t] of Object.entries(alone)) {
        const b = parts[i][name];
        if (!b || b.dims.join() !== t.dims.join()) return false;
        for (let k = 0; k < t.size; k++) if (!(Math.abs(Number(t.data[k]) - Number(b.data[k])) <= AGREEMENT)) return false;
      }
    }
    return true;
  }
}

/** Zeros of a state input's declared dims (sizes not declared: 1), the state a stream starts from. */
export function initialState(v: ValueSignature, where: string): OnnxTensor {
  if (!v.dims || !v.type) throw new ShapeError(`${where}: state input "${v.name}" declares no ${v.type ? "shape" : "type"}; give its first value in the request`);
  return allocate(v.type, v.dims.map((d) => d ?? 1), where);
}

