// Reading a tab-separated file of source/target pairs for seq2seq training: one pair per line,
// source and target separated by the first tab; empty lines skipped; anything else a FormatError
// naming the line.

import { FormatError, ShapeError } from "../errors.js";
import type { SequencePair } from "../models/seq2seq/seq2seq.js";

export function parsePairs(text: string, path: string): SequencePair[] {
  const pairs: SequencePair[] = [];
  text.replace(/\r\n/g, "\n").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const tab = line.indexOf("\t");
    if (tab < 0) throw new FormatError(`${path}:${i + 1}: expected "source<TAB>target"; found no tab`);
    const source = line.slice(0, tab), target = line.slice(tab + 1);
    if (!source || !target) throw new FormatError(`${path}:${i + 1}: the ${source ? "target" : "source"} is empty`);
    pairs.push({ source, target });
  });
  if (pairs.length < 2) throw new ShapeError(`${path}: needs at least 2 pairs (found ${pairs.length})`);
  return pairs;
}
