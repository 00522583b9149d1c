// The documentation (README.md and docs/*.md) against the code: every fenced block has a language
// that some test checks; ```json parses; every ```js/```ts block uses the package and every ```html
// block has a module script that does (test/package/consumers.test.ts compiles them all against the
// packed types); ```python blocks compile (where python3 is installed); every command line — in
// ```sh/```bash blocks, the `wasm-rnn` lines of ```text synopses, and inline `wasm-rnn …`, `npm …` and
// `node FILE` spans — names a command, options, a script, a file or a server route that exists
// (test/helpers/doc-commands.ts); and every relative link, here and in bench/README.md, reaches a file,
// and a heading when it names one. Needs dist/ (`npm run build`): the options are the built CLI's own
// `--help`.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { codeBlocks, documentationFiles, inlineSpans, packageExamples, type DocFile } from "../helpers/doc-blocks.js";
import { builtCli, commandProblems, inlineCommandLines, shellCommandLines, synopsisCommandLines, type Repository } from "../helpers/doc-commands.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The fence labels, each with the test that checks its blocks. */
const LANGUAGES = ["js", "ts", "html", "sh", "bash", "text", "json", "python"];

const files = documentationFiles(ROOT);
const blocks = files.flatMap(codeBlocks);
const repo: Repository = {
  root: ROOT,
  scripts: new Set(Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts)),
  cli: builtCli(ROOT),
};
const python = spawnSync("python3", ["--version"]).status === 0;

/** GitHub's anchor of each heading of a Markdown file (a repeated one gets -1, -2, …). */
function anchors(file: DocFile): Set<string> {
  const fenced = new Set(codeBlocks(file).flatMap((b) => Array.from({ length: b.code.split("\n").length + 1 }, (_, i) => b.line + i)));
  const seen = new Map<string, number>();
  const found = new Set<string>();
  file.markdown.split("\n").forEach((line, index) => {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading || fenced.has(index + 1)) return;
    const slug = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count ? `${slug}-${count}` : slug);
  });
  return found;
}

