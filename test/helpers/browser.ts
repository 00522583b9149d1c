// Real headless Chromium for the browser tests ($CHROMIUM, Debian's /usr/bin/chromium, or the npm
// package's: scripts/chromium.mjs) driven by playwright-core, each run with a fresh profile and the
// flags that keep it off this machine's closed network; the demo server (isolated or not) on a free port; and a record of every console error and
// uncaught exception of each page, which the tests assert is empty.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_FLAGS, chromiumPath } from "../../scripts/chromium.mjs";
import { startServer } from "../../web/server.js";

export interface BrowserSession {
  context: BrowserContext;
  /** The demo server's base URL (ends in '/'). */
  url: string;
  /** Opens a page whose console errors and uncaught exceptions go to `problems`. */
  open(path: string): Promise<Page>;
  /** Console errors and page errors seen so far, as "path: text". */
  problems: string[];
  /** Console warnings seen so far. */
  warnings: string[];
  close(): Promise<void>;
}

/** Starts the demo server (cross-origin isolated unless `isolated: false`; another site with `mounts`:
 *  URL prefix → directory) and Chromium (with `args` besides the usual flags). */
export async function startBrowser({ isolated = true, mounts, args = [] }: { isolated?: boolean; mounts?: [string, string][]; args?: string[] } = {}): Promise<BrowserSession> {
  const server = await startServer({ port: 0, isolated, mounts });
  const profile = mkdtempSync(join(tmpdir(), "wasm-rnn-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: await chromiumPath(), headless: true, args: [...CHROMIUM_FLAGS, ...args], viewport: { width: 1100, height: 900 } });
  const problems: string[] = [];
  const warnings: string[] = [];
  return {
    context,
    url: server.url,
    problems,
    warnings,
    async open(path: string) {
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`${path}: console error: ${message.text()}`);
        if (message.type() === "warning") warnings.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(`${path}: uncaught ${error.name}: ${error.message}`));
      await page.goto(new URL(path, server.url).href);
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
