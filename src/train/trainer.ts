// The training loop: batches from TrainingData, forward and backward in wasm, NaN/Inf checks,
// gradient clipping, the optimizer step with a learning-rate schedule, validation with early
// stopping, progress reports, and checkpoints that let a run resume to the same numbers.
// Everything here is orchestration; the arithmetic is in the wasm kernels.

import { NumericError, ShapeError, UnsupportedError } from "../errors.js";
import type { Model } from "../models/model.js";
import { Random } from "../random.js";
import { Tensor } from "../tensor.js";
import { describe, optionsObject, positiveInt } from "../validate.js";
import { clipGradNorm, clipGradValue, gradNorm } from "./clip.js";
import type { TrainingData } from "./data.js";
import { Adam, AdamW, SGD, type Optimizer } from "./optimizers.js";
import type { Schedule } from "./schedules.js";
import { trainShards, type ShardRunner } from "./data-parallel.js";
import { platform } from "../platform/current.js";
import { finishInterruptedSave, saveCheckpoint } from "./checkpoint.js";

export interface TrainerOptions {
  /** "adam" (default), "adamw" or "sgd". */
  optimizer?: "adam" | "adamw" | "sgd";
  /** Learning rate (default 2e-3 for Adam/AdamW, 0.1 for SGD); ignored when `schedule` is given. */
  lr?: number;
  /** Learning rate as a function of the epoch (or step, with scheduleUnit "step"). */
  schedule?: Schedule;
  scheduleUnit?: "epoch" | "step";
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  /** Clip gradients to this global L2 norm. */
  clipNorm?: number;
  /** Clip each gradient to [−clipValue, clipValue]. */
  clipValue?: number;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Stop after this many optimizer steps in all (default: no limit). */
  maxSteps?: number;
  /** Validate every this many steps (default: at the end of each epoch). */
  evaluateEvery?: number;
  /** Stop after this many validations without improvement (needs validation data). */
  patience?: number;
  /** Save a checkpoint here (Node): every `checkpointEvery` steps, after improvements, and at the end. */
  checkpointDir?: string;
  checkpointEvery?: number;
  /** Called after every `progressEvery` steps (default 10) and after each validation. */
  onProgress?: (progress: TrainProgress) => void;
  progressEvery?: number;
  /** Seed for shuffling (default 0: runs are reproducible unless you change it). */
  seed?: number;
  /** Stops training at the next step boundary. */
  signal?: AbortSignal;
  /** Data-parallel training: each batch is cut into one shard per worker and the shards' gradients
   *  are added in a fixed order before one optimizer step (same result up to rounding). */
  pool?: ShardRunner;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean loss per prediction over the steps since the last report. */
  loss: number;
  lr: number;
  /** Gradient norm of the last step, before clipping. */
  gradNorm: number;
  /** Predictions (tokens or sequences) per second since the start of this run. */
  throughput: number;
  elapsedSeconds: number;
  etaSeconds: number;
  validationLoss?: number;
}

export interface TrainResult {
  steps: number;
  epochs: number;
  /** Mean loss per prediction over the last epoch (or the part of it that ran). */
  trainLoss: number;
  validationLoss?: number;
  bestValidationLoss?: number;
  stoppedBy: "completed" | "max-steps" | "early-stopping" | "abort";
}

/** Where a run is, saved in checkpoints so it resumes exactly. */
interface Position {
  step: number;
  epoch: number;
  batchInEpoch: number;
  epochRandom: number[];
  bestValidation: number | null;
  sinceBest: number;
}

export class Trainer {
  readonly optimizer: Optimizer;
  private readonly options: TrainerOptions;
  private position: Position;
  private readonly random: Random;

  constructor(readonly model: Model, options: TrainerOptions = {}) {
    this.options = checkOptions(options);
    const kind = options.optimizer ?? "adam";
    const lr = options.schedule ? options.schedule(0) : (options.lr ?? (kind === "sgd" ? 0.1 : 2e-3));
    const layers = model.layers;
    if (kind === "sgd") this.optimizer = new SGD(layers, { lr, momentum: options.momentum, nesterov: options.nesterov, weightDecay: options.weightDecay });
    else if (kind === "adamw") this.optimizer = new AdamW(layers, { lr, weightDecay: options.weightDecay });
    else if (kind === "adam") this.optimizer = new Adam(layers, { lr, weightDecay: options.weightDecay });
    else throw new ShapeError(`Trainer: optimizer must be "adam", "adamw" or "sgd"; got ${describe(kind)}`);
    this.random = new Random(options.seed ?? 0);
    this.position = { step: 0, epoch: 0, batchInEpoch: 0, epochRandom: this.random.state, bestValidation: null, sinceBest: 0 };
  }