/** The relative links of a Markdown file (code blocks and code spans left out), with their lines. */
function relativeLinks(file: DocFile): { line: number; target: string }[] {
  const lines = file.markdown.split("\n");
  for (const block of codeBlocks(file)) for (let i = block.line - 1; i < block.line + block.code.split("\n").length; i++) lines[i] = "";
  const prose = lines.join("\n").replace(/`[^`]*`/g, (span) => span.replace(/[^\n]/g, " "));
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .filter((m) => !/^[a-z]+:/.test(m[1]))
    .map((m) => ({ line: prose.slice(0, m.index).split("\n").length, target: m[1] }));
}

describe("the documentation", () => {
  it("is a README under 300 lines that links every page of docs/ and bench/README.md", () => {
    const [readme, ...pages] = files;
    expect(pages.map((f) => f.path)).toEqual(expect.arrayContaining(["docs/api.md", "docs/importing.md", "docs/parallelism.md", "docs/serving.md"]));
    expect(readme.markdown.split("\n").length).toBeLessThan(300);
    const linked = new Set(relativeLinks(readme).map((link) => link.target.split("#")[0]));
    expect([...pages.map((f) => f.path), "bench/README.md"].filter((path) => !linked.has(path))).toEqual([]);
  });

  it("has pages that link back to the README (but the generated API report)", () => {
    const pages = files.filter((f) => f.path.startsWith("docs/") && f.path !== "docs/api-report.md");
    expect(pages.filter((page) => !relativeLinks(page).some((link) => link.target === "../README.md")).map((page) => page.path)).toEqual([]);
  });

  it("labels every code block with a language that a test checks", () => {
    const unlabelled = blocks.filter((b) => !LANGUAGES.includes(b.language)).map((b) => `${b.file}:${b.line} "${b.language}"`);
    expect(unlabelled).toEqual([]);
  });

  it("has ```json blocks that parse", () => {
    for (const block of blocks.filter((b) => b.language === "json")) expect(() => JSON.parse(block.code), `${block.file}:${block.line}`).not.toThrow();
  });

  it("has only ```js/```ts blocks that use the package, and ```html blocks with a module script that does, all compiled by the consumer test", () => {
    const examples = packageExamples(blocks);
    const scripts = blocks.filter((b) => b.language === "js" || b.language === "ts");
    const unused = scripts.filter((b) => packageExamples([b]).length === 0).map((b) => `${b.file}:${b.line}`);
    expect(unused).toEqual([]);
    const pages = blocks.filter((b) => b.language === "html");
    expect(pages.filter((b) => packageExamples([b]).length === 0).map((b) => `${b.file}:${b.line}`)).toEqual([]);
    expect(examples.length).toBe(scripts.length + pages.length);
  });

  it.skipIf(!python)("has ```python blocks that compile", () => {
    for (const block of blocks.filter((b) => b.language === "python")) {
      const compiled = spawnSync("python3", ["-c", "import sys; compile(sys.stdin.read(), sys.argv[1], 'exec')", `${block.file}:${block.line}`], { input: block.code, encoding: "utf8" });
      expect(compiled.status, compiled.stderr).toBe(0);
    }
  });

  it("shows only command lines whose commands, options, scripts, files and routes exist", () => {
    const lines = [
      ...blocks.filter((b) => b.language === "sh" || b.language === "bash").flatMap(shellCommandLines),
      ...blocks.filter((b) => b.language === "text").flatMap(synopsisCommandLines),
      ...inlineCommandLines(files.flatMap(inlineSpans)),
    ];
    expect(lines.filter((l) => /wasm-rnn /.test(l.text)).length).toBeGreaterThanOrEqual(20);
    expect(lines.filter((l) => l.text.startsWith("curl")).length).toBeGreaterThanOrEqual(4);
    expect(lines.flatMap((line) => commandProblems(line, repo))).toEqual([]);
  });

  it("links only to files and headings that exist", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of [...files, { path: "bench/README.md", markdown: readFileSync(join(ROOT, "bench/README.md"), "utf8") }]) {
      for (const { line, target } of relativeLinks(file)) {
        checked++;
        const [path, anchor] = target.split("#");
        const resolved = path ? normalize(join(dirname(file.path), path)) : file.path;
        if (!existsSync(join(ROOT, resolved))) broken.push(`${file.path}:${line}: ${target} (no ${resolved})`);
        else if (anchor !== undefined && !anchors({ path: resolved, markdown: readFileSync(join(ROOT, resolved), "utf8") }).has(anchor)) {
          broken.push(`${file.path}:${line}: ${target} (no heading "${anchor}" in ${resolved})`);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });
});

describe("the command checks", () => {
  const check = (text: string) => commandProblems({ where: "x.md:1", text }, repo);

  it("accept what exists", () => {
    expect(check("npx wasm-rnn sample --model m --top-k 5")).toEqual([]);
    expect(check("npm run demo")).toEqual([]);
    expect(check("curl -s -X POST localhost:8000/v2/models/m/infer -d '{\"inputs\": []}'")).toEqual([]);
  });

  it.each([
    ["wasm-rnn frob --model m", /"wasm-rnn frob" is not a command/],
    ["wasm-rnn sample --model m --frob 1", /has no option --frob/],
    ["wasm-rnn CMD --frob", /"wasm-rnn train" has no option --frob/],
    ["npm run frob", /no script "frob"/],
    ["npm install left-pad", /installs "left-pad"/],
    ["node bench/frob.js", /does not exist/],
    ["curl -s localhost:8000/v2/models/m/frob", /GET \/v2\/models\/m\/frob is not a route/],
    ["curl -s localhost:8000/v2/models/m/infer", /GET \/v2\/models\/m\/infer is not a route/],
    ["curl -X POST localhost:8000/v2/models/m/infer -d '{\"inputs\": ]'", /the body is not JSON/],
    ["rm -rf /", /"rm" is not a command/],
  ])("find what does not: %s", (text, problem) => {
    expect(check(text).join("\n")).toMatch(problem);
  });
});
