// Character and word tokenizers: code-point splitting, frequency ranking, special ids, round trips
// through encode/decode and JSON, word splitting and join spacing, CJK, and every rejected input as
// a ShapeError or FormatError that names the problem.

import { describe, expect, it } from "vitest";
import { BOS, CharTokenizer, EOS, PAD, SPECIAL_TOKENS, UNK, WordTokenizer, tokenizerFromJSON, type Tokenizer } from "../../src/text/index.js";
import { FormatError, ShapeError } from "../../src/errors.js";
import { expectError } from "../helpers/errors.js";

const POEM = "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n";
const EMOJI = "Thumbs 👍🏽 up 😀, family 👨‍👩‍👧 and 𠀋!";

describe("special tokens", () => {
  it("have fixed ids 0–3 in both kinds", () => {
    expect([PAD, UNK, BOS, EOS]).toEqual([0, 1, 2, 3]);
    expect(SPECIAL_TOKENS).toEqual(["<pad>", "<unk>", "<bos>", "<eos>"]);
    for (const t of [CharTokenizer.fit("ab"), WordTokenizer.fit("a b")] as Tokenizer[]) {
      expect(SPECIAL_TOKENS.map((s) => t.idOf(s))).toEqual([0, 1, 2, 3]);
      expect([0, 1, 2, 3].map((id) => t.tokenOf(id))).toEqual(SPECIAL_TOKENS);
    }
  });

  it("place BOS and EOS around the ids on request", () => {
    const t = CharTokenizer.fit("ab");
    const a = t.idOf("a"), b = t.idOf("b");
    expect([...t.encode("ab")]).toEqual([a, b]);
    expect([...t.encode("ab", { bos: true })]).toEqual([BOS, a, b]);
    expect([...t.encode("ab", { eos: true })]).toEqual([a, b, EOS]);
    expect([...t.encode("ab", { bos: true, eos: true })]).toEqual([BOS, a, b, EOS]);
    expect([...t.encode("", { bos: true, eos: true })]).toEqual([BOS, EOS]);
    expect(t.encode("ab")).toBeInstanceOf(Int32Array);
  });

  it("skipSpecial drops PAD, BOS and EOS by default and renders them when false; UNK always shows", () => {
    const t = CharTokenizer.fit("ab");
    const ids = [BOS, t.idOf("a"), UNK, t.idOf("b"), EOS, PAD, PAD];
    expect(t.decode(ids)).toBe("a<unk>b");
    expect(t.decode(Int32Array.from(ids), { skipSpecial: false })).toBe("<bos>a<unk>b<eos><pad><pad>");
  });
});

describe("CharTokenizer", () => {
  it("round-trips Chinese poetry, emoji with skin tones and astral characters exactly", () => {
    for (const text of [POEM, EMOJI, "plain ASCII, with punctuation!\n\ttabs too", POEM + EMOJI]) {
      const t = CharTokenizer.fit(text);
      expect(t.decode(t.encode(text))).toBe(text);
      expect(t.join(t.split(text))).toBe(text);
    }
  });

  it("counts code points, not UTF-16 code units", () => {
    expect(CharTokenizer.fit("𠀋").split("𠀋")).toEqual(["𠀋"]);
    expect("𠀋".length).toBe(2);
    const t = CharTokenizer.fit("😀𠀋");
    expect(t.size).toBe(4 + 2);
    expect(t.encode("😀𠀋😀").length).toBe(3);
    expect(t.split("👍🏽")).toEqual(["👍", "🏽"]); // a skin-toned emoji is two code points
    expect(t.split("床前明月光")).toHaveLength(5);
  });

  it("ranks tokens by descending frequency, ties by first appearance", () => {
    const t = CharTokenizer.fit("cabbcaddd");
    // d: 3, then c, a, b: 2 each in order of first appearance.
    expect(t.toJSON().tokens).toEqual([...SPECIAL_TOKENS, "d", "c", "a", "b"]);
    expect(["d", "c", "a", "b"].map((c) => t.idOf(c))).toEqual([4, 5, 6, 7]);
  });

  it("maps unseen characters and those beyond maxSize to UNK", () => {
    const t = CharTokenizer.fit("aaabbc", { maxSize: 6 });
    expect(t.size).toBe(6);
    expect([...t.encode("abcz")]).toEqual([4, 5, UNK, UNK]);
    expect(t.idOf("c")).toBe(UNK);
    expect(t.decode(t.encode("cab"))).toBe("<unk>ab");
    expect(CharTokenizer.fit("abc", { maxSize: 1000 }).size).toBe(7);
  });

  it("normalises \\r\\n to \\n", () => {
    const t = CharTokenizer.fit("a\r\nb\r\n");
    expect(t.split("a\r\nb")).toEqual(["a", "\n", "b"]);
    expect(t.idOf("\r")).toBe(UNK);
    expect(t.decode(t.encode("a\r\nb"))).toBe("a\nb");
  });

  it("round-trips through JSON with identical ids", () => {
    const text = POEM + EMOJI;
    const t = CharTokenizer.fit(text, { maxSize: 20 });
    const json = JSON.stringify(t);
    for (const back of [CharTokenizer.fromJSON(JSON.parse(json)), tokenizerFromJSON(json), tokenizerFromJSON(t.toJSON())]) {
      expect(back).toBeInstanceOf(CharTokenizer);
      expect(back.kind).toBe("char");
      expect(back.toJSON()).toEqual(t.toJSON());
      expect(back.encode(text, { bos: true })).toEqual(t.encode(text, { bos: true }));
    }
  });
});

