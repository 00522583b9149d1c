// Text formatting of the benchmark's results: the per-workload table (median ms, GFLOP/s, and the
// ratio peer ms / our ms), the language model's tokens/s, the agreement lines, the sgemm lines and the
// target verdicts.

import { isLanguageModel, tokens } from "./workloads.js";

const AGREE = 1e-4;

function pad(text, width, left = false) {
  return left ? String(text).padEnd(width) : String(text).padStart(width);
}

function fixed(x, digits) {
  return x === undefined ? "—" : x.toFixed(digits);
}

/** rows: [{ workload, gflop, times: { peer: { ms } }, ratios: { peer: x } }]; peers in column order, ours first. */
export function formatTable(rows, peers) {
  const titleWidth = Math.max(...rows.map((r) => `${r.workload.id} ${r.workload.title}`.length));
  const width = (p) => Math.max(12, `${p} ms`.length);
  const head = [pad("workload", titleWidth, true), pad("GFLOP", 6)];
  for (const p of peers) head.push(`| ${pad(`${p} ms`, width(p))} ${pad("GFLOP/s", 7)}${p === "ours" ? "" : ` ${pad("ratio", 7)}`}`);
  const header = head.join(" ");
  const lines = [header, "-".repeat(header.length)];
  for (const r of rows) {
    const cells = [pad(`${r.workload.id} ${r.workload.title}`, titleWidth, true), pad(r.gflop.toFixed(3), 6)];
    for (const p of peers) {
      const t = r.times[p];
      const ratio = r.ratios[p] === undefined ? "—" : `${r.ratios[p].toFixed(2)}×`;
      cells.push(`| ${pad(fixed(t?.ms, 2), width(p))} ${pad(t ? (r.gflop / t.ms * 1e3).toFixed(1) : "—", 7)}${p === "ours" ? "" : ` ${pad(ratio, 7)}`}`);
    }
    lines.push(cells.join(" "));
  }
  return lines.join("\n");
}

/** One line per language-model workload: ms per training step and tokens (T·B) per second, per peer. */
export function formatThroughput(rows) {
  return rows
    .filter((r) => isLanguageModel(r.workload))
    .map((r) => {
      const n = tokens(r.workload);
      const parts = Object.entries(r.times).map(([peer, t]) => `${peer} ${t.ms.toFixed(2)} ms/step = ${Math.round((n / t.ms) * 1e3)} tokens/s`);
      return `  ${r.workload.id} (${n} tokens per step): ${parts.join("; ")}`;
    })
    .join("\n");
}

/** Why peers left workloads out ("—" cells), one line per reason: "  ort-node int8, ort-web int8: W3, W5 — reason". */
export function formatUnsupported(rows) {
  const byReason = new Map();
  for (const r of rows) {
    for (const [peer, reason] of Object.entries(r.unsupported ?? {})) {
      if (!byReason.has(reason)) byReason.set(reason, { peers: new Set(), workloads: new Set() });
      byReason.get(reason).peers.add(peer);
      byReason.get(reason).workloads.add(r.workload.id);
    }
  }
  return [...byReason].map(([reason, { peers, workloads }]) => `  ${[...peers].join(", ")}: ${[...workloads].join(", ")} — ${reason}`).join("\n");
}

/** One line per workload: max |Δ| of each peer's results against ours (MISMATCH above the peer's
 *  tolerance, 1e-4 unless the row's `tolerances` says otherwise). */
export function formatAgreement(rows) {
  return rows
    .map((r) => {
      const parts = Object.entries(r.checks).map(([peer, c]) => {
        if (typeof c === "string") return `${peer} ${c}`;
        if (c === null) return `${peer} not compared (no result)`;
        const tolerance = r.tolerances?.[peer] ?? AGREE;
        return `${peer} ${c.toExponential(1)}${c > tolerance ? " MISMATCH" : ""}`;
      });
      return `  ${r.workload.id}: ${parts.length ? parts.join(", ") : "— (no other peer ran it)"}`;
    })
    .join("\n");
}

export function formatSgemm(rates) {
  return rates
    .map((s) => `  [${s.M}×${s.K}]·[${s.K}×${s.N}]: ${s.gflops.toFixed(1)} GFLOP/s (${s.ms.toFixed(3)} ms; spot-check max |Δ| ${s.maxError.toExponential(1)})`)
    .join("\n");
}

export function formatTargets(verdicts) {
  if (verdicts.length === 0) return "  (no target among the workloads and peers of this run)";
  const passed = verdicts.filter((v) => v.pass).length;
  const lines = verdicts.map(
    (v) => `  ${v.pass ? "PASS" : "FAIL"}  ${v.id} ${pad(v.versus, 9, true)} vs ${pad(v.peer, 8, true)} ≥ ${v.wanted.toFixed(1)}×: ${v.ratio.toFixed(2)}×`,
  );
  return `${lines.join("\n")}\n  ${passed} of ${verdicts.length} targets met`;
}

export function formatColdStarts(starts) {
  return Object.entries(starts)
    .map(([peer, s]) => `  ${pad(peer, 8, true)} ${s.ms.toFixed(1)} ms (runs: ${s.samples.map((x) => x.toFixed(0)).join(", ")})`)
    .join("\n");
}

export function formatSizes(sizes) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const width = Math.max(...sizes.map((s) => s.label.length));
  return sizes.map((s) => `  ${pad(s.label, width, true)}  ${pad(kib(s.raw), 12)} raw  ${pad(kib(s.gzip), 11)} gzip`).join("\n");
}
