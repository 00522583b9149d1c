// Data-parallel training on the WorkerPool (the Trainer's `pool` option): shard i runs on worker i,
// so carried states stay with their streams, and the shards' gradients are added into the model's in
// shard order, each scaled by its weight, so the result does not depend on timing.

import type { Engine } from "../engine/engine.js";
import { ShapeError } from "../errors.js";
import type { BatchLoss, Model } from "../models/model.js";
import type { Shard } from "../train/data-parallel.js";
import type { PoolHosting } from "./pool-hosting.js";
import type { PoolWorkers } from "./pool-workers.js";

/** One training step of `model` over `shards` (at most one per worker); the combined loss. */
export async function trainOnWorkers(engine: Engine, workers: PoolWorkers, hosting: PoolHosting, model: Model, shards: readonly Shard[]): Promise<BatchLoss> {
  if (shards.length > workers.slots.length) throw new ShapeError(`WorkerPool: ${shards.length} shards for ${workers.slots.length} workers`);
  const id = hosting.register(model);
  const results = await Promise.all(shards.map((shard, i) => workers.exclusive(workers.slots[i], async (slot) => {
    const loss = (await hosting.callOn(slot, model, id, shard.method, shard.args)) as BatchLoss;
    return { loss, gradients: await slot.api.gradients(id) };
  })));
  const core = engine.core, layers = model.layers;
  let loss = 0, sum = 0, count = 0;
  results.forEach(({ loss: r, gradients }, i) => {
    loss += r.loss * shards[i].weight;
    sum += r.sum;
    count += r.count;
    layers.forEach((layer, k) => {
      const n = layer.params.totalFloats;
      let source: number;
      if (gradients.shared) source = gradients.pointers[k];
      else {
        source = engine.scratch(n * 4);
        engine.write(source, gradients.arrays[k]);
      }
      core.scaleAdd(n, layer.params.gradsPtr, source, shards[i].weight, i > 0 ? 1 : 0);
    });
  });
  return { loss, sum, count };
}
