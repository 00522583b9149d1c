// Rebuilding a model from the type and config a checkpoint recorded.

import { FormatError } from "../errors.js";
import { tokenizerFromJSON } from "../text/index.js";
import { describe } from "../validate.js";
import { SequenceClassifier, type SequenceClassifierConfig } from "./classifier.js";
import { LanguageModel, type LanguageModelConfig } from "./language-model.js";
import type { Model } from "./model.js";
import { Seq2Seq } from "./seq2seq/seq2seq.js";
import { SequenceTagger, type SequenceTaggerConfig } from "./tagger.js";

export type ModelType = "language-model" | "sequence-classifier" | "sequence-tagger" | "seq2seq";

/** A new model (fresh weights) of the recorded type and config. */
export function createModel(modelType: unknown, config: Record<string, unknown>): Model {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new FormatError(`the model config must be an object; got ${describe(config)}`);
  switch (modelType) {
    case "language-model": {
      const { tokenizer, ...rest } = config;
      return new LanguageModel(tokenizerFromJSON(tokenizer), rest as unknown as LanguageModelConfig);
    }
    case "sequence-classifier":
      return new SequenceClassifier(config as unknown as SequenceClassifierConfig);
    case "sequence-tagger":
      return new SequenceTagger(config as unknown as SequenceTaggerConfig);
    case "seq2seq":
      return Seq2Seq.fromConfig(config);
    default:
      throw new FormatError(`unknown model type ${describe(modelType)}; expected "language-model", "sequence-classifier", "sequence-tagger" or "seq2seq"`);
  }
}
