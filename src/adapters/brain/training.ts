// brain.js's training loop (RNN.prototype.train, 1.6.1): passes over the data, each sequence trained
// and the weights updated at once, until `iterations` passes or a pass's mean error is at most
// `errorThresh`; `log` and `callback` every `logPeriod` and `callbackPeriod` passes, from the first.
// What trains a sequence (and where the weights are meanwhile) is the caller's: net.ts.

import { NumericError } from "../../index.js";
import type { TrainSettings } from "./options.js";

export interface TrainResult {
  /** The last pass's mean error (Infinity when no pass ran). */
  error: number;
  /** Passes run. */
  iterations: number;
}

/** Runs the passes; `trainSequence` trains one sequence and returns its error; `beforeReport` runs
 *  before each log and callback (the model then has the weights being trained). */
export function trainPasses<T>(sequences: readonly T[], settings: TrainSettings, trainSequence: (sequence: T) => number, beforeReport: () => void): TrainResult {
  const { iterations, errorThresh, log, logPeriod, callback, callbackPeriod } = settings;
  let error = Infinity;
  let i: number;
  for (i = 0; i < iterations && error > errorThresh; i++) {
    let sum = 0;
    for (const sequence of sequences) sum += trainSequence(sequence);
    error = sum / sequences.length;
    if (Number.isNaN(error)) throw new NumericError("train: the training error is NaN (brain.js: \"network error rate is unexpected NaN\"); check the net's options and the data");
    if ((log && i % logPeriod === 0) || (callback && i % callbackPeriod === 0)) beforeReport();
    if (log && i % logPeriod === 0) log(`iterations: ${i}, training error: ${error}`);
    if (callback && i % callbackPeriod === 0) callback({ error, iterations: i });
  }
  return { error, iterations: i };
}
