// Reading a text corpus from disk with clear errors: a missing file, an empty file, or bytes that are
// not UTF-8 text (a binary file given by mistake).

import { FormatError, ResourceError } from "../errors.js";

export function readTextFile(path: string, readFile: (path: string) => Uint8Array): string {
  let bytes: Uint8Array;
  try {
    bytes = readFile(path);
  } catch (e) {
    throw new ResourceError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (bytes.length === 0) throw new FormatError(`${path} is empty`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(`${path} is not UTF-8 text (is it a binary file?)`);
  }
  if (text.includes("\u0000")) throw new FormatError(`${path} contains NUL bytes: it looks like a binary file, not text`);
  return text;
}