describe("WordTokenizer splitting", () => {
  it("splits words with inner apostrophes and hyphens, numbers, punctuation and dashes", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("Don't stop—it's 3.14, (really)!")).toEqual(["Don't", "stop", "—", "it's", "3.14", ",", "(", "really", ")", "!"]);
    expect(t.split("a well-known rock’n’roll fan")).toEqual(["a", "well-known", "rock’n’roll", "fan"]);
  });

  it("keeps numbers whole with inner . or , and splits them off letters", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("It cost 1,000.50 in 1811.")).toEqual(["It", "cost", "1,000.50", "in", "1811", "."]);
    expect(t.split("3.14 3. .5 mp3")).toEqual(["3.14", "3", ".", ".", "5", "mp", "3"]);
  });

  it("does not keep leading or trailing apostrophes and hyphens in words", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("'tis dogs' -x y- a--b")).toEqual(["'", "tis", "dogs", "'", "-", "x", "y", "-", "a", "-", "-", "b"]);
  });

  it("keeps accented letters and combining marks in words", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("café naïve cafe\u0301 Ελληνικά русский")).toEqual(["café", "naïve", "cafe\u0301", "Ελληνικά", "русский"]);
  });

  it("keeps each newline as a token and drops other whitespace, \\r included", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("a  b\tc\r\nd\n\ne ")).toEqual(["a", "b", "c", "\n", "d", "\n", "\n", "e"]);
  });

  it("makes emoji and symbols single-code-point tokens", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("ok👍🏽 50% $5")).toEqual(["ok", "👍", "🏽", "50", "%", "$", "5"]);
  });

  it("makes each Han, Hiragana and Katakana character its own token", () => {
    const t = WordTokenizer.fit("x");
    expect(t.split("床前明月光，疑是地上霜。")).toEqual([..."床前明月光，疑是地上霜。"]);
    expect(t.split("私はコーヒーが好き")).toEqual([..."私はコーヒーが好き"]);
    expect(t.split("Hello世界 𠀋")).toEqual(["Hello", "世", "界", "𠀋"]);
  });

  it("lowercases when asked, when fitting and when encoding", () => {
    const plain = WordTokenizer.fit("The cat. the CAT!");
    expect(plain.lowercase).toBe(false);
    expect(plain.size).toBe(4 + 6);
    const lower = WordTokenizer.fit("The cat. the CAT!", { lowercase: true });
    expect(lower.toJSON().tokens).toEqual([...SPECIAL_TOKENS, "the", "cat", ".", "!"]);
    expect([...lower.encode("THE Cat")]).toEqual([4, 5]);
    expect(lower.decode(lower.encode("The Cat!"))).toBe("the cat!");
  });
});

