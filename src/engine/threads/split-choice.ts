// Whether a split forward pays on a WorkerPool, measured on the calls themselves, per shape (cell,
// sizes, batch): the first calls of a shape that find the pool idle run alternately split over the
// workers and whole on one, and once each way has ROUNDS timings (per step, so calls of different
// lengths compare; each way's first call is not timed: workers compile and tier up their code on
// their own first calls) the faster way is kept — split only where it takes at most PAYS of the whole
// call's time. Nothing is allocated or run for the measurement beyond the caller's own calls. Some
// runtimes make the per-step barrier of a one-sequence split slow (Chromium: the demo's W1 ran 3×
// slower split); there the pool stops splitting that shape.

/** Timings of each way before a shape's choice is made. */
const ROUNDS = 3;
/** Split must take at most this share of the whole call's time to be kept. */
const PAYS = 0.9;

export type SplitWay = "split" | "whole";

/** A shape's measurement: median milliseconds per step each way, and the choice (null: measuring). */
export interface SplitDecision {
  shape: string;
  splitMsPerStep: number | null;
  wholeMsPerStep: number | null;
  split: boolean | null;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export class SplitChoice {
  private readonly shapes = new Map<string, { split: number[]; whole: number[]; warm: Set<SplitWay>; pays: boolean | null }>();

  /** How the next call of `shape` runs: its choice, or (still measuring) the way with fewer timings. */
  next(shape: string): SplitWay {
    const entry = this.entry(shape);
    if (entry.pays !== null) return entry.pays ? "split" : "whole";
    const taken = (way: SplitWay) => entry[way].length + (entry.warm.has(way) ? 1 : 0);
    return taken("split") <= taken("whole") ? "split" : "whole";
  }

  /** A call of `shape` that ran `way` on an otherwise idle pool took `msPerStep` per step. */
  record(shape: string, way: SplitWay, msPerStep: number): void {
    const entry = this.entry(shape);
    if (entry.pays !== null) return;
    if (!entry.warm.has(way)) return void entry.warm.add(way); // a way's first call warms it up
    entry[way].push(msPerStep);
    if (entry.split.length >= ROUNDS && entry.whole.length >= ROUNDS) entry.pays = median(entry.split)! <= PAYS * median(entry.whole)!;
  }

  /** Every shape seen, with what was measured and chosen. */
  decisions(): SplitDecision[] {
    return [...this.shapes].map(([shape, e]) => ({ shape, splitMsPerStep: median(e.split), wholeMsPerStep: median(e.whole), split: e.pays }));
  }

  private entry(shape: string) {
    let entry = this.shapes.get(shape);
    if (!entry) this.shapes.set(shape, (entry = { split: [], whole: [], warm: new Set(), pays: null }));
    return entry;
  }
}
