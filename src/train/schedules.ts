// Learning-rate schedules: functions from a step or epoch count t (0-based) to a learning rate.
// The trainer decides what t counts (epochs by default).

import { ShapeError } from "../errors.js";
import { describe } from "../validate.js";

export type Schedule = (t: number) => number;

function positive(value: unknown, what: string): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) throw new ShapeError(`${what} must be a finite number > 0; got ${describe(value)}`);
  return value;
}

/** A constant learning rate. */
export function constantSchedule(lr: number): Schedule {
  positive(lr, "constant: lr");
  return () => lr;
}

/** Staircase decay: lr · gamma^⌊t / every⌋ (gamma 0.5 halves every `every`). */
export function stepDecay(lr: number, every: number, gamma = 0.5): Schedule {
  positive(lr, "stepDecay: lr");
  positive(every, "stepDecay: every");
  positive(gamma, "stepDecay: gamma");
  return (t) => lr * gamma ** Math.floor(t / every);
}

/** Exponential decay: lr · gamma^t. */
export function exponentialDecay(lr: number, gamma: number): Schedule {
  positive(lr, "exponentialDecay: lr");
  positive(gamma, "exponentialDecay: gamma");
  return (t) => lr * gamma ** t;
}

/** Inverse-time decay: lr / (1 + decay · t). */
export function inverseTimeDecay(lr: number, decay: number): Schedule {
  positive(lr, "inverseTimeDecay: lr");
  positive(decay, "inverseTimeDecay: decay");
  return (t) => lr / (1 + decay * t);
}

/** Cosine annealing from lr to minLr over `total` steps, then minLr. */
export function cosineDecay(lr: number, total: number, minLr = 0): Schedule {
  positive(lr, "cosineDecay: lr");
  positive(total, "cosineDecay: total");
  return (t) => minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, total) / total));
}

/** Linear warmup over the first `steps` (from lr/steps up to the schedule), then the schedule shifted by `steps`. */
export function withWarmup(schedule: Schedule, steps: number): Schedule {
  positive(steps, "withWarmup: steps");
  return (t) => (t < steps ? (schedule(0) * (t + 1)) / steps : schedule(t - steps));
}
