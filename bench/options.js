// Command-line options of the suite (`node suite.js [auto|plain] [--only …] [--peers …] [--int8 …]`),
// which bench.js passes through to every suite it starts. A filtered run (--only / --peers) is for
// short checks: its figures are not a full run's.

import { WORKLOADS } from "./workloads.js";
import { QUANTIZATIONS } from "../scripts/onnx-quantize.mjs";

/** Peer names compared loosely: case and spaces/dashes/underscores do not matter ("ort-node int8" = "ort-node-int8"). */
export function peerKey(name) {
  return name.toLowerCase().replace(/[\s_-]+/g, "-");
}

function list(value, flag) {
  if (!value || value.startsWith("--")) throw new Error(`bench: ${flag} needs a comma-separated list`);
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Flags that take a value and are passed from bench.js to suite.js unchanged. */
export const SUITE_FLAGS = ["--only", "--peers", "--int8"];

/**
 * { simd, only: Set of workload ids and/or "sgemm" | null, peers: Set of peer keys | null, int8 }.
 * --only W1,W2[,sgemm]   run these workloads (and our sgemm rates only when "sgemm" is listed)
 * --peers ort-node,ort-node-int8   run only these peers besides ours (ours is the reference, always run)
 * --int8 per-tensor|per-channel    weight quantization of the int8 ONNX Runtime peers (default per-tensor)
 */
export function parseSuiteOptions(argv) {
  const options = { simd: "auto", only: null, peers: null, int8: "per-tensor" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--only") {
      options.only = new Set(list(argv[++i], arg).map((s) => (s.toLowerCase() === "sgemm" ? "sgemm" : s.toUpperCase())));
      const unknown = [...options.only].filter((id) => id !== "sgemm" && !WORKLOADS.some((w) => w.id === id));
      if (unknown.length) throw new Error(`bench: unknown workload ${unknown.join(", ")} (known: ${WORKLOADS.map((w) => w.id).join(", ")}, sgemm)`);
    } else if (arg === "--peers") {
      options.peers = new Set(list(argv[++i], arg).map(peerKey));
    } else if (arg === "--int8") {
      options.int8 = argv[++i];
      if (!QUANTIZATIONS.includes(options.int8)) throw new Error(`bench: --int8 takes ${QUANTIZATIONS.join(" or ")}`);
    } else if (arg === "auto" || arg === "plain" || arg === "relaxed") {
      options.simd = arg;
    } else {
      throw new Error(`bench: unknown argument ${arg}`);
    }
  }
  return options;
}
