// The token↔id table every tokenizer shares: the four special tokens at fixed ids, ordinary tokens
// ranked by frequency in a training corpus, encode/decode on top of a subclass's split/join, and
// the JSON form with its validation. Bad arguments are ShapeErrors; bad corpora and JSON, FormatErrors.

import { FormatError, ShapeError } from "../errors.js";
import { describe, optionalBool, optionsObject, positiveInt } from "../validate.js";

export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;
/** The special tokens, indexed by their ids (PAD, UNK, BOS, EOS). */
export const SPECIAL_TOKENS: readonly string[] = ["<pad>", "<unk>", "<bos>", "<eos>"];

export type TokenizerKind = "char" | "word";

/** The serialised table: `tokens[id]` for every id, the special tokens first. */
export interface VocabularyJSON<K extends TokenizerKind> {
  kind: K;
  tokens: string[];
}

export interface FitOptions {
  /** The largest vocabulary, the 4 special tokens included; rarer tokens encode as UNK. Default: no limit. */
  maxSize?: number;
}

export interface EncodeOptions {
  /** Put BOS before the ids. Default false. */
  bos?: boolean;
  /** Put EOS after the ids. Default false. */
  eos?: boolean;
}

export interface DecodeOptions {
  /** Drop PAD, BOS and EOS (default true). UNK always decodes as "<unk>": it stands for text that was there. */
  skipSpecial?: boolean;
}

/** U+FFFD (what a UTF-8 decoder makes of invalid bytes) or NUL above this share of a corpus means binary. */
const MAX_BINARY_SHARE = 0.01;

/** @internal `text` when it is a string, else a ShapeError naming `where`. */
export function checkText(text: unknown, where: string): string {
  if (typeof text !== "string") {
    const hint = text instanceof Uint8Array || text instanceof ArrayBuffer ? " (decode bytes first, e.g. readFileSync(path, \"utf8\"))" : "";
    throw new ShapeError(`${where}: text must be a string${hint}; got ${describe(text)}`);
  }
  return text;
}

/** Throws a FormatError if more than 1% of the corpus's code points are U+FFFD or NUL. */
function checkNotBinary(text: string, where: string): void {
  let total = 0;
  let bad = 0;
  for (const ch of text) {
    total++;
    if (ch === "\uFFFD" || ch === "\0") bad++;
  }
  if (bad > MAX_BINARY_SHARE * total) {
    throw new FormatError(
      `${where}: the corpus looks binary, not text: ${bad} of its ${total} characters (${((100 * bad) / total).toFixed(1)}%) are ` +
        `U+FFFD replacement characters or NUL bytes, where at most ${100 * MAX_BINARY_SHARE}% are accepted; pass the text of a UTF-8 text file`,
    );
  }
}

/**
 * @internal The token list fitted to a corpus: the special tokens, then every token `split` finds, by
 * descending count with ties in order of first appearance, cut to `maxSize` entries.
 */
export function fitVocabulary(text: unknown, options: unknown, split: (text: string) => string[], where: string): string[] {
  const corpus = checkText(text, where);
  const { maxSize } = optionsObject(options as Record<string, unknown> | undefined, `${where}: options`);
  const limit = maxSize === undefined ? Infinity : positiveInt(maxSize, `${where}: maxSize`);
  if (corpus.length === 0) throw new ShapeError(`${where}: the corpus is empty; a vocabulary is fitted to a non-empty text`);
  if (limit <= SPECIAL_TOKENS.length) {
    throw new ShapeError(
      `${where}: maxSize must be at least ${SPECIAL_TOKENS.length + 1}: a vocabulary needs at least one ordinary token besides ` +
        `the ${SPECIAL_TOKENS.length} special ones; got ${limit}`,
    );
  }
  checkNotBinary(corpus, where);
  // A Map iterates in insertion order, i.e. first appearance, and Array.prototype.sort is stable.
  const counts = new Map<string, number>();
  for (const token of split(corpus)) counts.set(token, (counts.get(token) ?? 0) + 1);
  if (counts.size === 0) {
    throw new ShapeError(`${where}: the corpus has no tokens (only whitespace); a vocabulary needs at least one ordinary token`);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]).map(([token]) => token);
  return [...SPECIAL_TOKENS, ...ranked.slice(0, limit - SPECIAL_TOKENS.length)];
}

