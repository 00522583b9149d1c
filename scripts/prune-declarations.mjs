// Keeps in dist/ only the declaration files the package's types reach: starting from each "types"
// entry of package.json, it follows every relative import, export and import() type of the emitted
// .d.ts files and removes the others. tsc emits a .d.ts for every module, and those of internal
// modules name types that stripInternal has removed from their own files; shipped, they would only
// show consumers the internals (and not compile on their own). The .js files all stay.

import { readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

/** Every "types" path in package.json (top level and in the exports map), absolute. */
function typeEntries() {
  const entries = new Set();
  const visit = (value, key) => {
    if (typeof value === "string") {
      if (key === "types") entries.add(resolve(root, value));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(JSON.parse(readFileSync(join(root, "package.json"), "utf8")));
  return [...entries];
}

/** The declaration files `file` refers to by relative specifier ("./x.js" → x.d.ts). */
function references(file) {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, ".d.ts")));
}

const reached = new Set();
const pending = typeEntries();
while (pending.length > 0) {
  const file = pending.pop();
  if (reached.has(file)) continue;
  reached.add(file);
  pending.push(...references(file));
}

let removed = 0;
for (const name of readdirSync(dist, { recursive: true, encoding: "utf8" })) {
  const file = join(dist, name);
  if (name.endsWith(".d.ts") && !reached.has(file)) {
    rmSync(file);
    removed += 1;
  }
}
console.log(`declarations: ${reached.size} kept, ${removed} internal removed`);