  get step(): number {
    return this.position.step;
  }

  /** Trains until the epochs or maxSteps are done, early stopping triggers, or the signal aborts. */
  async fit(train: TrainingData, validation?: TrainingData): Promise<TrainResult> {
    const o = this.options;
    const epochs = o.epochs ?? 1;
    const totalSteps = Math.min(epochs * train.batchesPerEpoch, o.maxSteps ?? Infinity);
    const started = performance.now();
    const startStep = this.position.step;
    let predictions = 0, reportSum = 0, reportCount = 0, epochSum = 0, epochCount = 0, lastNorm = 0;
    let validationLoss: number | undefined;
    let stoppedBy: TrainResult["stoppedBy"] = "completed";
    if (o.checkpointDir) finishInterruptedSave(o.checkpointDir);

    const report = (extra: Partial<TrainProgress> = {}) => {
      if (!o.onProgress) return;
      const elapsed = (performance.now() - started) / 1000;
      const done = this.position.step - startStep;
      o.onProgress({
        step: this.position.step,
        totalSteps,
        epoch: this.position.epoch,
        loss: reportCount ? reportSum / reportCount : NaN,
        lr: this.optimizer.lr,
        gradNorm: lastNorm,
        throughput: elapsed > 0 ? predictions / elapsed : 0,
        elapsedSeconds: elapsed,
        etaSeconds: done > 0 ? (elapsed / done) * (totalSteps - this.position.step) : NaN,
        ...extra,
      });
      reportSum = 0;
      reportCount = 0;
    };
    const save = () => {
      if (o.checkpointDir) saveCheckpoint(o.checkpointDir, this.model, this.checkpointParts());
    };
    const validate = (): boolean => {
      if (!validation) return false;
      validationLoss = evaluateLoss(validation);
      report({ validationLoss });
      const p = this.position;
      if (p.bestValidation === null || validationLoss < p.bestValidation) {
        p.bestValidation = validationLoss;
        p.sinceBest = 0;
        save();
      } else {
        p.sinceBest++;
      }
      return o.patience !== undefined && p.sinceBest >= o.patience;
    };

    outer: while (this.position.epoch < epochs) {
      const p = this.position;
      if (p.batchInEpoch === 0) {
        p.epochRandom = this.random.state;
        train.startEpoch();
        epochSum = 0;
        epochCount = 0;
      }
      const epochRandom = new Random();
      epochRandom.state = p.epochRandom;
      const batches = train.epoch(epochRandom);
      if (o.schedule && (o.scheduleUnit ?? "epoch") === "epoch") this.optimizer.lr = o.schedule(p.epoch);
      for (; p.batchInEpoch < batches.length; ) {
        if (p.step >= (o.maxSteps ?? Infinity)) {
          stoppedBy = "max-steps";
          break outer;
        }
        if (o.signal?.aborted) {
          stoppedBy = "abort";
          break outer;
        }
        if (o.schedule && o.scheduleUnit === "step") this.optimizer.lr = o.schedule(p.step);
        const batch = batches[p.batchInEpoch];
        this.optimizer.zeroGrad();
        const result = o.pool && o.pool.size > 1 ? await o.pool[trainShards](this.model, batch.shards(o.pool.size)) : batch.run(true);
        lastNorm = this.checkAndClip(result.loss, p.step + 1);
        this.optimizer.step();
        this.checkParameters(p.step + 1);
        p.step++;
        p.batchInEpoch++;
        predictions += batch.size;
        reportSum += result.sum;
        reportCount += result.count;
        epochSum += result.sum;
        epochCount += result.count;
        if (p.step % (o.progressEvery ?? 10) === 0) report();
        // Validation first: a checkpoint taken at this step then records its result, as a resume needs.
        if (o.evaluateEvery && p.step % o.evaluateEvery === 0 && validate()) {
          stoppedBy = "early-stopping";
          break outer;
        }
        if (o.checkpointEvery && p.step % o.checkpointEvery === 0) save();
        if (o.onProgress) await platform.yieldToEventLoop(); // lets timers and I/O (progress bars, a page's UI) run
      }
      p.epoch++;
      p.batchInEpoch = 0;
      this.random.state = epochRandom.state; // the next epoch continues the sequence
      if (!o.evaluateEvery && validate()) {
        stoppedBy = "early-stopping";
        break;
      }
    }
    if (reportCount) report();
    save();
    return {
      steps: this.position.step,
      epochs: this.position.epoch,
      trainLoss: epochCount ? epochSum / epochCount : NaN,
      validationLoss,
      bestValidationLoss: this.position.bestValidation ?? undefined,
      stoppedBy,
    };
  }

