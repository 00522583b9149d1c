// The shape shared by the sequence classifier and tagger: a SequenceEncoder (embedding or features
// into a recurrent stack) followed by one Dense head, with the config kept for checkpoints and one
// dispose for everything.

import { engine, type Engine } from "../engine/engine.js";
import { Dense } from "../layers/dense.js";
import { BufferPool } from "../layers/buffer-pool.js";
import { SequenceEncoder, type EncoderConfig } from "./encoder.js";
import { Model } from "./model.js";
import { quantizedKinds } from "./quantized-kinds.js";
import type { Reduction } from "../layers/losses.js";

export abstract class EncoderHeadModel<Settings extends EncoderConfig & { seed?: number; reduction?: Reduction }> extends Model {
  readonly encoder: SequenceEncoder;
  readonly head: Dense;
  /** @internal The engine the model's buffers live in. */
  protected readonly engine: Engine;
  /** @internal The model's reusable wasm buffers. */
  protected readonly pool: BufferPool;

  /** `outputs`: classes or tags, already validated by the subclass. */
  protected constructor(protected readonly settings: Settings, outputs: number) {
    const eng = engine();
    const encoder = new SequenceEncoder(settings, eng, settings.seed);
    const head = new Dense({ inFeatures: encoder.outputFeatures, outFeatures: outputs, seed: settings.seed === undefined ? undefined : settings.seed + 2, quantized: quantizedKinds(settings.quantized, "quantized").has("dense") });
    super([...encoder.modules(), ["fc", head]], settings.reduction);
    this.encoder = encoder;
    this.head = head;
    this.engine = eng;
    this.pool = new BufferPool(eng);
  }

  config(): Record<string, unknown> {
    return { ...this.settings } as Record<string, unknown>;
  }

  override dispose(): void {
    this.pool.dispose();
    this.encoder.dispose();
    super.dispose();
  }
}
