// The speed targets of wasm-rnn (single thread, ratio = peer median ms / our median ms) and their
// evaluation against one suite's measurements. A miss is reported, never fatal.

export const TARGETS = [
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
    for (const id of target.workloads) {
      const row = rows.find((r) => r.workload.id === id);
      const ratio = row?.ratios[target.peer];
      if (ratio === undefined) continue;
      out.push({ id, peer: target.peer, wanted: target.ratio, ratio, pass: ratio >= target.ratio });
    }
  }
  return out;
}
