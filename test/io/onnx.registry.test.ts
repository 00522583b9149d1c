// The ONNX operator registry (io/onnx/ops/registry.ts) is the one list of what sessions run: the
// operator table in docs/real-models.md names exactly its operators, per domain, so neither can
// change without the other.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FUSED_DOMAIN } from "../../src/io/onnx/ops/quantized-matmul.js";
import { OPERATORS } from "../../src/io/onnx/ops/registry.js";

/** The operators the docs' table names, by domain ("" the default): each row's names, their
 *  parenthesised notes dropped, "com.microsoft X" in that domain. */
function documentedOperators(): Map<string, string[]> {
  const text = readFileSync(new URL("../../docs/real-models.md", import.meta.url), "utf8");
  const table = text.slice(text.indexOf("| family | operators |")).split("\n\n")[0].split("\n").slice(2);
  const byDomain = new Map<string, string[]>();
  for (const row of table) {
    const cell = row.split("|")[2];
    let depth = 0, plain = "";
    for (const ch of cell) {
      if (ch === "(") depth++;
      else if (ch === ")") depth--;
      else if (depth === 0) plain += ch;
    }
    for (const item of plain.split(",").map((s) => s.trim()).filter(Boolean)) {
      const [domain, name] = item.includes(" ") ? item.split(" ") : ["", item];
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), name]);
    }
  }
  return byDomain;
}

describe("the ONNX operator registry", () => {
  it("docs/real-models.md's table lists exactly the operators sessions run, per public domain", () => {
    const documented = documentedOperators();
    const registered = [...OPERATORS].filter(([domain]) => domain !== FUSED_DOMAIN); // fusion's own nodes are not a model's
    expect([...documented.keys()].sort()).toEqual(registered.map(([domain]) => domain).sort());
    for (const [domain, ops] of registered) expect([...documented.get(domain)!].sort(), `domain "${domain}"`).toEqual([...ops.keys()].sort());
  });
});
