// How the Trainer hands a batch to workers for data parallelism without depending on who they are:
// a training shard (a method of the model, its arguments and its share of the loss), and the method,
// keyed by a symbol of this module, that a runner of shards implements (the worker pool in serving/
// does). So serving/ builds on train/, and train/ imports nothing above it.

import type { BatchLoss, Model } from "../models/model.js";

/** One worker's part of a batch: the model method that computes its loss and gradients, with its
 *  arguments, and the weight of its loss in the batch's. */
export interface Shard {
  method: "batchLoss" | "windowLoss";
  args: unknown[];
  weight: number;
}

/** The key of the method that trains a model on shards. */
export const trainShards: unique symbol = Symbol("wasm-rnn.trainShards");

/** What can run a batch's shards in parallel (a WorkerPool): `size` parts at most; the shards'
 *  gradients are added into the model's, in shard order, and the combined loss returned. */
export interface ShardRunner {
  readonly size: number;
  [trainShards](model: Model, shards: readonly Shard[]): Promise<BatchLoss>;
}
