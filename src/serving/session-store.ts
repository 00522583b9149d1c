// Per-id state kept between calls, for StatefulSessions and the server's sequences: entries idle for
// ttlMs expire (on a timer that never keeps Node alive, and lazily at every access), at most
// maxSessions live at once (a new one beyond that is a ResourceError), least recently used first.

import { ResourceError, ShapeError } from "../errors.js";
import { describe } from "../validate.js";

export interface StatefulSessionsOptions {
  /** Milliseconds a session may stay idle before it expires (default 300000, five minutes). */
  ttlMs?: number;
  /** Most sessions at once (default 1000); starting one beyond that is a ResourceError. */
  maxSessions?: number;
}

export class SessionStore<State> {
  readonly ttlMs: number;
  readonly maxSessions: number;
  /** Live sessions, least recently used first. */
  private readonly sessions = new Map<string, { state: State; lastUsed: number }>();
  private expiry: ReturnType<typeof setTimeout> | null = null;

  /** `owner` names the user in messages. */
  constructor(options: StatefulSessionsOptions, owner: string) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.maxSessions = options.maxSessions ?? 1000;
    if (typeof this.ttlMs !== "number" || !(this.ttlMs > 0) || !Number.isFinite(this.ttlMs)) throw new ShapeError(`${owner}: ttlMs must be a finite number > 0; got ${describe(options.ttlMs)}`);
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) throw new ShapeError(`${owner}: maxSessions must be a positive integer; got ${describe(options.maxSessions)}`);
  }

  /** Live sessions (expired ones are gone). */
  get size(): number {
    this.expire();
    return this.sessions.size;
  }

  has(id: string): boolean {
    this.expire();
    return this.sessions.has(id);
  }

  /** Session id's state, or undefined for none. */
  get(id: string): State | undefined {
    this.expire();
    return this.sessions.get(id)?.state;
  }

  /** A ResourceError unless session `id` exists or there is room for one more. */
  checkRoom(id: string, where: string): void {
    this.expire();
    if (!this.sessions.has(id) && this.sessions.size >= this.maxSessions) {
      throw new ResourceError(`${where}: ${this.sessions.size} sessions are live, the most allowed (maxSessions); end one or wait for one to expire`);
    }
  }

  /** Keeps `state` for session `id` (its most recent use). */
  set(id: string, state: State): void {
    this.sessions.delete(id); // re-inserted last: the map stays in order of use
    this.sessions.set(id, { state, lastUsed: performance.now() });
    this.scheduleExpiry();
  }

  /** Ends session `id`; false when there was none. */
  end(id: string): boolean {
    return this.sessions.delete(id);
  }

  /** Ends every session and stops the timer. */
  clear(): void {
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
    const oldest = this.sessions.values().next().value!;
    const timer = setTimeout(() => {
      this.expiry = null;
      this.expire();
      this.scheduleExpiry();
    }, Math.max(0, oldest.lastUsed + this.ttlMs - performance.now()) + 1);
    (timer as { unref?: () => void }).unref?.(); // never keeps a Node process alive
    this.expiry = timer;
  }
}
