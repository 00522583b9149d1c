// The documentation as the tests that keep it true read it: README.md and every docs/*.md, their
// fenced code blocks (language and opening line), the examples of the package's API among them that
// the consumer test compiles against the packed types (```js and ```ts blocks importing "wasm-rnn",
// and the module scripts of ```html blocks), and the inline code spans outside the blocks.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface DocFile {
  /** Path from the repository root, e.g. "docs/importing.md". */
  path: string;
  markdown: string;
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language label ("" when it has none). */
  language: string;
  code: string;
}

export interface PackageExample {
  /** A file name for it, e.g. "readme-line-34" or "docs-importing-line-12". */
  name: string;
  code: string;
  /** A page's module script (it uses the DOM). */
  page: boolean;
}

export interface InlineSpan {
  file: string;
  /** 1-based line the span starts on. */
  line: number;
  text: string;
}

/** README.md, then docs/*.md in name order. */
export function documentationFiles(root: string): DocFile[] {
  const docs = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort();
  return ["README.md", ...docs.map((f) => `docs/${f}`)].map((path) => ({ path, markdown: readFileSync(join(root, path), "utf8") }));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;

/** Every fenced code block of a Markdown file. An unclosed fence is an error (it would swallow the rest). */
export function codeBlocks(file: DocFile): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = file.markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const fence = open[1];
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i].trim().startsWith(fence) && lines[i].trim().replace(/[`~]/g, "") === ""); i++) body.push(lines[i]);
    if (i === lines.length) throw new Error(`${file.path}:${start + 1}: the code block is never closed`);
    blocks.push({ file: file.path, line: start + 1, language: open[2], code: body.join("\n") + "\n" });
  }
  return blocks;
}

/** A name for a block's example: the file ("readme", "docs-importing") and the line. */
function exampleName(block: CodeBlock): string {
  const base = block.file.replace(/\.md$/, "").replace(/\//g, "-").toLowerCase();
  return `${base}-line-${block.line}`;
}

const IMPORTS_PACKAGE = /from "wasm-rnn(\/[a-z]+)?"/;
const MODULE_SCRIPT = /<script type="module">([\s\S]*?)<\/script>/g;
/** Where a page without a bundler imports the browser bundle from; a bundler resolves "wasm-rnn" to
 *  that same file (the `browser` condition of the package's exports). */
const BROWSER_BUNDLE = /"[^"]*\/dist\/browser\/wasm-rnn\.js"/g;

/** The blocks that use the package's API, as TypeScript to compile against its types. */
export function packageExamples(blocks: CodeBlock[]): PackageExample[] {
  const examples: PackageExample[] = [];
  for (const block of blocks) {
    if ((block.language === "js" || block.language === "ts") && IMPORTS_PACKAGE.test(block.code)) {
      examples.push({ name: exampleName(block), code: block.code, page: false });
    }
    if (block.language === "html") {
      for (const [, script] of block.code.matchAll(MODULE_SCRIPT)) {
        examples.push({ name: exampleName(block), code: script.replace(BROWSER_BUNDLE, '"wasm-rnn"'), page: true });
      }
    }
  }
  return examples;
}

/** The inline code spans of the prose (outside fenced blocks), a span's line breaks read as spaces. */
export function inlineSpans(file: DocFile): InlineSpan[] {
  const lines = file.markdown.split("\n");
  for (const block of codeBlocks(file)) {
    const length = block.code.split("\n").length; // the body's lines and the closing fence
    for (let i = block.line - 1; i < block.line + length; i++) lines[i] = "";
  }
  const prose = lines.join("\n");
  const spans: InlineSpan[] = [];
  for (const match of prose.matchAll(/`([^`]+)`/g)) {
    const line = prose.slice(0, match.index).split("\n").length;
    spans.push({ file: file.path, line, text: match[1].replace(/\s*\n\s*/g, " ") });
  }
  return spans;
}
