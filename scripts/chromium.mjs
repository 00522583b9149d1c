// Which Chromium the browser tests and the browser benchmark start, and the flags that keep it off
// this machine's closed network. In order: $CHROMIUM, Debian's /usr/bin/chromium when installed, else
// the binary the npm package @sparticuz/chromium ships (a devDependency), unpacked once into
// node_modules/.cache — so `npm install && npm test` needs nothing outside the npm registry.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/** The Chromium binary to start (unpacking the npm package's on first use). */
export async function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  return unpackNpmChromium();
}

/** Unpacks @sparticuz/chromium's brotli-compressed binary into node_modules/.cache/wasm-rnn/
 *  chromium-<version>/. The package unpacks into os.tmpdir(), so TMPDIR points at a private folder
 *  for the call, which is renamed into place when whole: a run killed half-way, or two processes
 *  unpacking at once, never leave a truncated binary where the next run would start it. */
async function unpackNpmChromium() {
  const require = createRequire(join(ROOT, "package.json"));
  const packageDir = dirname(dirname(require.resolve("@sparticuz/chromium")));
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const cache = join(ROOT, "node_modules/.cache/wasm-rnn");
  const target = join(cache, `chromium-${version}`);
  const binary = join(target, "chromium");
  if (existsSync(binary)) return binary;
  const partial = join(cache, `.chromium-${version}-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const { default: npmChromium } = await import("@sparticuz/chromium");
  const savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = partial;
  try {
    await npmChromium.executablePath(join(packageDir, "bin"));
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
  try {
    renameSync(partial, target);
  } catch (error) {
    // Another process finished first: keep its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}
