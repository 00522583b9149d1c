// vitest global setup: finds (or unpacks, once) the Chromium the browser tests start, before any test
// file runs, and hands its path to every test process in $CHROMIUM — so parallel test files never
// unpack it at the same time.

import { chromiumPath } from "../../scripts/chromium.mjs";

export default async function setup(): Promise<void> {
  process.env.CHROMIUM = await chromiumPath();
}
