// The arena's guard mode as the kernel tests use it: the engine started with guard bytes after every
// block allocated from then on, and a check that names the call after which a guard changed (a kernel
// wrote past one of its buffers).

import { init, type EngineInfo, type InitOptions } from "../../src/index.js";
import { engine } from "../../src/engine/engine.js";

/** Guard bytes after every block: 16 floats, more than one SIMD vector or a GEMM tile's overhang. */
export const GUARD_BYTES = 64;

/** init(options), then guard mode on: build the layers under test after this. */
export async function initWithGuards(options: InitOptions = {}): Promise<EngineInfo> {
  const info = await init(options);
  engine().arena.guard(GUARD_BYTES);
  return info;
}

/** Throws when a guard byte of the engine's arena changed, saying after which call. */
export function guardsIntact(after: string): void {
  try {
    engine().arena.checkGuards();
  } catch (e) {
    throw new Error(`after ${after}: ${(e as Error).message}`);
  }
}
