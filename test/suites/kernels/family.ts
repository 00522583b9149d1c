// What a kernel family is to the case driver (test/suites/kernel-cases.ts): its case table's rows, the
// check of one row on one thread (the fast kernels against their naive references, guard bytes checked
// after every call), and, for the families the thread team runs, the check of a row split over it.

import type { KernelCase } from "../../cases/kernel-table.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";

export interface KernelFamily<Row extends KernelCase = KernelCase> {
  /** The family's name, as its table's (test/cases/<name>.json). */
  name: string;
  rows: readonly Row[];
  /** Runs every kernel of the family the row drives, fails on the first result off its reference or
   *  on a changed guard byte, naming the kernel and the variant. */
  check(row: Row, kit: KernelKit): void;
  /** For the families the thread team runs: which rows it runs (their `threads` flag), and the check
   *  of one split over kit.extras.team, against one thread and the reference. */
  team?: { runs(row: Row): boolean; check(row: Row, kit: KernelKit): void };
}
