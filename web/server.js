// @ts-check
// The demo's static file server (`npm run demo`; the browser tests start it too). Serves the demo
// pages from web/, the library as its package lays it out (the browser bundles of dist/browser/ at
// /wasm-rnn/dist/browser/, the wasm they find at ../../build/ at /wasm-rnn/build/) and the built demo
// scripts from dist/web/ at /app/, onnxruntime-web, vad-web's Silero models and the test speech for
// the voice-activity panel, with the cross-origin isolation headers (COOP/COEP) that give pages
// SharedArrayBuffer, so the worker pool shares one wasm memory; `--no-isolation` leaves them out
// (the pool then falls back to per-worker copies).
//   node web/server.js [--port 8080] [--host 127.0.0.1] [--no-isolation]

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The demo's mounts: URL prefix → directory; the first match wins. */
const DEMO_MOUNTS = [
  ["/wasm-rnn/dist/browser/", join(ROOT, "dist/browser")],
  ["/wasm-rnn/build/", join(ROOT, "build")],
  ["/app/", join(ROOT, "dist/web")],
  // The voice-activity panel's peers and data: onnxruntime-web, Silero VAD as vad-web ships it, the test speech.
  ["/ort/", join(ROOT, "node_modules/onnxruntime-web/dist")],
  ["/vad-web/", join(ROOT, "node_modules/@ricky0123/vad-web/dist")],
  ["/audio/", join(ROOT, "test/fixtures/speech")],
  ["/", join(ROOT, "web")],
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".safetensors": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".onnx": "application/octet-stream",
  ".wav": "audio/wav",
};

/** The file a URL path names, or null when it is outside every mount. */
function fileFor(mounts, pathname) {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    const file = resolve(dir, normalize(`.${sep}${decodeURIComponent(pathname.slice(prefix.length))}`));
    return file === dir || file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/**
 * Starts the server; resolves when it listens. `mounts` (URL prefix → directory) serve another site
 * than the demo (the consumer tests serve a bundler's output).
 * @param {{ port?: number, host?: string, isolated?: boolean, mounts?: [string, string][] }} options  port 0 picks a free one
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export function startServer({ port = 8080, host = "127.0.0.1", isolated = true, mounts = DEMO_MOUNTS } = {}) {
  const server = createServer(async (request, response) => {
    const headers = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
    if (isolated) Object.assign(headers, { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cross-Origin-Resource-Policy": "same-origin" });
    const fail = (status, text) => response.writeHead(status, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end(`${text}\n`);
    if (request.method !== "GET" && request.method !== "HEAD") return fail(405, "method not allowed");
    let pathname;
    try {
      pathname = new URL(request.url ?? "/", "http://localhost").pathname;
      if (pathname.endsWith("/")) pathname += "index.html";
    } catch {
      return fail(400, "bad request");
    }
    let file;
    try {
      file = fileFor(mounts, pathname);
    } catch {
      return fail(400, "bad request"); // a malformed %-escape
    }
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile()) return fail(404, `not found: ${pathname}`);
    response.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": info.size });
    if (request.method === "HEAD") return response.end();
    createReadStream(file).on("error", () => response.destroy()).pipe(response);
  });
  return new Promise((done, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      done({
        url: `http://${host === "0.0.0.0" ? "localhost" : host}:${actual}/`,
        close: () =>
          new Promise((closed) => {
            server.close(() => closed());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "8080" }, host: { type: "string", default: "127.0.0.1" }, "no-isolation": { type: "boolean", default: false } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer from 0 to 65535; got ${values.port}`);
    process.exit(2);
  }
  const { url } = await startServer({ port, host: values.host, isolated: !values["no-isolation"] });
  console.log(`wasm-rnn demo: ${url}  (${values["no-isolation"] ? "not cross-origin isolated" : "cross-origin isolated: shared memory for workers"}; Ctrl-C stops)`);
}
