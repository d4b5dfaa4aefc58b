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
 * Unknown tokens are never cached, so a forged token always reaches the database. Tokens this
 * process issues are cached once their write is durable (`issued`).
 *
 * @example
 * const cache = new TokenCache(() => dataVersion.get() as number);
 * const owner = cache.lookup(token, 'pm', now, () => s.findToken(token, 'pm', now));
 */
import type { TokenKind, TokenOwner } from '../storage.ts';
import { VerifiedTokens } from '../verified-tokens.ts';

export class TokenCache {
  private readonly tokens: VerifiedTokens;
  private version: number | undefined;
  /** data_version was read in this event-loop turn. */
  private checked = false;
  private readonly endTurn = (): void => {
    this.checked = false;
  };

  constructor(
    /** SQLite's data_version of the connection the tokens are read through. */
    private readonly dataVersion: () => number,
    max = 65_536,
    ttlMs = 30_000,
    wallNow: () => number = Date.now,
  ) {
    this.tokens = new VerifiedTokens(max, ttlMs, wallNow);
  }

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
    const hit = this.tokens.get(token, kind, now);
    if (hit !== undefined) return hit;
    // The same string presented as another kind: never cached across kinds.
    const otherKind = this.tokens.kindOf(token) !== undefined;
    const owner = load();
    if (owner !== undefined && !otherKind) this.tokens.remember(token, kind, owner);
    return owner;
  }

  /**
   * A token this process has just stored, once its write is durable: known without a lookup, so
   * the first request that presents it (GET /api/v1/session right after the login, start-session
   * with the walletToken, the first PM call) is not a miss. Held under the same rules as a
   * looked-up token (lifetime, expiry, logout, data_version).
   */
  issued(token: string, kind: TokenKind, owner: TokenOwner): void {
    if (this.tokens.kindOf(token) === undefined) this.tokens.remember(token, kind, owner);
  }

  /** Drops every token of the session (logout). */
  forgetSession(sessionId: string): void {
    this.tokens.forgetSession(sessionId);
  }

  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }
}