/** @internal A serialised tokenizer given as an object or a JSON string, as a record; a FormatError otherwise. */
export function jsonRecord(json: unknown): Record<string, unknown> {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new FormatError(`tokenizer JSON: not valid JSON (${(e as Error).message})`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new FormatError(`tokenizer JSON: expected an object { kind, tokens, ... }; got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** @internal The record and token list of a serialised tokenizer of `kind`, after the checks every kind shares. */
export function readVocabularyJSON(json: unknown, kind: TokenizerKind): { record: Record<string, unknown>; tokens: string[] } {
  const record = jsonRecord(json);
  if (record.kind !== kind) throw new FormatError(`tokenizer JSON: expected kind "${kind}"; got ${describe(record.kind)}`);
  const tokens = record.tokens;
  if (!Array.isArray(tokens)) throw new FormatError(`tokenizer JSON: tokens must be an array of strings; got ${describe(tokens)}`);
  if (tokens.length <= SPECIAL_TOKENS.length) {
    throw new FormatError(
      `tokenizer JSON: tokens must hold the ${SPECIAL_TOKENS.length} special tokens and at least one ordinary token; got ${tokens.length} entries`,
    );
  }
  const seen = new Map<string, number>();
  tokens.forEach((token: unknown, id) => {
    if (typeof token !== "string") throw new FormatError(`tokenizer JSON: tokens[${id}] must be a string; got ${describe(token)}`);
    if (id < SPECIAL_TOKENS.length && token !== SPECIAL_TOKENS[id]) {
      throw new FormatError(`tokenizer JSON: tokens[${id}] must be the special token "${SPECIAL_TOKENS[id]}"; got ${describe(token)}`);
    }
    const first = seen.get(token);
    if (first !== undefined) throw new FormatError(`tokenizer JSON: tokens[${id}] ${describe(token)} duplicates tokens[${first}]`);
    seen.set(token, id);
  });
  return { record, tokens: tokens as string[] };
}

/** The shared base of the tokenizers: ids for tokens and back, with text handled by `split` and `join`. */
export abstract class Vocabulary<K extends TokenizerKind = TokenizerKind> {
  abstract readonly kind: K;
  readonly #tokens: readonly string[];
  readonly #ids: ReadonlyMap<string, number>;

  protected constructor(tokens: readonly string[]) {
    this.#tokens = tokens;
    this.#ids = new Map(tokens.map((token, id) => [token, id]));
  }

  /** The text as a list of tokens, whether or not they are in the vocabulary. */
  abstract split(text: string): string[];
  /** Tokens back to text. */
  abstract join(tokens: readonly string[]): string;

  /** The number of ids, the special tokens included. */
  get size(): number {
    return this.#tokens.length;
  }

  /** The id of `token`, or UNK if it is not in the vocabulary. */
  idOf(token: string): number {
    return this.#ids.get(token) ?? UNK;
  }

  tokenOf(id: number): string {
    this.#checkId(id, `${this.kind} tokenizer tokenOf: id`);
    return this.#tokens[id];
  }

  /** Ids of the tokens of `text`, unknown tokens as UNK, optionally between BOS and EOS. */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const where = `${this.kind} tokenizer encode`;
    const pieces = this.split(checkText(text, where));
    const { bos, eos } = optionsObject(options as Record<string, unknown> | undefined, `${where}: options`);
    const head = optionalBool(bos, false, `${where}: bos`) ? 1 : 0;
    const tail = optionalBool(eos, false, `${where}: eos`) ? 1 : 0;
    const ids = new Int32Array(head + pieces.length + tail);
    if (head) ids[0] = BOS;
    pieces.forEach((piece, i) => (ids[head + i] = this.idOf(piece)));
    if (tail) ids[head + pieces.length] = EOS;
    return ids;
  }

  /** The text of `ids` (integers in 0…size−1), joined by the tokenizer's rules. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const where = `${this.kind} tokenizer decode`;
    if (ids === null || typeof ids !== "object" || !Number.isInteger(ids.length)) {
      throw new ShapeError(`${where}: ids must be an array or typed array of integers; got ${describe(ids)}`);
    }
    const skipSpecial = optionalBool(optionsObject(options as Record<string, unknown> | undefined, `${where}: options`).skipSpecial, true, `${where}: skipSpecial`);
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      this.#checkId(id, `${where}: ids[${i}]`);
      if (!(skipSpecial && (id === PAD || id === BOS || id === EOS))) tokens.push(this.#tokens[id]);
    }
    return this.join(tokens);
  }

  toJSON(): VocabularyJSON<K> {
    return { kind: this.kind, tokens: [...this.#tokens] };
  }

  /** @internal Throws a FormatError unless every ordinary token of a restored vocabulary splits into exactly itself. */
  protected checkRestoredTokens(): void {
    for (let id = SPECIAL_TOKENS.length; id < this.#tokens.length; id++) {
      const token = this.#tokens[id];
      const pieces = this.split(token);
      if (pieces.length !== 1 || pieces[0] !== token) {
        throw new FormatError(
          `tokenizer JSON: tokens[${id}] ${describe(token)} is not a single ${this.kind} token; this tokenizer splits it into ${JSON.stringify(pieces)}`,
        );
      }
    }
  }

  #checkId(id: unknown, what: string): asserts id is number {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= this.#tokens.length) {
      throw new ShapeError(`${what} is ${describe(id)}; expected an integer id from 0 to ${this.#tokens.length - 1}`);
    }
  }
}
