/**
 * Verified bearer tokens of the PostgreSQL store, kept in the process so that the lookup every
 * authenticated request makes is one round trip per token and process, not one per request (on
 * a card addition it was one of three). A bounded map (oldest entries go first) with a short
 * lifetime, invalidated by PostgreSQL itself: migration 4's trigger announces every token that
 * goes away (channel picco_tokens, sent when the deleting transaction commits), and each process
 * holds one LISTEN connection.
 *
 * What still holds across `--workers` processes:
 * - this process's own logouts and purges drop their entries before they resolve;
 * - a logout or purge committed by another process is dropped as soon as its notification
 *   arrives: the residual window is the delivery of one notification (from the commit to this
 *   process's next event-loop turn, well under a millisecond on an idle box, a few ms under
 *   load), during which a request here is served as one that had looked the token up just
 *   before the logout would be;
 * - a lookup whose statement was in flight when any notification arrived is not cached (its
 *   snapshot may predate the logout);
 * - while the LISTEN connection is down nothing is cached or served from the cache, and the map
 *   is dropped when it comes back (notifications sent meanwhile are lost);
 * - expiry is judged on every hit against the request's clock, as the query does; unknown
 *   tokens are never cached, so a forged token always reaches the database.
 * The map holds tokens in clear only in this process's memory, as the process already sees them
 * in the Authorization header; nothing here is logged.
 *
 * @example
 * const cache = await TokenCache.listen(url); const hit = cache.get(token, 'pm', now);
 */
import pg from 'pg';
import type { TokenKind, TokenOwner } from '../storage.ts';
import { VerifiedTokens } from '../verified-tokens.ts';

/** Migration 4 (released text: never edited). */
export const TOKENS_GONE_V4 = `
  CREATE FUNCTION picco_tokens_gone() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE ids TEXT[];
  BEGIN
    IF TG_OP = 'DELETE' THEN
      SELECT array_agg(DISTINCT session_id) INTO ids FROM gone;
      IF ids IS NULL THEN RETURN NULL; END IF;
      PERFORM pg_notify('picco_tokens', CASE WHEN cardinality(ids) > 32 THEN '*' ELSE array_to_string(ids, ' ') END);
    ELSE
      PERFORM pg_notify('picco_tokens', '*');
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER tokens_deleted AFTER DELETE ON tokens REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION picco_tokens_gone();
  CREATE TRIGGER tokens_changed AFTER UPDATE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION picco_tokens_gone();`;

const CHANNEL = 'picco_tokens';

export class TokenCache {
  private readonly tokens: VerifiedTokens;
  private client: pg.Client | undefined;
  private closed = false;
  /** Moves on every notification, local drop and (re)connection: a lookup that saw it move is not cached. */
  generation = 0;

  private constructor(
    private readonly url: string,
    max: number,
    ttlMs: number,
    private readonly retryMs: number,
  ) {
    this.tokens = new VerifiedTokens(max, ttlMs);
  }

  /** Opens the LISTEN connection; if PostgreSQL refuses it, the cache starts off and keeps trying. */
  static async listen(url: string, o: { max?: number; ttlMs?: number; retryMs?: number } = {}): Promise<TokenCache> {
    const c = new TokenCache(url, o.max ?? 65_536, o.ttlMs ?? 30_000, o.retryMs ?? 1_000);
    await c.connect();
    return c;
  }

  /** The owner of a cached, unexpired token of this kind, or undefined (then ask the database). */
  get(token: string, kind: TokenKind, now: Date): TokenOwner | undefined {
    return this.tokens.get(token, kind, now);
  }

  /** Remembers what a lookup started at `generation` found, unless anything was dropped since. */
  put(token: string, kind: TokenKind, owner: TokenOwner, generation: number): void {
    if (generation !== this.generation || this.client === undefined) return;
    this.tokens.remember(token, kind, owner);
  }

  /** Drops every token of these sessions (a logout here or anywhere). */
  forgetSessions(sessionIds: readonly string[]): void {
    this.generation++;
    for (const id of sessionIds) this.tokens.forgetSession(id);
  }

  clear(): void {
    this.generation++;
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.off();
    await c?.end().catch(() => undefined);
  }

  private off(): void {
    this.client = undefined;
    this.clear();
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.url, application_name: `picco-${process.pid}` });
    const lost = (): void => {
      if (this.client !== c) return;
      this.off();
      c.end().catch(() => undefined);
      this.retry();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel !== CHANNEL) return;
      if (n.payload === undefined || n.payload === '*') this.clear();
      else this.forgetSessions(n.payload.split(' '));
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch {
      await c.end().catch(() => undefined);
      this.retry();
      return;
    }
    if (this.closed) {
      await c.end().catch(() => undefined);
      return;
    }
    // Anything announced before LISTEN took effect was missed: start empty.
    this.clear();
    this.client = c;
  }

  private retry(): void {
    if (this.closed) return;
    setTimeout(() => void this.connect(), this.retryMs).unref();
  }
}
