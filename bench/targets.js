// The speed targets of wasm-rnn (single thread, ratio = peer median ms / our median ms, or against
// `versus` when it is not our float32 column) and their evaluation against one suite's measurements.
// `minNode`: the target holds from that Node major on (the int8 path's speed depends on V8's
// lowering of the relaxed dot). A miss is reported, never fatal.

const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

export const TARGETS = [
  { peer: "ours", versus: "ours int8", workloads: ["W1", "W2", "W4"], ratio: 1.5 },
  { peer: "ours", versus: "ours int8", workloads: ["W2", "W4"], ratio: 2.5, minNode: 26 },
  { peer: "ort-node", versus: "ours int8", workloads: ["W2"], ratio: 1.0, minNode: 26 },
  { peer: "ort-web", workloads: ["W1"], ratio: 1.0 },
  { peer: "ort-web", workloads: ["W2", "W3", "W4"], ratio: 1.5 },
  { peer: "ort-web", workloads: ["W5"], ratio: 2.0 },
  { peer: "tfjs", workloads: ["W1", "W2", "W3", "W4", "W5", "W7"], ratio: 5.0 },
  { peer: "tfjs", workloads: ["W6"], ratio: 15.0 },
];

/** [{ id, peer, wanted, ratio, pass }] for every target whose workload and peer were measured. */
export function evaluateTargets(rows) {
  const out = [];
  for (const target of TARGETS) {
    if (target.minNode && NODE_MAJOR < target.minNode) continue;
    for (const id of target.workloads) {
      const times = rows.find((r) => r.workload.id === id)?.times;
      const versus = target.versus ?? "ours";
      if (!times?.[target.peer] || !times[versus]) continue;
      const ratio = times[target.peer].ms / times[versus].ms;
      out.push({ id, peer: target.peer, versus, wanted: target.ratio, ratio, pass: ratio >= target.ratio });
    }
  }
  return out;
}
