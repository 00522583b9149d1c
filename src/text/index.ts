// The text tokenizers for language models: character- and word-level vocabularies with fixed special
// ids, and tokenizerFromJSON, which restores either kind from its toJSON() output.

import { FormatError } from "../errors.js";
import { describe } from "../validate.js";
import { CharTokenizer } from "./char-tokenizer.js";
import { jsonRecord } from "./vocabulary.js";
import { WordTokenizer } from "./word-tokenizer.js";

export { PAD, UNK, BOS, EOS, SPECIAL_TOKENS, Vocabulary, type TokenizerKind, type VocabularyJSON, type FitOptions, type EncodeOptions, type DecodeOptions } from "./vocabulary.js";
export { CharTokenizer, type CharTokenizerOptions, type CharTokenizerJSON } from "./char-tokenizer.js";
export { WordTokenizer, type WordTokenizerOptions, type WordTokenizerJSON } from "./word-tokenizer.js";

export type Tokenizer = CharTokenizer | WordTokenizer;

/** A tokenizer of the kind recorded in `json` (toJSON() output, as an object or a JSON string). */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const record = jsonRecord(json);
  switch (record.kind) {
    case "char":
      return CharTokenizer.fromJSON(record);
    case "word":
      return WordTokenizer.fromJSON(record);
    default:
      throw new FormatError(`tokenizer JSON: unknown kind ${describe(record.kind)}; expected "char" or "word"`);
  }
}
