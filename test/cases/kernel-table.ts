// Reading a kernel family's case table (test/cases/<family>.json: a JSON array, one row per line, so
// adding a case is adding a line), and the fields every kernel row has. The rows are data: the checks
// that run them are test/suites/kernels/<family>.ts, the benchmark that times them bench/kernels.js.

import { readFileSync } from "node:fs";
import { Random } from "../../src/random.js";

/** What every row of a kernel case table has. */
export interface KernelCase {
  /** The row's name (unique in its table; the benchmark selects rows by a part of it). */
  name: string;
  /** Seeds the row's operands (the same on every run). */
  seed: number;
  /** The benchmark (bench/kernels.js) times the row with its sizes multiplied by this; rows without
   *  one are not timed. */
  benchScale?: number;
}

/** The rows of test/cases/<family>.json. */
export function readCaseTable<Row extends KernelCase>(family: string): readonly Row[] {
  const rows: Row[] = JSON.parse(readFileSync(new URL(`./${family}.json`, import.meta.url), "utf8"));
  const names = new Set<string>();
  for (const row of rows) {
    if (names.has(row.name)) throw new Error(`test/cases/${family}.json: two rows are named ${row.name}`);
    names.add(row.name);
  }
  return rows;
}

/** A row's operand stream: n floats uniform in (−scale, scale) at a time, in a fixed order. */
export function operandStream(seed: number): (n: number, scale?: number) => Float32Array {
  const random = new Random(seed);
  return (n, scale = 0.5) => random.uniformArray(n, -scale, scale);
}
