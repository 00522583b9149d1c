// Character-level tokenizer: one token per Unicode code point (Array.from semantics, so CJK, astral
// emoji and CJK Extension B characters are single tokens; a skin-toned emoji is two). Line endings
// \r\n are normalised to \n before splitting; decode of encode gives the (normalised) text back exactly.

import { Vocabulary, fitVocabulary, readVocabularyJSON, type FitOptions, type VocabularyJSON } from "./vocabulary.js";

export type CharTokenizerOptions = FitOptions;
export type CharTokenizerJSON = VocabularyJSON<"char">;

function splitChars(text: string): string[] {
  return Array.from(text.replace(/\r\n/g, "\n"));
}

export class CharTokenizer extends Vocabulary<"char"> {
  readonly kind = "char";

  private constructor(tokens: readonly string[]) {
    super(tokens);
  }

  /** A vocabulary of the code points of `text`, most frequent first. */
  static fit(text: string, options: CharTokenizerOptions = {}): CharTokenizer {
    return new CharTokenizer(fitVocabulary(text, options, splitChars, "CharTokenizer.fit"));
  }

  /** Restores a tokenizer from `toJSON()` output (an object or its JSON string) exactly. */
  static fromJSON(json: unknown): CharTokenizer {
    const restored = new CharTokenizer(readVocabularyJSON(json, "char").tokens);
    restored.checkRestoredTokens();
    return restored;
  }

  split(text: string): string[] {
    return splitChars(text);
  }

  join(tokens: readonly string[]): string {
    return tokens.join("");
  }
}
