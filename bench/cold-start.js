// Cold start: the median over fresh `node` processes (cold-start-child.js) of the time from loading
// a library to its first W1 result, for ours and for onnxruntime-web.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./timing.js";

const CHILD = fileURLToPath(new URL("./cold-start-child.js", import.meta.url));

/** { peer: { ms, samples } } over `processes` fresh processes each. */
export function coldStarts(peers = ["ours", "ort-web"], processes = 5) {
  const out = {};
  for (const peer of peers) {
    const samples = [];
    for (let i = 0; i < processes; i++) samples.push(JSON.parse(execFileSync(process.execPath, [CHILD, peer], { encoding: "utf8" })).ms);
    out[peer] = { ms: median(samples), samples };
  }
  return out;
}
