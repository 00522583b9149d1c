// The barrier the parts of a split kernel meet at: an i32 counter in shared memory, spun on and then
// slept on (atomic.wait) where this instance may sleep, failing the call if a peer never arrives.

/** Spins before sleeping at a barrier: a step's work is tens of microseconds, so a peer that is
 *  running arrives within a spin; one that was descheduled (a busy machine) is waited for asleep. */
const BARRIER_SPINS: i32 = 1 << 16;
/** Sleeps of 1 ms without progress before failing a barrier: a peer that died must not hang this
 *  thread forever, and one that is only slow (an oversubscribed machine) must not fail the call. */
const BARRIER_SLEEPS: i32 = 10_000;
/** Spins before failing a barrier where sleeping is not allowed (about as long as the sleeps). */
const BARRIER_SPIN_LIMIT: i64 = 20_000_000_000;

/** Whether this instance may sleep in atomic.wait: not on a browser's main thread, which may only spin. */
let blockingWaits = true;

/** Sets whether barriers of this instance may sleep (the engine clears it on a browser's main thread). */
export function setBlockingWaits(on: i32): void {
  blockingWaits = on != 0;
}

/**
 * Arrives at the barrier and waits until `target` arrivals were counted (threads builds; no-op
 * else): the last to arrive wakes the sleepers.
 */
export function barrierWait(barrier: usize, target: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (atomic.add<i32>(barrier, 1) + 1 >= target) {
      atomic.notify(barrier, i32.MAX_VALUE);
      return;
    }
    let spins: i64 = 0, sleeps = 0;
    for (let seen = atomic.load<i32>(barrier); seen < target; seen = atomic.load<i32>(barrier)) {
      if (++spins <= BARRIER_SPINS) continue;
      if (!blockingWaits) {
        if (spins > BARRIER_SPIN_LIMIT) unreachable(); // a peer is gone: fail the call
        continue;
      }
      if (atomic.wait<i32>(barrier, seen, 1_000_000) == AtomicWaitResult.TIMED_OUT && ++sleeps > BARRIER_SLEEPS) unreachable();
    }
  }
}
