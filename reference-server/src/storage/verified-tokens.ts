/**
 * The bounded map both stores keep their verified bearer tokens in (sqlite/token-cache.ts and
 * postgres/token-cache.ts say when each may serve from it): token -> owner and kind, with a short
 * lifetime, oldest first out at `max`, and an index by session so that a logout drops every token
 * of its session. A hit is judged on every call against its kind, its lifetime and the token's
 * expiry by the request's clock; a session with more than 16 tokens (PM session restarts) is not
 * cached past them. The tokens are held in clear in this process's memory only, as the process
 * already sees them in the Authorization header; nothing here is logged.
 *
 * @example
 * const tokens = new VerifiedTokens(65_536, 30_000);
 * tokens.remember(token, 'pm', owner); tokens.get(token, 'pm', now); // owner
 */
import type { TokenKind, TokenOwner } from './storage.ts';

interface Entry { owner: TokenOwner; kind: TokenKind; until: number }

export class VerifiedTokens {
  private entries = new Map<string, Entry>();
  private bySession = new Map<string, string[]>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** The owner of a cached, unexpired token of this kind; a stale entry of this kind is dropped. */
  get(token: string, kind: TokenKind, now: Date): TokenOwner | undefined {
    const e = this.entries.get(token);
    if (e === undefined || e.kind !== kind) return undefined;
    if (e.until > this.wallNow() && e.owner.expiresAt.getTime() > now.getTime()) return e.owner;
    this.entries.delete(token);
    return undefined;
  }

  /** The kind the token is cached under, if it is. */
  kindOf(token: string): TokenKind | undefined {
    return this.entries.get(token)?.kind;
  }

  remember(token: string, kind: TokenKind, owner: TokenOwner): void {
    const list = this.bySession.get(owner.sessionId);
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

  /** Drops every token of the session (a logout). */
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
}
