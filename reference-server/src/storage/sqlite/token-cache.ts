/**
 * Verified bearer tokens of the SQLite store, kept in the process so that the lookup every
 * authenticated request makes (SHA-256 of the token plus an indexed read) is paid once per
 * token, not once per request. A bounded map (oldest entries go first) with a short lifetime.
 *
 * Why it cannot serve a revoked token:
 * - this process's own logouts remove the session's entries when they are issued;
 * - a change made by any other connection to the file (another `picco serve` process sharing
 *   it, the idempotency connection) moves SQLite's `PRAGMA data_version` of this connection; the
 *   whole map is dropped when it moved, checked by the first lookup of every event-loop turn (one
 *   pragma per turn, not per request: a logout another process committed is seen from the next
 *   turn on, as a request already past its lookup would not have seen it either);
 * - expiry is judged on every hit against the request's clock, as the database query does.
 * Unknown tokens are never cached, so a forged token always reaches the database.
 *
 * @example
 * const cache = new TokenCache(() => dataVersion.get() as number);
 * const owner = cache.lookup(token, 'pm', now, () => s.findToken(token, 'pm', now));
 */
import type { TokenKind, TokenOwner } from '../storage.ts';

interface Entry { owner: TokenOwner; kind: TokenKind; until: number }

export class TokenCache {
  private entries = new Map<string, Entry>();
  private bySession = new Map<string, string[]>();
  private version: number | undefined;
  /** data_version was read in this event-loop turn. */
  private checked = false;
  private readonly endTurn = (): void => {
    this.checked = false;
  };

  constructor(
    /** SQLite's data_version of the connection the tokens are read through. */
    private readonly dataVersion: () => number,
    private readonly max = 65_536,
    private readonly ttlMs = 30_000,
    private readonly wallNow: () => number = Date.now,
  ) {}

  lookup(token: string, kind: TokenKind, now: Date, load: () => TokenOwner | undefined): TokenOwner | undefined {
    if (!this.checked) {
      this.checked = true;
      setImmediate(this.endTurn);
      const v = this.dataVersion();
      if (v !== this.version) {
        this.clear();
        this.version = v;
      }
    }
    const e = this.entries.get(token);
    if (e !== undefined) {
      if (e.kind === kind && e.until > this.wallNow() && e.owner.expiresAt.getTime() > now.getTime()) return e.owner;
      if (e.kind === kind) this.entries.delete(token);
      else return load(); // the same string presented as another kind: never cached across kinds
    }
    const owner = load();
    if (owner !== undefined) this.remember(token, kind, owner);
    return owner;
  }

  /** Drops every token of the session (logout). */
  forgetSession(sessionId: string): void {
    for (const t of this.bySession.get(sessionId) ?? []) this.entries.delete(t);
    this.bySession.delete(sessionId);
  }

  clear(): void {
    this.entries.clear();
    this.bySession.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(token: string, kind: TokenKind, owner: TokenOwner): void {
    const list = this.bySession.get(owner.sessionId);
    // A session with many tokens (PM session restarts) is not cached past 16 of them.
    if (list !== undefined && list.length >= 16) return;
    if (this.entries.size >= this.max || this.bySession.size >= this.max) {
      // Oldest first (a Map iterates in insertion order). The session index keeps evicted tokens
      // (forgetSession only deletes); it is bounded by starting over when it reaches the limit.
      if (this.bySession.size >= this.max) this.clear();
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { owner, kind, until: this.wallNow() + this.ttlMs });
    if (list === undefined) this.bySession.set(owner.sessionId, [token]);
    else list.push(token);
  }
}
