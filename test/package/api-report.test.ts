// The public surface against its committed report (docs/api-report.md, written by
// scripts/api-report.mjs): the run-time exports of each entry and every declaration file the package
// ships. A change to the API fails here until the report is regenerated, so it shows as a diff.
// From dist/ (the built package).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiReport, REPORT } from "../../scripts/api-report.mjs";

describe("the API report", () => {
  it("matches the built package's surface (regenerate with `node scripts/api-report.mjs --write`)", async () => {
    const committed = readFileSync(REPORT, "utf8");
    const current = await apiReport();
    if (current !== committed) {
      const a = committed.split("\n"), b = current.split("\n");
      const at = b.findIndex((line, i) => line !== a[i]);
      expect.fail(`the API differs from docs/api-report.md from line ${at + 1}:\n  committed: ${a[at]}\n  built:     ${b[at]}\nRegenerate with \`node scripts/api-report.mjs --write\` and commit the diff (and say so in CHANGELOG.md).`);
    }
  });
});
