// Stateful sessions over a recurrent layer, for inputs that arrive in pieces (audio frames,
// keystrokes): each session id keeps the layer's final h (and c) between calls, so feeding a sequence
// chunk by chunk gives the outputs of feeding it whole. Idle sessions expire and at most maxSessions
// live at once (session-store.ts). A chunk that is refused leaves its session as it was.

import { ResourceError, ShapeError, UnsupportedError } from "../errors.js";
import type { Recurrent } from "../layers/recurrent.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, describe, optionsObject, type TensorLike } from "../validate.js";
import { SessionStore, type SessionOptions } from "./session-store.js";

export type { SessionOptions } from "./session-store.js";

export class StatefulSessions {
  private readonly store: SessionStore<{ h: Tensor; c: Tensor | undefined }>;
  private closed = false;

  /** Sessions over `layer`, a one-directional LSTM, GRU or RNN (one layer or a stack). */
  constructor(private readonly layer: Recurrent, options: SessionOptions = {}) {
    optionsObject(options, "StatefulSessions: options", false);
    if (layer.bidirectional) throw new UnsupportedError("StatefulSessions: a bidirectional layer needs each sequence whole (its backward direction starts at the end)");
    this.store = new SessionStore(options, "StatefulSessions");
  }

  get ttlMs(): number {
    return this.store.ttlMs;
  }

  get maxSessions(): number {
    return this.store.maxSessions;
  }

  /** Live sessions (expired ones are gone). */
  get size(): number {
    return this.store.size;
  }

  /** Whether session `id` is live. */
  has(id: string): boolean {
    return this.store.has(id);
  }

  /**
   * Runs `chunk` ([steps, inputSize]) through the layer from session `id`'s state (zeros for a new
   * id) and keeps the final state for the next chunk. Returns the chunk's outputs [steps, outputSize].
   */
  feed(id: string, chunk: TensorLike): Tensor {
    const where = "StatefulSessions.feed";
    if (this.closed) throw new ResourceError(`${where}: the sessions were closed`);
    if (typeof id !== "string" || id.length === 0) throw new ShapeError(`${where}: id must be a non-empty string; got ${describe(id)}`);
    const x = checkTensor(chunk, `${where}: chunk`);
    if (x.shape.length !== 2) throw new ShapeError(`${where}: chunk must be [steps, ${this.layer.inputSize}] (one sequence); got shape [${x.shape.join(", ")}]`);
    this.store.checkRoom(id, where);
    const session = this.store.get(id);
    const result = this.layer.forward(x, { h0: session?.h, c0: session?.c });
    this.store.set(id, { h: result.hN, c: result.cN });
    return result.output;
  }

  /** Ends session `id` (its state is dropped); false when there was none. */
  end(id: string): boolean {
    return this.store.end(id);
  }

  /** Ends every session and stops the expiry timer; feed refuses afterwards. */
  close(): void {
    this.closed = true;
    this.store.clear();
  }
}
