// Human-written dates and their ISO form (YYYY-MM-DD): the date-normalisation task of the seq2seq
// tests and of the demo's pretrained model. Run directly, it prints `count` pairs as TSV:
//   node scripts/date-pairs.mjs COUNT SEED > pairs.tsv

import { resolve } from "node:path";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * Dates from 1950–2049 written ten ways (half of them lower-cased) → YYYY-MM-DD.
 * @param {number} count
 * @param {{ below(n: number): number }} random  a seeded source of integers in [0, n)
 * @returns {{ source: string, target: string }[]}
 */
export function datePairs(count, random) {
  const pad = (n) => String(n).padStart(2, "0");
  return Array.from({ length: count }, () => {
    const d = new Date(Date.UTC(1950, 0, 1) + random.below(36525) * 86_400_000);
    const Y = d.getUTCFullYear(), M = d.getUTCMonth(), D = d.getUTCDate(), W = d.getUTCDay();
    const month = MONTHS[M], short = month.slice(0, 3), weekday = WEEKDAYS[W];
    const written = [
      `${month} ${D}, ${Y}`, `${D} ${month} ${Y}`, `${short} ${D} ${Y}`, `${M + 1}/${D}/${Y}`, `${pad(M + 1)}/${pad(D)}/${Y}`,
      `${D}.${M + 1}.${Y}`, `${weekday}, ${month} ${D}, ${Y}`, `${weekday.slice(0, 3)} ${D} ${short} ${Y}`, `${Y}/${M + 1}/${D}`,
      `the ${D} of ${month}, ${Y}`,
    ][random.below(10)];
    return { source: random.below(2) ? written.toLowerCase() : written, target: `${Y}-${pad(M + 1)}-${pad(D)}` };
  });
}

if (process.argv[1] && new URL(import.meta.url).pathname === resolve(process.argv[1])) {
  const { Random } = await import("../dist/index.js");
  const [count, seed] = process.argv.slice(2).map(Number);
  for (const p of datePairs(count || 12_000, new Random(seed || 1))) process.stdout.write(`${p.source}\t${p.target}\n`);
}
