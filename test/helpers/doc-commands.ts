// Command lines shown in the documentation, checked against the repository: a `wasm-rnn` command
// exists and accepts every option shown (the options in its own `--help` synopsis); `npm run X`,
// `npm test` and `npm start` name scripts of package.json, and `npm install` installs only this
// package; `node FILE` names a file that exists; a `curl` line asks one of the server's routes with
// its method, and its body is JSON; `docker build` finds its Dockerfile. Each check returns the
// problems it finds, as sentences naming the line.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CodeBlock, InlineSpan } from "./doc-blocks.js";

export interface CommandLine {
  /** "file:line". */
  where: string;
  text: string;
}

export interface Repository {
  root: string;
  /** package.json's scripts. */
  scripts: Set<string>;
  cli: BuiltCli;
}

export interface BuiltCli {
  /** The commands, in the order of the usage text. */
  commands: string[];
  /** The options a command accepts, or null when there is no such command. */
  options(command: string): Set<string> | null;
}

/** The built CLI's own answers: `node dist/cli/main.js --help` lists the commands' synopses, and
 *  `node dist/cli/main.js COMMAND --help` exits 0 with the command's synopsis (up to the first blank
 *  line), where every option appears as `--name`; for an unknown command it exits 2. */
export function builtCli(root: string): BuiltCli {
  const main = join(root, "dist/cli/main.js");
  const help = (args: string[]) => execFileSync(process.execPath, [main, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const commands = [...help(["--help"]).matchAll(/^ {2}wasm-rnn ([a-z][a-z0-9-]*)/gm)].map((m) => m[1]);
  const known = new Map<string, Set<string> | null>();
  const options = (command: string): Set<string> | null => {
    if (!known.has(command)) {
      let accepted: Set<string> | null;
      try {
        const synopsis = help([command, "--help"]).split("\n\n")[0];
        accepted = new Set([...synopsis.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]));
      } catch {
        accepted = null;
      }
      known.set(command, accepted);
    }
    return known.get(command) ?? null;
  };
  return { commands, options };
}

/** The commands of a ```sh or ```bash block: `\`-continued lines joined, comments and comment-only lines dropped. */
export function shellCommandLines(block: CodeBlock): CommandLine[] {
  const lines: CommandLine[] = [];
  let continued: CommandLine | null = null;
  block.code.split("\n").forEach((raw, index) => {
    const text = withoutComment(raw).trim();
    const part = text.replace(/\\$/, "").trim();
    const line: CommandLine = continued ? { where: continued.where, text: `${continued.text} ${part}` } : { where: `${block.file}:${block.line + 1 + index}`, text: part };
    continued = text.endsWith("\\") ? line : null;
    if (!continued && line.text) lines.push(line);
  });
  return lines;
}

/** The `wasm-rnn` command lines of a block that is not a shell script (a synopsis): a line starting
 *  with `wasm-rnn`, with the indented `[…]` lines that continue it. */
export function synopsisCommandLines(block: CodeBlock): CommandLine[] {
  const lines: CommandLine[] = [];
  block.code.split("\n").forEach((raw, index) => {
    const text = withoutComment(raw);
    if (/^(npx )?wasm-rnn /.test(text)) lines.push({ where: `${block.file}:${block.line + 1 + index}`, text: text.trim() });
    else if (/^\s+\[/.test(text) && lines.length) lines[lines.length - 1].text += ` ${text.trim()}`;
  });
  return lines;
}

/** The inline code spans that are command lines: `wasm-rnn …`, `npx wasm-rnn …`, `npm …`, `node FILE …`. */
export function inlineCommandLines(spans: InlineSpan[]): CommandLine[] {
  return spans
    .filter((span) => /^((npx )?wasm-rnn [a-zA-Z]|npm [a-z]|node [\w./-]+\.m?js\b)/.test(span.text))
    .map((span) => ({ where: `${span.file}:${span.line}`, text: span.text }));
}

/** A line without its shell comment (a `#` that starts a word, outside quotes). */
function withoutComment(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** The words of a shell command, quotes removed. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The server's routes: method and path (NAME: a model's name). */
const ROUTES: [string, RegExp][] = [
  ["GET", /^\/v2\/health\/(live|ready)$/],
  ["GET", /^\/v2$/],
  ["GET", /^\/v2\/models\/[A-Za-z0-9_.-]+$/],
  ["GET", /^\/v2\/models\/[A-Za-z0-9_.-]+\/ready$/],
  ["POST", /^\/v2\/models\/[A-Za-z0-9_.-]+\/(infer|generate|generate_stream)$/],
  ["GET", /^\/metrics$/],
];

/** What is wrong with one command line (nothing: an empty list). */
export function commandProblems(line: CommandLine, repo: Repository): string[] {
  const at = `${line.where}: "${line.text}"`;
  // A wasm-rnn invocation: everything after it is its arguments (the `|` of `lstm|gru` included).
  const cli = /(?:^|[|;&]\s*)(?:npx\s+)?wasm-rnn\s+(\S+)(.*)$/.exec(line.text);
  if (cli) return cliProblems(cli[1], cli[2], at, repo);
  const problems: string[] = [];
  for (const command of line.text.split(/\s+(?:\||&&|;)\s+/)) {
    const [program, ...args] = words(command.replace(/^(\w+=\S*\s+)+/, ""));
    if (program === "npm") problems.push(...npmProblems(args, at, repo));
    else if (program === "node") {
      if (!existsSync(join(repo.root, args[0] ?? ""))) problems.push(`${at}: node runs ${args[0]}, which does not exist`);
    } else if (program === "curl") problems.push(...curlProblems(args, at));
    else if (program === "docker") problems.push(...dockerProblems(args, at, repo));
    else if (!["printf", "echo", "cat"].includes(program)) problems.push(`${at}: "${program}" is not a command the documentation checks`);
  }
  return problems;
}

function cliProblems(command: string, rest: string, at: string, repo: Repository): string[] {
  const options = [...rest.matchAll(/(?:^|[\s[|])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]).filter((o) => o !== "help");
  // An upper-case placeholder (`wasm-rnn CMD --help`) stands for every command.
  const commands = /^[A-Z]+$/.test(command) ? repo.cli.commands : [command];
  const problems: string[] = [];
  for (const name of commands) {
    const accepted = repo.cli.options(name);
    if (!accepted) {
      problems.push(`${at}: "wasm-rnn ${name}" is not a command`);
      continue;
    }
    for (const option of options) if (!accepted.has(option)) problems.push(`${at}: "wasm-rnn ${name}" has no option --${option}`);
  }
  return problems;
}

function npmProblems(args: string[], at: string, repo: Repository): string[] {
  const [sub, ...rest] = args;
  if (sub === "run") return repo.scripts.has(rest[0]) ? [] : [`${at}: package.json has no script "${rest[0]}"`];
  if (sub === "test" || sub === "start") return repo.scripts.has(sub) ? [] : [`${at}: package.json has no script "${sub}"`];
  if (sub === "pack") return [];
  if (sub === "install" || sub === "ci") {
    const packages = rest.filter((a) => !a.startsWith("-"));
    return packages.filter((p) => p !== "wasm-rnn").map((p) => `${at}: npm installs "${p}", not this package`);
  }
  return [`${at}: "npm ${sub}" is neither a script nor npm install, ci or pack`];
}

function curlProblems(args: string[], at: string): string[] {
  const url = args.find((a) => /^(https?:\/\/)?[\w.-]+(:\d+)?\//.test(a) && !a.startsWith("-"));
  if (!url) return [`${at}: curl has no URL`];
  const path = new URL(/^https?:/.test(url) ? url : `http://${url}`).pathname;
  const bodyAt = args.findIndex((a) => a === "-d" || a === "--data");
  const method = args.includes("-X") ? args[args.indexOf("-X") + 1] : bodyAt >= 0 ? "POST" : "GET";
  const problems: string[] = [];
  if (!ROUTES.some(([m, route]) => m === method && route.test(path))) problems.push(`${at}: ${method} ${path} is not a route of the server`);
  if (bodyAt >= 0) {
    try {
      JSON.parse(args[bodyAt + 1]);
    } catch (e) {
      problems.push(`${at}: the body is not JSON (${(e as Error).message})`);
    }
  }
  return problems;
}

function dockerProblems(args: string[], at: string, repo: Repository): string[] {
  if (args[0] === "build") {
    const context = args.slice(1).filter((a, i, all) => !a.startsWith("-") && !all[i - 1]?.startsWith("-")).at(-1) ?? ".";
    return existsSync(join(repo.root, context, "Dockerfile")) ? [] : [`${at}: no Dockerfile in ${context}`];
  }
  return args[0] === "run" ? [] : [`${at}: "docker ${args[0]}" is not checked`];
}
