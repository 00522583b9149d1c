// Stateful sessions over a recurrent layer, for inputs that arrive in pieces (audio frames,
// keystrokes): each session id keeps the layer's final h (and c) between calls, so feeding a sequence
// chunk by chunk gives the outputs of feeding it whole. Sessions idle for `ttlMs` expire and their
// state is dropped; at most `maxSessions` live at once (a new one beyond that is refused, as a
// server's sequence slots are). A chunk that is refused leaves its session as it was.

import { ResourceError, ShapeError, UnsupportedError } from "../errors.js";
import type { Recurrent } from "../layers/recurrent.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, describe, optionsObject, type TensorLike } from "../validate.js";

export interface SessionOptions {
  /** Milliseconds a session may stay idle before it expires (default 300000, five minutes). */
  ttlMs?: number;
  /** Most sessions at once (default 1000); feeding a new id beyond that is a ResourceError. */
  maxSessions?: number;
}

interface Session {
  h: Tensor | undefined;
  c: Tensor | undefined;
  /** performance.now() of its last chunk. */
  lastUsed: number;
}

export class StatefulSessions {
  readonly ttlMs: number;
  readonly maxSessions: number;
  /** Live sessions, least recently used first. */
  private readonly sessions = new Map<string, Session>();
  private expiry: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  /** Sessions over `layer`, a one-directional LSTM, GRU or RNN (one layer or a stack). */
  constructor(private readonly layer: Recurrent, options: SessionOptions = {}) {
    optionsObject(options, "StatefulSessions: options", false);
    if (layer.bidirectional) throw new UnsupportedError("StatefulSessions: a bidirectional layer needs each sequence whole (its backward direction starts at the end)");
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxSessions = options.maxSessions ?? 1000;
    if (typeof this.ttlMs !== "number" || !(this.ttlMs > 0) || !Number.isFinite(this.ttlMs)) throw new ShapeError(`StatefulSessions: ttlMs must be a finite number > 0; got ${describe(options.ttlMs)}`);
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) throw new ShapeError(`StatefulSessions: maxSessions must be a positive integer; got ${describe(options.maxSessions)}`);
  }

  /** Live sessions (expired ones are gone). */
  get size(): number {
    this.expire();
    return this.sessions.size;
  }

  /** Whether session `id` is live. */
  has(id: string): boolean {
    this.expire();
    return this.sessions.has(id);
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
    this.expire();
    const session = this.sessions.get(id);
    if (!session && this.sessions.size >= this.maxSessions) {
      throw new ResourceError(`${where}: ${this.sessions.size} sessions are live, the most allowed (maxSessions); end one or wait for one to expire`);
    }
    const result = this.layer.forward(x, { h0: session?.h, c0: session?.c });
    this.sessions.delete(id); // re-inserted last: the map stays in order of use
    this.sessions.set(id, { h: result.hN, c: result.cN, lastUsed: performance.now() });
    this.scheduleExpiry();
    return result.output;
  }

  /** Ends session `id` (its state is dropped); false when there was none. */
  end(id: string): boolean {
    return this.sessions.delete(id);
  }

  /** Ends every session and stops the expiry timer; feed refuses afterwards. */
  close(): void {
    this.closed = true;
    this.sessions.clear();
    if (this.expiry !== null) clearTimeout(this.expiry);
    this.expiry = null;
  }

  /** Drops the sessions idle for ttlMs or longer (they are in order of use: the oldest first). */
  private expire(): void {
    const now = performance.now();
    for (const [id, session] of this.sessions) {
      if (now - session.lastUsed < this.ttlMs) break;
      this.sessions.delete(id);
    }
  }

  /** A timer for the oldest session's expiry, so idle state is freed without further calls. */
  private scheduleExpiry(): void {
    if (this.expiry !== null || this.sessions.size === 0) return;
    const oldest = this.sessions.values().next().value as Session;
    const timer = setTimeout(() => {
      this.expiry = null;
      this.expire();
      this.scheduleExpiry();
    }, Math.max(0, oldest.lastUsed + this.ttlMs - performance.now()) + 1);
    (timer as { unref?: () => void }).unref?.(); // never keeps a Node process alive
    this.expiry = timer;
  }
}
