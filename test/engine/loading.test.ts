// Loading the wasm core, each case in a fresh Node process (one engine per realm) on the built
// package: a base URL that serves a page (a dev server's index.html) or bytes that are not wasm is a
// ResourceError naming the URL and what came back; `init({ module })` takes any of the four builds
// compiled by the host and reads its SIMD flavour and memory from it, and refuses what is not one.

import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const BUILD = fileURLToPath(new URL("../../build/", import.meta.url));
const run = promisify(execFile);

/** Runs `body` (an async function body with `lib` in scope) in a new process; returns what it returns, or `Name: message`. */
async function inFreshProcess(body: string): Promise<unknown> {
  const script = `
    const lib = await import(${JSON.stringify(ENTRY)});
    const { readFileSync } = await import("node:fs");
    const build = (name) => new WebAssembly.Module(readFileSync(${JSON.stringify(BUILD)} + name));
    try {
      console.log(JSON.stringify(await (async () => { ${body} })()));
    } catch (e) {
      console.log(JSON.stringify(e.name + ": " + e.message));
    }`;
  // Node 20 compiles relaxed SIMD only with V8's flag (the host compiles these modules, not the library).
  const flags = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];
  const { stdout } = await run(process.execPath, [...flags, "--input-type=module", "-e", script], { timeout: 30_000 });
  return JSON.parse(stdout);
}

/** Answers every path with `body` and `type`, as a dev server's fallback page would. */
let server: Server;
let base = "";
const routes = new Map<string, { type: string; body: Uint8Array | string }>([
  ["/page/", { type: "text/html", body: "<!doctype html>\n<html><head><title>app</title></head><body></body></html>\n" }],
  ["/garbage/", { type: "application/wasm", body: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff, 0xff]) }],
]);

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = [...routes].find(([prefix]) => request.url?.startsWith(prefix))?.[1];
    if (!route) return void response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": route.type }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("a wasm URL that serves something else", () => {
  it("a page (a dev server's index.html) is a ResourceError naming the URL, its content type and first bytes", async () => {
    const message = await inFreshProcess(`return lib.init({ wasmBaseUrl: "${base}/page/", threads: 1 });`);
    const page = routes.get("/page/")!.body as string;
    expect(message).toMatch(new RegExp(`^ResourceError: cannot load ${base}/page/threads(-relaxed)?\\.wasm: it is not WebAssembly: got text/html of ${page.length} bytes starting 3c 21 64 6f \\("<!doctype html> <html>`));
  });

  it("bytes served as application/wasm that do not compile are a ResourceError naming the URL", async () => {
    const message = await inFreshProcess(`return lib.init({ wasmBaseUrl: "${base}/garbage/", sharedMemory: false, simd: "plain", threads: 1 });`);
    expect(message).toMatch(new RegExp(`^ResourceError: cannot load ${base}/garbage/release\\.wasm: .*(Compile|compil)`));
  });

  it("nothing at the URL is a ResourceError naming it and the status", async () => {
    const message = await inFreshProcess(`return lib.init({ wasmBaseUrl: "${base}/nowhere/", threads: 1 });`);
    expect(message).toMatch(new RegExp(`^ResourceError: cannot load ${base}/nowhere/threads(-relaxed)?\\.wasm: HTTP 404`));
  });
});

describe("init({ module }): a core the host compiled", () => {
  for (const [file, relaxedSimd, sharedMemory] of [["release.wasm", false, false], ["relaxed.wasm", true, false], ["threads.wasm", false, true], ["threads-relaxed.wasm", true, true]] as const) {
    it(`${file}: the engine runs on it, with its flavour and memory`, async () => {
      const outcome = await inFreshProcess(`
        const info = await lib.init({ module: build("${file}"), threads: 1 });
        const lstm = new lib.LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
        const { output } = lstm.forward(lib.tensor([0.5, -0.25, 1, 0], [2, 1, 2]));
        return { relaxedSimd: info.relaxedSimd, sharedMemory: info.sharedMemory, finite: output.data.every(Number.isFinite), length: output.data.length };`);
      expect(outcome).toEqual({ relaxedSimd, sharedMemory, finite: true, length: 6 });
    });
  }

  it("the same numbers as the build the engine picks itself", async () => {
    const job = `
      const lstm = new lib.LSTM({ inputSize: 4, hiddenSize: 8, seed: 2 });
      return Array.from(lstm.forward(lib.tensor(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [3, 2, 4])).output.data);`;
    const picked = await inFreshProcess(`await lib.init({ simd: "relaxed", sharedMemory: false, threads: 1 }); ${job}`);
    const given = await inFreshProcess(`await lib.init({ module: build("relaxed.wasm"), threads: 1 }); ${job}`);
    expect(given).toEqual(picked);
  });

  it("refuses what is not a build of this library with a ShapeError, and the engine can still start", async () => {
    expect(await inFreshProcess(`return lib.init({ module: new Uint8Array(8) });`)).toMatch(/^ShapeError: init: module must be a WebAssembly.Module/);
    const empty = "new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))";
    expect(await inFreshProcess(`return lib.init({ module: ${empty} });`)).toMatch(/^ShapeError: init: module is not a build of this version of wasm-rnn/);
    const after = await inFreshProcess(`
      await lib.init({ module: ${empty} }).catch(() => undefined);
      return (await lib.init({ threads: 1 })).simd;`);
    expect(after).toBe(true);
  });
});