describe("WordTokenizer join", () => {
  const t = WordTokenizer.fit("x");

  it("spaces words but not before closing or after opening punctuation", () => {
    expect(t.join(["Don't", "stop", "—", "it's", "3.14", ",", "(", "really", ")", "!"])).toBe("Don't stop — it's 3.14, (really)!");
    expect(t.join(["“", "Hi", "”", ",", "she", "said", ";", "‘", "ok", "’", ":", "[", "a", "]", "{", "b", "}", "?"])).toBe("“Hi”, she said; ‘ok’: [a] {b}?");
  });

  it("puts no spaces around newlines", () => {
    expect(t.join(["one", "line", ".", "\n", "\n", "next", "\n"])).toBe("one line.\n\nnext\n");
  });

  it("joins CJK characters and CJK punctuation without spaces, and spaces them from other words", () => {
    expect(t.join(t.split(POEM))).toBe(POEM);
    expect(t.join(["Hello", "世", "界", "!"])).toBe("Hello 世界!");
  });

  it("keeps emoji sequences together", () => {
    for (const s of ["👍🏽", "👨‍👩‍👧", "❤️", "1️⃣", "🇫🇷 🇩🇪", "cafe\u0301"]) expect(t.join(t.split(s))).toBe(s);
    expect(t.join(t.split("🇫🇷🇩🇪"))).toBe("🇫🇷 🇩🇪");
  });

  it("round-trips normally spaced text through encode and decode", () => {
    const text = "Don't stop — it's 3.14, (really)!\n“Quoted,” she said: well-known 1,000 👍🏽.\n床前明月光，疑是地上霜。";
    const w = WordTokenizer.fit(text);
    expect(w.decode(w.encode(text))).toBe(text);
  });

  it("round-trips through JSON with identical ids", () => {
    const text = "The cat sat. The dog sat, too! 床前明月光 😀\nEnd.";
    const w = WordTokenizer.fit(text, { lowercase: true, maxSize: 12 });
    const back = tokenizerFromJSON(JSON.parse(JSON.stringify(w)));
    expect(back).toBeInstanceOf(WordTokenizer);
    expect(back.toJSON()).toEqual(w.toJSON());
    expect(back.encode(text, { eos: true })).toEqual(w.encode(text, { eos: true }));
    expect(WordTokenizer.fromJSON(w.toJSON()).lowercase).toBe(true);
  });
});