  /** Stops on a non-finite loss or gradient (naming the step), then clips; returns the norm before clipping. */
  private checkAndClip(loss: number, step: number): number {
    if (!Number.isFinite(loss)) throw new NumericError(`training step ${step}: the loss is ${loss}; stopping (the last checkpoint is unchanged)`);
    const layers = this.model.layers;
    for (const layer of layers) {
      const bad = layer.params.countNonFinite("grads");
      if (bad) throw new NumericError(`training step ${step}: ${bad} gradients of a ${layer.constructor.name} are NaN or infinite; stopping (the last checkpoint is unchanged)`);
    }
    const o = this.options;
    const norm = o.clipNorm ? clipGradNorm(layers, o.clipNorm) : gradNorm(layers);
    if (o.clipValue) clipGradValue(layers, o.clipValue);
    return norm;
  }

  /** Stops when an update left non-finite parameters (before anything could save them). */
  private checkParameters(step: number): void {
    for (const layer of this.model.layers) {
      const bad = layer.params.countNonFinite("values");
      if (bad) throw new NumericError(`training step ${step}: the update made ${bad} parameters of a ${layer.constructor.name} NaN or infinite (learning rate too high?); stopping (the last checkpoint is unchanged)`);
    }
  }

  /** Tensors and position for a checkpoint. */
  checkpointParts() {
    const extra: Record<string, Tensor> = {};
    const carried = (this.model as { carriedState?: () => { batch: number; h: Float32Array; c: Float32Array | null } }).carriedState?.();
    if (carried && carried.batch) {
      extra.h = new Tensor(carried.h, [carried.h.length]);
      if (carried.c) extra.c = new Tensor(carried.c, [carried.c.length]);
    }
    return { optimizer: this.optimizer.stateDict(), extra, trainer: { ...this.position, lr: this.optimizer.lr, carriedBatch: carried?.batch ?? 0 } };
  }

  /** Continues from a checkpoint's optimizer state, position and carried state (see loadCheckpoint). */
  resume(saved: { optimizer: Record<string, Tensor>; extra: Record<string, Tensor>; trainer: Record<string, unknown> }): void {
    const t = saved.trainer as Partial<Position> & { lr?: number; carriedBatch?: number };
    if (!Number.isInteger(t.step) || !Number.isInteger(t.epoch) || !Number.isInteger(t.batchInEpoch) || !Array.isArray(t.epochRandom)) {
      throw new ShapeError("Trainer.resume: the checkpoint has no trainer position (was it saved by a Trainer?)");
    }
    this.optimizer.loadStateDict(saved.optimizer);
    if (typeof t.lr === "number") this.optimizer.lr = t.lr;
    this.position = { step: t.step!, epoch: t.epoch!, batchInEpoch: t.batchInEpoch!, epochRandom: t.epochRandom!, bestValidation: t.bestValidation ?? null, sinceBest: t.sinceBest ?? 0 };
    this.random.state = t.epochRandom!;
    const restore = (this.model as { restoreState?: (s: { batch: number; h: Float32Array; c: Float32Array | null }) => void }).restoreState;
    if (restore && t.carriedBatch && saved.extra.h) restore.call(this.model, { batch: t.carriedBatch, h: saved.extra.h.data, c: saved.extra.c?.data ?? null });
  }
}

/** Mean loss per prediction over all batches of `data` (no gradients). */
export function evaluateLoss(data: TrainingData): number {
  data.startEpoch();
  let sum = 0, count = 0;
  for (const batch of data.epoch(new Random(0))) {
    const r = batch.run(false);
    sum += r.sum;
    count += r.count;
  }
  return sum / count;
}

function checkOptions(options: TrainerOptions): TrainerOptions {
  optionsObject(options, "Trainer: options", false);
  for (const key of ["epochs", "maxSteps", "evaluateEvery", "checkpointEvery", "progressEvery"] as const) {
    if (options[key] !== undefined) positiveInt(options[key], `Trainer: ${key}`);
  }
  if (options.checkpointDir !== undefined && !platform.files) {
    throw new UnsupportedError("Trainer: checkpointDir needs a file system (Node, Bun or Deno); here, keep checkpointToBytes(model) wherever you store files");
  }
  if (options.patience !== undefined && (!Number.isInteger(options.patience) || options.patience < 1)) throw new ShapeError(`Trainer: patience must be a positive integer; got ${describe(options.patience)}`);
  for (const key of ["lr", "clipNorm", "clipValue"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v <= 0)) throw new ShapeError(`Trainer: ${key} must be a finite number > 0; got ${describe(v)}`);
  }
  return options;
}

