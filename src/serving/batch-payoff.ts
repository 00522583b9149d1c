// Whether running calls together pays, measured as a server runs: the median time per call of the
// last WINDOW lone calls and batches of each size (1, 2, 3–4, 5–8, …). A run is counted only warm:
// not a bucket's first (a cold start allocates and compiles), and not the first after a switch
// between lone calls and batches (a batch's buffers have pushed the weights out of the cache: a lone
// call right after a batch measured 1.3× slower than one after another lone call, LSTM H256, Zen 4).
// A batch of n is expected to pay until both ways have MIN_RUNS counted runs and it is measured not
// to (engine/pays.ts: more than 0.9 of a lone call's time per call), or a larger batch is (per call,
// a smaller batch gains less); then calls go alone. Two verdicts in a row in every RESAMPLE (every
// EXPLORE while lone calls are short of MIN_RUNS) go the other way, so that both measures fill, warm,
// and stay fresh as the load changes (longer texts, more streams). Used by the Batcher (models and
// layers) and the StreamBatcher (ONNX streams): batching must never make a server slower than
// sending every call alone.
import { median, pays } from "../engine/pays.js";

/** Counted runs each way before the measures can say a batch does not pay (one slow run cannot decide). */
const MIN_RUNS = 3;
/** In every this many verdicts, two go the other way to keep that way's time measured… */
const RESAMPLE = 20;
/** …and every this many while lone calls have fewer than MIN_RUNS counted runs (an unmeasured batch
 *  size needs no exploring: batches run until measured). */
const EXPLORE = 6;
/** The runs each way's median is taken over: a changed load shows within a few resamples, and a run
 *  slowed by something else (a collection, another process) does not sway it. */
const WINDOW = 7;

/** What was measured for one batch size bucket. */
export interface BucketTiming {
  /** The bucket's largest batch size (1, 2, 4, 8, …). */
  size: number;
  /** Median milliseconds per call of the last WINDOW runs (NaN before a counted run). */
  msPerCall: number;
  /** Runs counted (warm ones). */
  runs: number;
}

/** Batch sizes measured together: 1, 2, 3–4, 5–8, … */
function bucket(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/** A bucket's recent times per call (a ring of WINDOW), and its runs so far. */
interface Recent {
  ms: number[];
  runs: number;
}

export class BatchPayoff {
  private readonly timings = new Map<number, Recent>();
  private verdicts = 0;
  /** Whether the last run noted was a lone call (null: none yet). */
  private lastLone: boolean | null = null;

  /** Whether the next batch of n calls should run as one (else its calls run alone). */
  pays(n: number): boolean {
    if (n <= 1) return false;
    const verdict = this.measuredPays(n), lone = this.timings.get(1);
    const period = lone && lone.runs >= MIN_RUNS ? RESAMPLE : EXPLORE, phase = ++this.verdicts % period;
    return phase === 0 || phase === period - 1 ? !verdict : verdict;
  }

  /** A run of n calls took `msPerCall` per call. */
  note(n: number, msPerCall: number): void {
    const size = bucket(n), switched = this.lastLone !== (size === 1);
    this.lastLone = size === 1;
    const t = this.timings.get(size);
    if (!t) return void this.timings.set(size, { ms: [], runs: 0 }); // the first run: cold
    if (!switched) t.ms[t.runs++ % WINDOW] = msPerCall;
  }

  /** What was measured, by bucket (smallest first). */
  measured(): BucketTiming[] {
    return [...this.timings].sort(([a], [b]) => a - b).map(([size, t]) => ({ size, msPerCall: median(t.ms), runs: t.runs }));
  }

  /** The verdict from the measures alone: a batch pays until measured otherwise. */
  measuredPays(n: number): boolean {
    return this.verdict(n) ?? true;
  }

  /** Whether batches of n pay, by their own bucket once it and lone calls have MIN_RUNS counted runs;
   *  else no if a larger bucket is measured not to pay (per call, a smaller batch gains less), else
   *  unknown (null). */
  private verdict(n: number): boolean | null {
    const lone = this.timings.get(1);
    if (!lone || lone.runs < MIN_RUNS) return null;
    const size = bucket(n), own = this.timings.get(size);
    if (own && own.runs >= MIN_RUNS) return pays(own.ms, lone.ms);
    for (const [larger, t] of this.timings) if (larger > size && t.runs >= MIN_RUNS && !pays(t.ms, lone.ms)) return false;
    return null;
  }
}
