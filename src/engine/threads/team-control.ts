// The control block a thread team shares in wasm memory: the words the main thread writes to start a
// kernel split over the team, the words members answer in, the barrier and how a failed part releases
// it, the kernels a member may run, and the size under which a kernel is not split. Both sides read
// this file; neither owns the block (the main thread's team allocates it).

import type { CoreExports } from "../abi.js";
import { CELL_KINDS, cellKernels, type CellKind } from "../cells.js";

/** @internal i32 word offsets in the control block. */
export const GENERATION = 0;                  // bumped once per job; members wait on it
/** @internal */ export const DONE = 16;      // members finished with the current job (own cache line: members write it)
/** @internal */ export const FAILED = 17;    // members whose part threw
/** @internal */ export const STOP = 32;      // set when the team ends
/** @internal */ export const KERNEL = 33;    // index into TEAM_KERNELS of the current job
/** @internal */ export const PARTS = 34;     // parts of the current job; members 1… beyond it sit it out
/** @internal */ export const PLANS = 35;     // PLANS + k: address of part k's plan (k < MAX_THREADS)
/** @internal */ export const INTEGER_DOT = 63; // the int8 kernels' inner product (setIntegerDot), as the main thread's
/** @internal */ export const BARRIER = 64;   // the kernels' barrier counter (own cache line)
/** @internal */ export const MAX_THREADS = 28;

/** @internal Written into the barrier by a part that failed: every wait on it passes (the parts
 *  still running finish instead of waiting for the failed one), and the job then fails. */
export const BARRIER_POISON = 1 << 30;

/** @internal Releases every thread waiting at (or later arriving at) the barrier counter at word `index`. */
export function poisonBarrier(i32: Int32Array, index: number): void {
  Atomics.store(i32, index, BARRIER_POISON);
  Atomics.notify(i32, index);
}

/** @internal Bytes of the control block. */
export const CONTROL_BYTES = 68 * 4;

/** @internal Kernels smaller than this (multiply-adds) run on one thread: waking a team costs tens of
 *  microseconds, about what a kernel of this size takes (an LSTM step at H 256 is ~330k). */
export const SPLIT_MIN_MULTIPLY_ADDS = 1 << 21;

/** @internal A kernel a team member may run: a cell's forward or backward, or a dense layer's. */
export type TeamKernel = `${CellKind | "dense"}.${"forward" | "backward"}`;

/** @internal The kernels a team member may run, by index (only these: a job names a kernel by
 *  number). Each takes the address of its part's argument block: a SequencePlan, or a DenseJob for
 *  the dense ones. */
export const TEAM_KERNELS: readonly TeamKernel[] = [...CELL_KINDS, "dense" as const].flatMap((owner) => [`${owner}.forward`, `${owner}.backward`] as const);

/** @internal The function of `core` that runs `kernel`. */
export function teamKernel(core: CoreExports, kernel: TeamKernel): (args: number) => void {
  const [owner, pass] = kernel.split(".") as [CellKind | "dense", "forward" | "backward"];
  if (owner === "dense") return pass === "forward" ? core.denseForwardJob : core.denseBackwardJob;
  return cellKernels(core, owner)[pass];
}
