// BatchPayoff, the servers' measured choice between running calls as one batch and running them
// alone, on given timings: only warm runs count (not a bucket's first, not the first after a switch
// between lone calls and batches); a batch pays until both ways have three counted runs, then only
// while its median time per call is at most 0.9 of a lone call's, per batch-size bucket; two
// verdicts in a row now and then go the other way (in every 6 while unsettled, every 20 after) so
// both measures fill and stay fresh.

import { describe, expect, it } from "vitest";
import { BatchPayoff } from "../../src/serving/batch-payoff.js";

/** Asks `payoff` about batches of n `count` times, as a server does (a "no" runs one call alone, then
 *  it asks again), noting `ms` per call for the way it chose; returns the verdicts. */
function serve(payoff: BatchPayoff, n: number, count: number, ms: { lone: number; batched: number }): boolean[] {
  return Array.from({ length: count }, () => {
    const batch = payoff.pays(n);
    payoff.note(batch ? n : 1, batch ? ms.batched : ms.lone);
    return batch;
  });
}

describe("BatchPayoff", () => {
  it("keeps batching where a batch takes at most 0.9 of a lone call's time per call, and stops where it takes more", () => {
    const cheap = new BatchPayoff();
    const verdicts = serve(cheap, 8, 200, { lone: 1, batched: 0.5 });
    expect(verdicts.slice(0, 6)).toEqual([true, true, true, true, false, false]); // the 5th and 6th explore: lone calls get measured
    expect(verdicts.slice(40).filter((v) => !v).length).toBe(16); // settled: alone only twice in every 20
    expect(cheap.measured()).toEqual([{ size: 1, msPerCall: 1, runs: expect.any(Number) }, { size: 8, msPerCall: 0.5, runs: expect.any(Number) }]);

    const dear = new BatchPayoff();
    const later = serve(dear, 8, 200, { lone: 1, batched: 0.95 }).slice(40);
    expect(later.filter((v) => v).length).toBe(16); // 0.95 > 0.9: alone, batches only twice in every 20
    expect(dear.measuredPays(8)).toBe(false);
  });

  it("counts only warm runs: not a bucket's first, not the first after a switch; says nothing against batches until each way has three; buckets sizes by powers of two; never batches one call", () => {
    const payoff = new BatchPayoff();
    payoff.note(1, 50); // cold: not counted
    payoff.note(1, 1);
    payoff.note(1, 1);
    payoff.note(4, 90); // cold
    payoff.note(4, 5);
    payoff.note(3, 5);
    expect(payoff.measuredPays(4)).toBe(true); // each way: 2 counted runs
    payoff.note(1, 7); // right after a batch: not counted
    payoff.note(1, 1);
    expect(payoff.measuredPays(4)).toBe(true); // batches of 3–4: still 2
    payoff.note(4, 9); // right after a lone call: not counted
    payoff.note(4, 5);
    expect(payoff.measuredPays(3)).toBe(false);
    expect(payoff.measured()).toEqual([{ size: 1, msPerCall: 1, runs: 3 }, { size: 4, msPerCall: 5, runs: 3 }]);
    expect(payoff.measuredPays(5)).toBe(true); // 5–8: not measured
    expect(payoff.pays(1)).toBe(false);
  });

  it("takes the median of the last seven runs: one slow run does not sway it", () => {
    const payoff = new BatchPayoff();
    for (const ms of [0, 1, 1, 1, 1, 40, 1]) payoff.note(1, ms);
    for (const ms of [0, 0.95, 0.95, 0.95]) payoff.note(2, ms);
    expect(payoff.measuredPays(2)).toBe(false); // by a mean (7.5 ms alone) it would have paid
    expect(payoff.measured()[0].msPerCall).toBe(1);
  });

  it("follows a load that changes: only recent runs count", () => {
    const payoff = new BatchPayoff();
    serve(payoff, 4, 100, { lone: 1, batched: 2 });
    expect(payoff.measuredPays(4)).toBe(false);
    const after = serve(payoff, 4, 300, { lone: 1, batched: 0.3 }); // batches got cheap (longer texts, say)
    expect(payoff.measuredPays(4)).toBe(true);
    expect(after.slice(-100).filter((v) => v).length).toBe(90); // batched again, alone twice in every 20
  });
});