describe("rejected input", () => {
  const json = CharTokenizer.fit("ab").toJSON();
  const word = WordTokenizer.fit("a b").toJSON();

  it.each([
    ["garbage string", "not json", /tokenizer JSON: not valid JSON/],
    ["null", null, /expected an object \{ kind, tokens, \.\.\. \}; got null/],
    ["an array", [1, 2], /expected an object .*; got an array of 2/],
    ["a number", 5, /expected an object .*; got 5/],
    ["unknown kind", { ...json, kind: "bpe" }, /unknown kind "bpe"; expected "char" or "word"/],
    ["missing kind", { tokens: json.tokens }, /unknown kind undefined/],
    ["tokens not an array", { kind: "char", tokens: "abc" }, /tokens must be an array of strings; got "abc"/],
    ["only specials", { kind: "char", tokens: [...SPECIAL_TOKENS] }, /at least one ordinary token; got 4 entries/],
    ["a non-string token", { kind: "char", tokens: [...SPECIAL_TOKENS, 7] }, /tokens\[4\] must be a string; got 7/],
    ["missing specials", { kind: "char", tokens: ["a", "b", "c", "d", "e"] }, /tokens\[0\] must be the special token "<pad>"; got "a"/],
    ["specials out of order", { kind: "char", tokens: ["<pad>", "<bos>", "<unk>", "<eos>", "a"] }, /tokens\[1\] must be the special token "<unk>"; got "<bos>"/],
    ["duplicate tokens", { kind: "char", tokens: [...SPECIAL_TOKENS, "a", "b", "a"] }, /tokens\[6\] "a" duplicates tokens\[4\]/],
    ["a special token repeated", { kind: "char", tokens: [...SPECIAL_TOKENS, "<unk>"] }, /tokens\[4\] "<unk>" duplicates tokens\[1\]/],
    ["a multi-character char token", { kind: "char", tokens: [...SPECIAL_TOKENS, "ab"] }, /tokens\[4\] "ab" is not a single char token; this tokenizer splits it into \["a","b"\]/],
    ["an empty token", { kind: "char", tokens: [...SPECIAL_TOKENS, ""] }, /tokens\[4\] "" is not a single char token/],
    ["a two-word word token", { ...word, tokens: [...SPECIAL_TOKENS, "a b"] }, /tokens\[4\] "a b" is not a single word token/],
    ["an uppercase token when lowercasing", { ...word, lowercase: true, tokens: [...SPECIAL_TOKENS, "A"] }, /tokens\[4\] "A" is not a single word token; this tokenizer splits it into \["a"\]/],
    ["a word tokenizer without lowercase", { kind: "word", tokens: word.tokens }, /lowercase must be true or false; got undefined/],
  ])("tokenizerFromJSON rejects %s with a FormatError", (_, value, message) => {
    expectError(() => tokenizerFromJSON(value), FormatError, message);
  });

  it("fromJSON of the other kind is a FormatError", () => {
    expectError(() => WordTokenizer.fromJSON(json), FormatError, /expected kind "word"; got "char"/);
    expectError(() => CharTokenizer.fromJSON(word), FormatError, /expected kind "char"; got "word"/);
  });

  it("an empty corpus is a ShapeError", () => {
    expectError(() => CharTokenizer.fit(""), ShapeError, /CharTokenizer\.fit: the corpus is empty/);
    expectError(() => WordTokenizer.fit(""), ShapeError, /WordTokenizer\.fit: the corpus is empty/);
  });

  it("a vocabulary of only special tokens is a ShapeError", () => {
    expectError(() => CharTokenizer.fit("abc", { maxSize: 4 }), ShapeError, /maxSize must be at least 5: a vocabulary needs at least one ordinary token besides the 4 special ones; got 4/);
    expectError(() => WordTokenizer.fit("abc", { maxSize: 1 }), ShapeError, /needs at least one ordinary token.*got 1/);
    expectError(() => WordTokenizer.fit(" \t \r "), ShapeError, /the corpus has no tokens \(only whitespace\); a vocabulary needs at least one ordinary token/);
  });

  it("bad options are ShapeErrors", () => {
    expectError(() => CharTokenizer.fit("abc", { maxSize: 2.5 }), ShapeError, /CharTokenizer\.fit: maxSize must be a positive integer; got 2.5/);
    expectError(() => CharTokenizer.fit("abc", null as never), ShapeError, /options must be an object; got null/);
    expectError(() => WordTokenizer.fit("abc", { lowercase: "yes" as never }), ShapeError, /WordTokenizer\.fit: lowercase must be true or false; got "yes"/);
    expectError(() => CharTokenizer.fit("ab").encode("a", { bos: 1 as never }), ShapeError, /char tokenizer encode: bos must be true or false; got 1/);
    expectError(() => CharTokenizer.fit("ab").decode([4], { skipSpecial: "no" as never }), ShapeError, /skipSpecial must be true or false; got "no"/);
  });

  it("non-string text is a ShapeError, with a hint for bytes", () => {
    expectError(() => CharTokenizer.fit(new Uint8Array([104, 105]) as never), ShapeError, /text must be a string \(decode bytes first.*\); got object/);
    expectError(() => WordTokenizer.fit("a b").encode(42 as never), ShapeError, /word tokenizer encode: text must be a string; got 42/);
  });

  it("a binary-looking corpus is a FormatError", () => {
    const bytes = Uint8Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256);
    const decoded = new TextDecoder().decode(bytes); // what readFileSync(path, "utf8") makes of a binary file
    expectError(() => CharTokenizer.fit(decoded), FormatError, /CharTokenizer\.fit: the corpus looks binary, not text: \d+ of its \d+ characters .* are U\+FFFD replacement characters or NUL bytes/);
    expectError(() => WordTokenizer.fit("abc\0\0def"), FormatError, /WordTokenizer\.fit: the corpus looks binary, not text: 2 of its 8 characters \(25\.0%\)/);
    // One stray U+FFFD or NUL in 100 characters is still text.
    expect(CharTokenizer.fit("a".repeat(99) + "\uFFFD").size).toBe(6);
    expectError(() => CharTokenizer.fit("a".repeat(98) + "\uFFFD\0"), FormatError, /looks binary/);
  });

  it("ids out of range are a ShapeError naming the index and value", () => {
    const t = CharTokenizer.fit("abc");
    expectError(() => t.decode([4, 5, 7]), ShapeError, /char tokenizer decode: ids\[2\] is 7; expected an integer id from 0 to 6/);
    expectError(() => t.decode(Int32Array.from([4, -1])), ShapeError, /ids\[1\] is -1; expected an integer id from 0 to 6/);
    expectError(() => t.decode([1.5]), ShapeError, /ids\[0\] is 1.5/);
    expectError(() => t.decode("abc" as never), ShapeError, /ids must be an array or typed array of integers; got "abc"/);
    expectError(() => t.tokenOf(99), ShapeError, /tokenOf: id is 99; expected an integer id from 0 to 6/);
    expectError(() => WordTokenizer.fit("a").decode([5]), ShapeError, /word tokenizer decode: ids\[0\] is 5; expected an integer id from 0 to 4/);
  });
});
