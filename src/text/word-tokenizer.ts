// Word-level tokenizer: words (letters and marks, with inner apostrophes or hyphens), numbers, and
// one token per other non-space code point; Han/Hiragana/Katakana characters are one token each and
// "\n" is kept as a token. join respaces words by the punctuation rules below, so it is not lossless.

import { FormatError } from "../errors.js";
import { describe, optionalBool, optionsObject } from "../validate.js";
import { Vocabulary, fitVocabulary, readVocabularyJSON, type FitOptions, type VocabularyJSON } from "./vocabulary.js";

export interface WordTokenizerOptions extends FitOptions {
  /** Lowercase text before splitting, when fitting and encoding alike. Default false. */
  lowercase?: boolean;
}

export interface WordTokenizerJSON extends VocabularyJSON<"word"> {
  lowercase: boolean;
}

/** Scripts written without spaces (Script_Extensions, so ー, 々 and 。 count): one token per character. */
const CJK = String.raw`\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}`;
const WORD_CHAR = String.raw`(?:(?![${CJK}])[\p{L}\p{M}])`;
const WORD_START = String.raw`(?:(?![${CJK}])\p{L})`;
/**
 * In order of precedence: a newline; a CJK character; a word — a letter, then letters and marks, with
 * single inner apostrophes (' ’) or hyphens (- ‐) ("don't", "well-known"); a number — digits with
 * single inner "." or "," ("3.14" and "1,000" are one token each, "3." is "3" and "."); any other
 * non-space code point (punctuation, symbols, emoji, stray marks). Other whitespace separates tokens.
 */
const TOKEN = new RegExp(
  String.raw`\n|[${CJK}]|${WORD_START}${WORD_CHAR}*(?:['’\-‐]${WORD_START}${WORD_CHAR}*)*|\p{N}+(?:[.,]\p{N}+)*|\S`,
  "gu",
);

/** No space before these, none after OPENING. */
const CLOSING = new Set([".", ",", ";", ":", "!", "?", ")", "]", "}", "’", "”"]);
const OPENING = new Set(["(", "[", "{", "‘", "“"]);
/** CJK characters and CJK/fullwidth punctuation: no space between two of them. */
const TIGHT = new RegExp(String.raw`^(?:[${CJK}]|(?=[\u3000-\u303F\uFF00-\uFFEF])[\p{P}\p{S}])`, "u");
/** Code points that continue the previous character (combining marks, variation selectors, skin tones, ZWJ, tags). */
const CONTINUES = /^[\p{M}\p{Emoji_Modifier}\u200D\u{E0020}-\u{E007F}]/u;
const REGIONAL_INDICATOR = /^\p{Regional_Indicator}$/u;

function splitWords(text: string, lowercase: boolean): string[] {
  return (lowercase ? text.toLowerCase() : text).match(TOKEN) ?? [];
}

/** Whether `join` puts a space between `prev` and `next`; pairs of regional indicators (flags) are handled by the caller. */
function spaced(prev: string, next: string): boolean {
  if (prev === "\n" || next === "\n" || CLOSING.has(next) || OPENING.has(prev)) return false;
  if (CONTINUES.test(next) || prev === "\u200D") return false;
  return !(TIGHT.test(prev) && TIGHT.test(next));
}

export class WordTokenizer extends Vocabulary<"word"> {
  readonly kind = "word";

  private constructor(
    tokens: readonly string[],
    readonly lowercase: boolean,
  ) {
    super(tokens);
  }

  /** A vocabulary of the tokens of `text`, most frequent first. */
  static fit(text: string, options: WordTokenizerOptions = {}): WordTokenizer {
    const where = "WordTokenizer.fit";
    const lowercase = optionalBool(optionsObject(options as Record<string, unknown> | undefined, `${where}: options`).lowercase, false, `${where}: lowercase`);
    return new WordTokenizer(fitVocabulary(text, options, (corpus) => splitWords(corpus, lowercase), where), lowercase);
  }

  /** Restores a tokenizer from `toJSON()` output (an object or its JSON string) exactly. */
  static fromJSON(json: unknown): WordTokenizer {
    const { record, tokens } = readVocabularyJSON(json, "word");
    if (typeof record.lowercase !== "boolean") throw new FormatError(`tokenizer JSON: lowercase must be true or false; got ${describe(record.lowercase)}`);
    const restored = new WordTokenizer(tokens, record.lowercase);
    restored.checkRestoredTokens();
    return restored;
  }

  split(text: string): string[] {
    return splitWords(text, this.lowercase);
  }

  /**
   * Single spaces between tokens, except: none before closing punctuation (. , ; : ! ? ) ] } ’ ”), none
   * after opening punctuation (( [ { ‘ “), none around "\n", none between CJK characters or CJK
   * punctuation, and none inside an emoji sequence (marks, skin tones, ZWJ, flag pairs).
   */
  join(tokens: readonly string[]): string {
    let text = "";
    let openFlag = false; // the previous token is the first regional indicator of a flag
    tokens.forEach((token, i) => {
      const flagEnd = openFlag && REGIONAL_INDICATOR.test(token);
      if (i > 0 && !flagEnd && spaced(tokens[i - 1], token)) text += " ";
      text += token;
      openFlag = !flagEnd && REGIONAL_INDICATOR.test(token);
    });
    return text;
  }

  override toJSON(): WordTokenizerJSON {
    const { kind, tokens } = super.toJSON();
    return { kind, lowercase: this.lowercase, tokens };
  }
}
