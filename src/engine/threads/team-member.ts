// A team member's loop, run in a worker on the main thread's shared memory: wait for the next job in
// the control block, run its part of the kernel, count itself done. It waits with Atomics.waitAsync
// after a short spin, so the worker's event loop stays free (Comlink and termination keep working)
// and back-to-back jobs (the layers and directions of one forward) start without a wake-up.

import { engine } from "../engine.js";
import { BARRIER, DONE, FAILED, GENERATION, INTEGER_DOT, KERNEL, PARTS, PLANS, STOP, TEAM_KERNELS, poisonBarrier, teamKernel } from "./team-control.js";

/** Spins on the generation word before waiting asleep (a few tens of microseconds). */
const SPINS = 20_000;

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Resolves once the word at `index` may have left `value`: Atomics.waitAsync where the runtime has
 *  it, else a short blocking wait that then yields to the event loop. */
async function nextGeneration(i32: Int32Array, index: number, value: number): Promise<void> {
  if (waitAsync) {
    const waiting = waitAsync(i32, index, value);
    if (waiting.async) await waiting.value;
    return;
  }
  Atomics.wait(i32, index, value, 20);
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Serves jobs as member `index` (1…) of the team whose control block is at `control`, until STOP. */
export async function serveTeam(control: number, index: number): Promise<void> {
  const eng = engine();
  const kernels = TEAM_KERNELS.map((kernel) => teamKernel(eng.core, kernel));
  const base = control >> 2;
  const word = (offset: number) => base + offset;
  let seen = Atomics.load(eng.i32, word(GENERATION));
  for (;;) {
    let generation = seen;
    for (let spin = 0; spin < SPINS && generation === seen; spin++) generation = Atomics.load(eng.i32, word(GENERATION));
    if (generation === seen) {
      await nextGeneration(eng.i32, word(GENERATION), seen);
      continue;
    }
    seen = generation;
    const i32 = eng.i32;
    if (Atomics.load(i32, word(STOP))) return;
    try {
      if (i32[word(INTEGER_DOT)] !== eng.core.integerDot()) eng.core.setIntegerDot(i32[word(INTEGER_DOT)]);
      if (index < i32[word(PARTS)]) kernels[i32[word(KERNEL)]](i32[word(PLANS + index)]);
    } catch {
      Atomics.add(eng.i32, word(FAILED), 1);
      poisonBarrier(eng.i32, base + BARRIER);
    }
    Atomics.add(eng.i32, word(DONE), 1);
    Atomics.notify(eng.i32, word(DONE));
  }
}
