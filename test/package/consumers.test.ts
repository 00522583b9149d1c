// The published package as its users get it: `npm pack`, then fresh projects that install the
// tarball and run the same job (test/consumers/app/workload.js: forward with lengths, backward,
// training steps, sampling, checkpoint files, the thread team, the worker pool) on every runtime and
// bundler we support — Node 20 (this process's), 22, 24 and 26, Bun, Deno, Cloudflare's workerd, a
// Vite and a webpack production build in Chromium, and CommonJS `require` — and compare the numbers.
// The TypeScript types are compiled as consumers see them (nodenext, node16, bundler; no DOM, no
// skipLibCheck), with every runtime export typed, every shipped declaration file compiling on its own,
// and the examples of README.md and docs/*.md compiling with --strict.
// The runtimes and bundlers come from the npm registry (test/consumers/package.json), installed
// into test/consumers/node_modules on the first run; projects are built in test/consumers/.work/.

import { execFile, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBrowser, type BrowserSession } from "../helpers/browser.js";
import { compareResults, type ConsumerResult } from "../helpers/consumer-results.js";
import { codeBlocks, documentationFiles, packageExamples } from "../helpers/doc-blocks.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CONSUMERS = join(ROOT, "test/consumers");
const TEMPLATE = join(CONSUMERS, "app");
const WORK = join(CONSUMERS, ".work");
const TOOLS = join(CONSUMERS, "node_modules");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const run = promisify(execFile);

/** npm as a user runs it: PATH without the node_modules/.bin folders vitest runs with (one of the
 *  repository's dev tools brings an old npm there). */
function npm(args: string[], cwd: string, timeout = 300_000): string {
  const path = (process.env.PATH ?? "").split(":").filter((dir) => !dir.includes("node_modules/.bin")).join(":");
  return execFileSync("npm", args, { cwd, env: { ...process.env, PATH: path }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout });
}

/** The runtimes, by name: the command and arguments that run an ES module or a CommonJS script. */
const RUNTIMES = {
  "Node 20": { command: process.execPath, args: [] as string[] },
  "Node 22": { command: join(TOOLS, "node22/bin/node"), args: [] },
  "Node 24": { command: join(TOOLS, "node24/bin/node"), args: [] },
  "Node 26": { command: join(TOOLS, "node26/bin/node"), args: [] },
  Bun: { command: join(TOOLS, "@oven/bun-linux-x64/bin/bun"), args: [] },
  // Reading the wasm and writing the checkpoint need file permissions; environment variables are not needed.
  Deno: { command: join(TOOLS, "@deno/linux-x64-glibc/deno"), args: ["run", "--allow-read", "--allow-write"] },
};
type Runtime = keyof typeof RUNTIMES;

let tarball = "";
/** The Node 20 ESM run every other result is compared with. */
let reference: ConsumerResult;

