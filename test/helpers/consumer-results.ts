// What the consumer job (test/consumers/app/workload.js) returns, and how two runs are compared: the
// numbers to 1e-6 + 1e-5 relative (engines may lower relaxed SIMD's fused multiply-add differently:
// V8 fuses, JavaScriptCore may not), the sampled text and the flags exactly. The thread team's and
// the pool's own fields depend on where the job ran and are checked by the tests themselves.

import { expect } from "vitest";

interface Digest {
  sum: number;
  head: number[];
  length: number;
}

export interface ConsumerResult {
  relaxedSimd: boolean;
  sharedMemory: boolean;
  forward: { output: Digest; hN: Digest; cN: Digest };
  backward: { gradInput: Digest; gradH0: Digest; weightHh: Digest };
  losses: number[];
  sample: string;
  perplexity: number;
  checkpoint?: { sampleAgain: boolean };
  split?: {
    output: Digest;
    team?: { threads: number; splitKernels: number; difference: number };
    pool?: { workers: number; sharedMemory: boolean; difference: number };
  };
}

const ATOL = 1e-6;
const RTOL = 1e-5;

/** Fails naming the first value (by its path) of `actual` that differs from `expected`. */
function compare(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === "number") {
    expect(typeof actual, path).toBe("number");
    const difference = Math.abs((actual as number) - expected);
    expect(difference <= ATOL + RTOL * Math.abs(expected), `${path}: ${actual} vs ${expected}`).toBe(true);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length, `${path}: length`).toBe(expected.length);
    expected.forEach((e, i) => compare((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === "object") {
    for (const [key, value] of Object.entries(expected)) compare((actual as Record<string, unknown>)?.[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

/** The job's numbers of `actual` (from `label`) against the reference run's. */
export function compareResults(actual: ConsumerResult, reference: ConsumerResult, label: string): void {
  expect(actual.relaxedSimd, `${label}: relaxedSimd`).toBe(reference.relaxedSimd);
  for (const key of ["forward", "backward", "losses", "sample", "perplexity"] as const) compare(actual[key], reference[key], `${label}: ${key}`);
  if (actual.split && reference.split) compare(actual.split.output, reference.split.output, `${label}: split.output`);
}
