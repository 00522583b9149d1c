// Whether splitting work over threads pays, measured on the work itself, per shape: the thread team's
// warm-up (one sequence split by hidden units, or on one thread) and the WorkerPool's forwards (cell,
// sizes, batch: split over the workers or whole on one) run alternately each way, and once each way
// has ROUNDS timings (per step, so calls of different lengths compare; each way's first run is not
// timed: workers compile and tier up their code on their own first calls) the faster way is kept —
// split only where it pays (pays.ts: at most 0.9 of the whole time, by medians). Nothing is allocated
// or run for the measurement beyond the work itself. Some runtimes make the per-step barrier of a
// one-sequence split slow (Chromium: the demo's W1 ran 3× slower split); there nothing splits it.

import { median, pays } from "../pays.js";

/** Timings of each way before a shape's choice is made. */
const ROUNDS = 3;

export type SplitWay = "split" | "whole";

/** A shape's measurement: median milliseconds per step each way, and the choice (null: measuring). */
export interface SplitDecision {
  shape: string;
  splitMsPerStep: number | null;
  wholeMsPerStep: number | null;
  split: boolean | null;
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

  /** A run of `shape` that went `way` took `msPerStep` per step (timed with nothing else running). */
  record(shape: string, way: SplitWay, msPerStep: number): void {
    const entry = this.entry(shape);
    if (entry.pays !== null) return;
    if (!entry.warm.has(way)) return void entry.warm.add(way); // a way's first call warms it up
    entry[way].push(msPerStep);
    if (entry.split.length >= ROUNDS && entry.whole.length >= ROUNDS) entry.pays = pays(entry.split, entry.whole);
  }

  /** Whether `shape` splits: the choice once made, null while measuring. */
  chosen(shape: string): boolean | null {
    return this.entry(shape).pays;
  }

  /** Every shape seen, with what was measured and chosen. */
  decisions(): SplitDecision[] {
    const measured = (values: number[]) => (values.length ? median(values) : null);
    return [...this.shapes].map(([shape, e]) => ({ shape, splitMsPerStep: measured(e.split), wholeMsPerStep: measured(e.whole), split: e.pays }));
  }

  private entry(shape: string) {
    let entry = this.shapes.get(shape);
    if (!entry) this.shapes.set(shape, (entry = { split: [], whole: [], warm: new Set(), pays: null }));
    return entry;
  }
}