/** A fresh project under .work/ from the template, with the packed tarball installed. */
function freshProject(name: string): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(TEMPLATE, dir, { recursive: true });
  npm(["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], dir);
  return dir;
}

/** Runs the job with `runtime` in the project `dir` and parses what it prints. */
async function runJob(runtime: Runtime, dir: string, script: string, flags: string[]): Promise<ConsumerResult> {
  const { command, args } = RUNTIMES[runtime];
  const env = { ...process.env, DENO_DIR: join(WORK, "deno-cache"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  delete env.WASM_RNN_THREADS; // the default team, as a user gets it
  const { stdout } = await run(command, [...args, script, ...flags], { cwd: dir, env, timeout: 120_000, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as ConsumerResult;
}

/** A TCP port nothing listens on (for workerd, which is told its port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

let app = "";

/** What hosts.js's jobs return: the tfjs model through wasm-rnn/tfjs, and a brain.js LSTM trained
 *  from the same JSON by brain.js and by wasm-rnn/brain. */
interface HostResults {
  tfjs: { predict: { sum: number; head: number[]; length: number }; difference: number; losses: number[]; calls: number; gradients: number; leaked: number };
  brain: { run: [string, string]; errors: [number, number]; weightDifference: number };
}

/** `result` as HostResults, once checked: the tfjs model's recurrent layers ran on wasm-rnn (forward
 *  and gradient), predicted as tfjs's own, trained and leaked no tensor; the brain.js net trained
 *  with wasm-rnn/brain is brain.js's (same text, error and weights). */
function expectHostBridges(result: unknown): HostResults {
  const { error, tfjs, brain } = result as HostResults & { error?: string };
  expect(error).toBeUndefined();
  expect(tfjs.difference).toBeLessThan(1e-5);
  expect([tfjs.calls > 0, tfjs.gradients > 0, tfjs.leaked]).toEqual([true, true, 0]);
  expect(tfjs.losses.at(-1)!).toBeLessThan(tfjs.losses[0]);
  expect(brain.run[0]).toBe(brain.run[1]);
  expect(Math.abs(brain.errors[0] - brain.errors[1])).toBeLessThan(1e-9);
  expect(brain.weightDifference).toBeLessThan(1e-6);
  return { tfjs, brain };
}

beforeAll(async () => {
  // The runtimes and bundlers (a no-op when installed; the npm cache keeps their downloads).
  npm(["install", "--no-audit", "--no-fund", "--loglevel=error"], CONSUMERS, 600_000);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // `npm test` built the package just before; --ignore-scripts keeps pack from building it again.
  const packed = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", WORK], ROOT)) as { filename: string }[];
  tarball = join(WORK, packed[0].filename);
  app = freshProject("app");
  reference = await runJob("Node 20", app, "main.mjs", ["--threads", "--pool", "--checkpoint-dir", join(WORK, "checkpoint-node-20")]);
}, 900_000);

describe("the packed package", () => {
  it("is small, licensed, free of GPL text, source maps and install scripts, and holds each wasm build once", () => {
    const size = statSync(tarball).size;
    console.log(`packed: ${(size / 1024).toFixed(0)} KiB`);
    // 940 KiB before the ONNX runtime of real exports (operators, plans, their wasm kernels) landed.
    // 1,233 KiB with wasm-rnn/tfjs and wasm-rnn/brain (their bundles, brain.js's kernels in each build).
    expect(size).toBeLessThan(1_350_000);
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    expect(files).toContain("package/LICENSE");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => /GPL|zh-poetry/i.test(f))).toEqual([]);
    const wasm = files.filter((f) => f.endsWith(".wasm")).map((f) => f.split("/").at(-1)).sort();
    expect(wasm).toEqual(["relaxed.wasm", "release.wasm", "threads-relaxed.wasm", "threads.wasm"]);
    const manifest = JSON.parse(readFileSync(join(app, "node_modules/wasm-rnn/package.json"), "utf8")) as { scripts?: Record<string, string>; license: string };
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?(install|prepare)$/.test(s))).toEqual([]);
    expect(manifest.license).toBe("MIT");
    expect(readFileSync(join(app, "node_modules/wasm-rnn/LICENSE"), "utf8")).toMatch(/^MIT License/);
  });
});

describe("runtimes (ES modules)", () => {
  it("Node 20 runs the whole job: the team and the pool split with the one-thread numbers, a checkpoint round-trips", () => {
    expect(reference.split?.team).toEqual({ threads: 2, splitKernels: expect.any(Number), difference: 0 });
    expect(reference.split?.team?.splitKernels).toBeGreaterThan(0);
    expect(reference.split?.pool).toEqual({ workers: 2, sharedMemory: true, difference: 0 });
    expect(reference.checkpoint).toEqual({ sampleAgain: true });
    expect(reference.losses.length).toBe(6);
    expect(reference.losses.at(-1)!).toBeLessThan(reference.losses[0]);
  });

  for (const runtime of ["Node 22", "Node 24", "Node 26", "Bun", "Deno"] as const) {
    it(`${runtime} gives Node 20's numbers, team, pool and checkpoint included`, async () => {
      const result = await runJob(runtime, app, "main.mjs", ["--threads", "--pool", "--checkpoint-dir", join(WORK, `checkpoint-${runtime}`)]);
      compareResults(result, reference, runtime);
      expect(result.split?.team).toMatchObject({ threads: 2, difference: 0 });
      expect(result.split?.team?.splitKernels).toBeGreaterThan(0);
      expect(result.split?.pool).toEqual({ workers: 2, sharedMemory: true, difference: 0 });
      expect(result.checkpoint).toEqual({ sampleAgain: true });
    });
  }
});

describe("host-library bridges from the packed package (hosts.mjs: wasm-rnn/tfjs under @tensorflow/tfjs 4.22, wasm-rnn/brain beside brain.js 1.6.1)", () => {
  let first: HostResults["tfjs"] | null = null;

  for (const runtime of ["Node 20", "Node 22", "Node 24", "Node 26", "Bun", "Deno"] as const) {
    it(`${runtime}: a tfjs model's recurrent layers run on wasm-rnn, predict as tfjs's own, fit, and leak no tensor; a brain.js net trains as brain.js's`, async () => {
      const { tfjs } = expectHostBridges(await runJob(runtime, app, "hosts.mjs", []));
      first ??= tfjs;
      expect(tfjs.predict.length).toBe(first.predict.length);
      for (const [a, b] of [[tfjs.predict.sum, first.predict.sum], ...tfjs.losses.map((loss, i) => [loss, first!.losses[i]])]) expect(Math.abs(a - b)).toBeLessThan(1e-5 + 1e-5 * Math.abs(b));
    });
  }
});

describe("CommonJS: require('wasm-rnn'), then await init()", () => {
  for (const runtime of ["Node 20", "Node 22", "Node 24", "Node 26"] as const) {
    it(`${runtime}`, async () => {
      const result = await runJob(runtime, app, "main.cjs", ["--threads", "--pool", "--checkpoint-dir", join(WORK, `checkpoint-cjs-${runtime}`)]);
      compareResults(result, reference, `${runtime} require`);
      expect(result.split?.team).toMatchObject({ threads: 2, difference: 0 });
      expect(result.split?.pool).toEqual({ workers: 2, sharedMemory: true, difference: 0 });
    });
  }
});

describe("Cloudflare Workers (workerd)", () => {
  /**
   * `entry` of the app bundled as wrangler bundles a worker — esbuild with the workerd/worker/browser
   * conditions, .wasm imports kept as modules the runtime compiles, and (`nodeBuiltins`) Node's
   * built-in modules left to the runtime's nodejs_compat, reached through `require` as wrangler's
   * shim does — served by workerd on 127.0.0.1; its answer to one request, and the wasm it imported.
   */
  async function serveWorker(entry: string, nodeBuiltins: boolean): Promise<{ result: Record<string, unknown>; wasm: string[] }> {
    const wasmFiles = new Map<string, string>();
    const bundle = entry.replace(/\.js$/, ".bundle.js");
    await build({
      absWorkingDir: app,
      entryPoints: [entry],
      outfile: join(app, bundle),
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      logLevel: "warning",
      ...(nodeBuiltins ? { banner: { js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire("/");` } } : {}),
      plugins: [
        {
          name: "wasm-modules",
          setup(b) {
            b.onResolve({ filter: /\.wasm$/ }, async (args) => {
              if (args.pluginData === "resolving") return undefined;
              const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "resolving" });
              const name = resolved.path.split("/").at(-1)!;
              wasmFiles.set(name, relative(app, resolved.path));
              return { path: `./${name}`, external: true };
            });
            if (nodeBuiltins) b.onResolve({ filter: /^(fs|stream|util|buffer|path|crypto|os|url|events|string_decoder)$/ }, (args) => ({ path: `node:${args.path}`, external: true }));
          },
        },
      ],
    });
    const port = await freePort();
    const modules = [`(name = "${bundle}", esModule = embed "${bundle}")`, ...[...wasmFiles].map(([name, path]) => `(name = "${name}", wasm = embed "${path}")`)];
    const config = entry.replace(/\.js$/, ".capnp");
    writeFileSync(
      join(app, config),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .edge)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const edge :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["nodejs_compat"],
);
`,
    );
    // nodejs_compat gives the worker process.versions.node: the library must still not take it for Node.
    const workerd = spawn(join(TOOLS, "@cloudflare/workerd-linux-64/bin/workerd"), ["serve", config], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    workerd.stdout.on("data", (d) => (log += d));
    workerd.stderr.on("data", (d) => (log += d));
    try {
      let response: Response | null = null;
      for (let attempt = 0; attempt < 100 && !response; attempt++) {
        response = await fetch(`http://127.0.0.1:${port}/`).catch(() => null);
        if (!response) await new Promise((r) => setTimeout(r, 100));
      }
      expect(response, `workerd did not answer: ${log}`).not.toBeNull();
      const result = (await response!.json()) as Record<string, unknown>;
      expect(result.error, log).toBeUndefined();
      return { result, wasm: [...wasmFiles.keys()] };
    } finally {
      workerd.kill();
    }
  }

  it("a worker bundled as wrangler bundles it serves the job on 127.0.0.1 with a statically imported wasm module", async () => {
    const { result, wasm } = await serveWorker("edge.js", false);
    expect(wasm).toEqual(["relaxed.wasm"]);
    expect(result.sharedMemory).toBe(false);
    compareResults(result as unknown as ConsumerResult, reference, "workerd");
  });

  it("the host bridges in a worker: wasm-rnn/tfjs under tfjs (predicts as tfjs's own, fits, leaks nothing) and wasm-rnn/brain beside brain.js", async () => {
    // tfjs and brain.js require Node's fs, util, stream and buffer, which a worker gets from nodejs_compat.
    const { result, wasm } = await serveWorker("edge-hosts.js", true);
    expect(wasm).toEqual(["relaxed.wasm"]);
    expectHostBridges(result);
  });
});

describe("bundlers, in Chromium (default production configurations; the page cross-origin isolated)", () => {
  let browser: BrowserSession | null = null;
  afterAll(async () => {
    await browser?.close();
  });

  /** The job's result in a page at `url` (of `browser`), compared with Node's. */
  async function jobInPage(session: BrowserSession, url: string, label: string): Promise<ConsumerResult> {
    const page = await session.open(url);
    await page.waitForFunction(() => (window as { consumerResult?: unknown }).consumerResult !== undefined, null, { timeout: 60_000 });
    const result = (await page.evaluate(() => (window as { consumerResult?: unknown }).consumerResult)) as ConsumerResult & { error?: string };
    expect(result.error).toBeUndefined();
    compareResults(result, reference, label);
    expect(session.problems).toEqual([]);
    return result;
  }

  /** Serves `dist` cross-origin isolated and runs the job in a page: team and pool on the shared memory. */
  async function inChromium(dist: string, label: string): Promise<void> {
    await browser?.close();
    browser = await startBrowser({ mounts: [["/", dist]] });
    const result = await jobInPage(browser, "/", label);
    expect(result.split?.team).toMatchObject({ threads: 2, difference: 0 });
    expect(result.split?.team?.splitKernels).toBeGreaterThan(0);
    expect(result.split?.pool).toEqual({ workers: 2, sharedMemory: true, difference: 0 });
  }

  /** Serves `dist` and checks the host jobs' results its page leaves (src/hosts.js). */
  async function hostsInChromium(dist: string): Promise<void> {
    await browser?.close();
    browser = await startBrowser({ mounts: [["/", dist]] });
    const page = await browser.open("/");
    await page.waitForFunction(() => (window as { consumerResult?: unknown }).consumerResult !== undefined, null, { timeout: 120_000 });
    expectHostBridges(await page.evaluate(() => (window as { consumerResult?: unknown }).consumerResult));
  }

  /** The emitted files, by extension. */
  function emitted(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => /\.(wasm|js)$/.test(f));
  }

  it("Vite: emits the four wasm builds and both workers; the page runs the job", async () => {
    const dir = freshProject("vite");
    const { stdout, stderr } = await run(process.execPath, [join(TOOLS, "vite/bin/vite.js"), "build"], { cwd: dir, timeout: 120_000 });
    expect(stderr, stdout).not.toMatch(/warn|error/i);
    const files = emitted(join(dir, "dist"));
    expect(files.filter((f) => f.endsWith(".wasm")).length, files.join(", ")).toBe(4);
    expect(files.filter((f) => /worker/.test(f)).length, files.join(", ")).toBe(2);
    await inChromium(join(dir, "dist"), "Vite build");
  });

  it("Vite: the host bridges in a page — wasm-rnn/tfjs under tfjs, wasm-rnn/brain beside brain.js's browser build", async () => {
    const dir = freshProject("vite-hosts");
    writeFileSync(join(dir, "index.html"), readFileSync(join(dir, "index.html"), "utf8").replace("/src/index.js", "/src/hosts.js"));
    const { stdout, stderr } = await run(process.execPath, [join(TOOLS, "vite/bin/vite.js"), "build"], { cwd: dir, timeout: 120_000 });
    // tfjs's size and brain.js's eval draw Vite's warnings; none may be about wasm-rnn.
    expect(`${stdout}${stderr}`).not.toMatch(/wasm-rnn/);
    await hostsInChromium(join(dir, "dist"));
  });

  it("Vite's dev server: the page runs the job (one thread: the dev server sends no isolation headers)", async () => {
    const dir = join(WORK, "vite");
    const port = await freePort();
    const server = spawn(process.execPath, [join(TOOLS, "vite/bin/vite.js"), "--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      // Colour (FORCE_COLOR in a CI's environment) would split "host:port" with escape codes.
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    });
    let log = "";
    const plain = () => log.replace(/\x1b\[[0-9;]*m/g, "");
    const ready = new Promise<void>((resolve) => server.stdout.on("data", (d) => ((log += d), plain().includes(`:${port}`) && resolve())));
    try {
      await Promise.race([ready, new Promise((_, reject) => setTimeout(() => reject(new Error(`vite did not start: ${log}`)), 30_000))]);
      await browser?.close();
      browser = await startBrowser({ mounts: [] });
      const result = await jobInPage(browser, `http://127.0.0.1:${port}/`, "Vite dev server");
      expect(result.split?.team).toMatchObject({ threads: 1, difference: 0 });
      expect(result.split?.pool).toEqual({ workers: 2, sharedMemory: false, difference: 0 });
    } finally {
      server.kill();
    }
  });

  it("webpack: builds without errors or warnings (no node: imports reach it) but its size hint; the page runs the job", async () => {
    const dir = freshProject("webpack");
    const { stdout } = await run(process.execPath, [join(CONSUMERS, "build-webpack.mjs")], { cwd: dir, timeout: 120_000 });
    // webpack's performance hints (an entry over 244 KiB) are advice, not a fault: the library with
    // its ONNX runtime is ~280 KiB minified. Any other warning fails, and the size is checked below.
    const { errors, warnings } = JSON.parse(stdout) as { errors: string[]; warnings: string[] };
    expect({ errors, warnings: warnings.filter((w) => !/^(asset size limit|entrypoint size limit|webpack performance recommendations)/.test(w)) }).toEqual({ errors: [], warnings: [] });
    expect(statSync(join(dir, "dist/main.js")).size).toBeLessThan(320 * 1024);
    const files = emitted(join(dir, "dist"));
    expect(files.filter((f) => f.endsWith(".wasm")).length, files.join(", ")).toBe(4);
    // webpack writes no page with its default configuration: the page a user would write.
    writeFileSync(join(dir, "dist/index.html"), readFileSync(join(dir, "index.html"), "utf8").replace(`<script type="module" src="/src/index.js"></script>`, `<script src="main.js"></script>`));
    await inChromium(join(dir, "dist"), "webpack build");
  });

  it("webpack: the host bridges in a page — wasm-rnn/tfjs under tfjs, wasm-rnn/brain beside brain.js's browser build", async () => {
    const dir = freshProject("webpack-hosts");
    cpSync(join(dir, "src/hosts.js"), join(dir, "src/index.js"));
    const { stdout } = await run(process.execPath, [join(CONSUMERS, "build-webpack.mjs")], { cwd: dir, timeout: 180_000 });
    // tfjs and brain.js draw webpack's size hints; any other warning must not be about wasm-rnn.
    const { errors, warnings } = JSON.parse(stdout) as { errors: string[]; warnings: string[] };
    const other = warnings.filter((w) => !/^(asset size limit|entrypoint size limit|webpack performance recommendations)/.test(w));
    expect({ errors, warnings: other.filter((w) => /wasm-rnn/.test(w)) }).toEqual({ errors: [], warnings: [] });
    writeFileSync(join(dir, "dist/index.html"), readFileSync(join(dir, "index.html"), "utf8").replace(`<script type="module" src="/src/index.js"></script>`, `<script src="main.js"></script>`));
    await hostsInChromium(join(dir, "dist"));
  });
});

describe("TypeScript consumers (tsc --strict, lib ES2022 and Node's types: no DOM; declarations checked)", () => {
  /** tsc in `dir` over `files` with a module/resolution pair; returns its diagnostics. */
  async function tsc(dir: string, files: string[], module: string, resolution: string, { lib = "es2022", skipLibCheck = false } = {}): Promise<string> {
    const options = ["--ignoreConfig", "--strict", "--noEmit", "--skipLibCheck", String(skipLibCheck), "--target", "es2022", "--lib", lib, "--types", "node", "--module", module, "--moduleResolution", resolution];
    try {
      await run(process.execPath, [TSC, ...options, ...files], { cwd: dir, timeout: 120_000 });
      return "";
    } catch (e) {
      return (e as { stdout?: string }).stdout || String(e);
    }
  }

  /** The value exports of each entry as this Node sees them at run time. */
  async function runtimeExports(): Promise<Record<string, string[]>> {
    const pkg = join(app, "node_modules/wasm-rnn");
    const names = async (file: string) => Object.keys(await import(pathToFileURL(join(pkg, file)).href)).sort();
    return {
      "node import": await names("dist/node.js"),
      "node require": Object.keys(createRequire(join(app, "package.json"))("wasm-rnn") as object).sort(),
      browser: await names("dist/browser/wasm-rnn.js"),
      inline: await names("dist/browser/wasm-rnn.inline.js"),
    };
  }

  it("every entry exports the same names at run time, and the types declare exactly those", async () => {
    const entries = await runtimeExports();
    for (const [entry, names] of Object.entries(entries)) expect(names, entry).toEqual(entries["node import"]);
    // The adapters' internal… exports (src/index.ts) are untyped on purpose; every other runtime name
    // missing from the types, and typed values missing at run time, are compile errors naming them.
    const names = JSON.stringify(entries["node import"].filter((name) => !/^internal[A-Z]/.test(name)));
    writeFileSync(
      join(app, "types/exports.ts"),
      `import * as main from "wasm-rnn";
import * as inline from "wasm-rnn/inline";
const names = ${names} as const;
type Name = (typeof names)[number];
export const untypedMain: [Exclude<Name, keyof typeof main>] extends [never] ? true : Exclude<Name, keyof typeof main> = true;
export const missingMain: [Exclude<keyof typeof main, Name>] extends [never] ? true : Exclude<keyof typeof main, Name> = true;
export const untypedInline: [Exclude<Name, keyof typeof inline>] extends [never] ? true : Exclude<Name, keyof typeof inline> = true;
export const missingInline: [Exclude<keyof typeof inline, Name>] extends [never] ? true : Exclude<keyof typeof inline, Name> = true;
`,
    );
    expect(await tsc(app, ["types/exports.ts"], "nodenext", "nodenext")).toBe("");
  });

  it("every declaration file the package ships compiles on its own (internal modules ship none)", async () => {
    const pkg = join(app, "node_modules/wasm-rnn");
    const declarations = readdirSync(join(pkg, "dist"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".d.ts"))
      .map((f) => relative(app, join(pkg, "dist", f)));
    expect(declarations).toContain("node_modules/wasm-rnn/dist/index.d.ts");
    expect(declarations).not.toContain("node_modules/wasm-rnn/dist/serving/host.d.ts");
    expect(await tsc(app, declarations, "nodenext", "nodenext")).toBe("");
  });

  for (const [module, resolution] of [["nodenext", "nodenext"], ["node16", "node16"], ["esnext", "bundler"]] as const) {
    it(`an ES module consumer compiles under ${resolution} resolution`, async () => {
      expect(await tsc(app, ["types/consumer.ts"], module, resolution)).toBe("");
    });
  }

  it("a CommonJS consumer (require) compiles under nodenext resolution", async () => {
    expect(await tsc(app, ["types/consumer.cts"], "nodenext", "nodenext")).toBe("");
  });

  it("the examples of README.md and docs/*.md compile with --strict against the packed types", async () => {
    const examples = packageExamples(documentationFiles(ROOT).flatMap(codeBlocks));
    expect(examples.length).toBeGreaterThanOrEqual(16);
    const files = examples.map((example) => {
      const file = `types/${example.name}.ts`;
      writeFileSync(join(app, file), example.code);
      return { file, code: example.code, page: example.page };
    });
    // Examples that import only wasm-rnn and Node's modules compile without the DOM; a page's module
    // script, and examples using other packages (tfjs, onnxruntime-web, vad-web), with it and without
    // checking declaration files (tfjs's own do not pass this TypeScript's checks; ours are checked by
    // the other group).
    const withDom = (f: { code: string; page: boolean }) => f.page || /^import\b[^;]*\bfrom "(?!wasm-rnn|node:)/m.test(f.code);
    const plain = files.filter((f) => !withDom(f)).map((f) => f.file);
    const withPackages = files.filter(withDom).map((f) => f.file);
    expect(await tsc(app, ["types/wasm-modules.d.ts", ...plain], "nodenext", "nodenext")).toBe("");
    expect(await tsc(app, withPackages, "nodenext", "nodenext", { lib: "es2022,dom", skipLibCheck: true })).toBe("");
  });
});
