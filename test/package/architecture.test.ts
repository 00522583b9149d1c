// The layers of src/ (docs/ARCHITECTURE.md): every import — type-only, re-export and dynamic ones
// included — goes from a folder (or a file at src/'s top) to one listed below it, so there is no
// cycle between folders. Read from the import statements themselves; a new folder must be placed in
// the list.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Bottom to top: each may import only those before it. */
const LAYERS = ["errors", "tensor", "validate", "random", "platform", "engine", "layers", "text", "models", "io", "train", "serving", "cli", "index", "adapters", "node"];

/** A folder of src/, or a file at its top without its extension. */
function unitOf(path: string): string {
  return path.includes("/") ? path.split("/")[0] : path.replace(/\.[jt]s$/, "");
}

interface Import {
  from: string;
  to: string;
  line: string;
}

/** Every relative import of every module of src/ that leaves its own folder. */
function imports(): Import[] {
  const found: Import[] = [];
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  for (const file of files) {
    const text = readFileSync(join(SRC, file), "utf8");
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"(\.[^"]+)"|\bimport\(\s*"(\.[^"]+)"\s*\)/g)) {
      const target = normalize(join(dirname(file), match[1] ?? match[2]));
      if (target.startsWith("..")) continue; // outside src/ (the wasm files the inline bundle embeds)
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from !== to) found.push({ from, to, line: `src/${file}: ${match[0].trim().split("\n").at(-1)}` });
    }
  }
  return found;
}

describe("architecture", () => {
  const all = imports();

  it("reads the imports (the check is not vacuous)", () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((i) => i.from === "layers" && i.to === "engine")).toBe(true);
  });

  it("every folder and top-level file of src/ has its place in the layers", () => {
    const units = new Set(all.flatMap((i) => [i.from, i.to]));
    expect([...units].filter((u) => !LAYERS.includes(u))).toEqual([]);
  });

  it("imports only go down the layers, so no two folders import each other", () => {
    const upward = all.filter((i) => LAYERS.indexOf(i.to) > LAYERS.indexOf(i.from)).map((i) => `${i.from} → ${i.to}  (${i.line})`);
    expect(upward).toEqual([]);
  });
});
