// The model types, one row each: a type's name (what checkpoints and worker specs record) and how a
// config rebuilds a model of it. Everything that takes a model by type derives from this table — the
// checkpoint reader, the pool's workers, quantization's twins, and the server's adapters (keyed by
// ModelType, so a type without an adapter does not compile).

import { FormatError } from "../errors.js";
import { tokenizerFromJSON } from "../text/index.js";
import { describe } from "../validate.js";
import { SequenceClassifier, type SequenceClassifierConfig } from "./classifier.js";
import { LanguageModel, type LanguageModelConfig } from "./language-model.js";
import type { Model } from "./model.js";
import { currentQuantized } from "./quantized-kinds.js";
import { Seq2Seq } from "./seq2seq/seq2seq.js";
import { SequenceTagger, type SequenceTaggerConfig } from "./tagger.js";

/** One model type: its class, and how a config rebuilds a model of it (fresh weights). */
interface ModelTypeRow<M extends Model> {
  readonly class: abstract new (...args: never[]) => M;
  fromConfig(config: Record<string, unknown>): M;
}

/** The model types, one row each. */
const MODEL_TYPES = {
  "language-model": {
    class: LanguageModel,
    fromConfig: ({ tokenizer, ...rest }) => new LanguageModel(tokenizerFromJSON(tokenizer), rest as unknown as LanguageModelConfig),
  } satisfies ModelTypeRow<LanguageModel>,
  "sequence-classifier": { class: SequenceClassifier, fromConfig: (config) => new SequenceClassifier(config as unknown as SequenceClassifierConfig) } satisfies ModelTypeRow<SequenceClassifier>,
  "sequence-tagger": { class: SequenceTagger, fromConfig: (config) => new SequenceTagger(config as unknown as SequenceTaggerConfig) } satisfies ModelTypeRow<SequenceTagger>,
  seq2seq: { class: Seq2Seq, fromConfig: (config) => Seq2Seq.fromConfig(config) } satisfies ModelTypeRow<Seq2Seq>,
};

/** A model type's name, as checkpoints record it. */
export type ModelType = keyof typeof MODEL_TYPES;

/** The model class of each type (ModelOf<"seq2seq"> is Seq2Seq). */
export type ModelOf<T extends ModelType> = InstanceType<(typeof MODEL_TYPES)[T]["class"]>;

/** @internal The model types, in the table's order. */
export const MODEL_TYPE_NAMES = Object.keys(MODEL_TYPES) as ModelType[];

/** @internal Whether `value` names a model type. */
export function isModelType(value: unknown): value is ModelType {
  return typeof value === "string" && Object.hasOwn(MODEL_TYPES, value);
}

/** @internal The class name of a type's models ("SequenceTagger"), for messages. */
export function modelClassName(type: ModelType): string {
  return MODEL_TYPES[type].class.name;
}

/** A new model (fresh weights) of the recorded type and config. */
export function createModel(modelType: unknown, config: Record<string, unknown>): Model {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new FormatError(`the model config must be an object; got ${describe(config)}`);
  if (!isModelType(modelType)) throw new FormatError(`unknown model type ${describe(modelType)}; expected ${MODEL_TYPE_NAMES.map((t) => `"${t}"`).join(", ")}`);
  const row = MODEL_TYPES[modelType] as ModelTypeRow<Model>;
  return row.fromConfig(config.quantized === undefined ? config : { ...config, quantized: currentQuantized(config.quantized) });
}
