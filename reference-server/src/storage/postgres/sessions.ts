/**
 * Users, io-backend sessions and bearer tokens on PostgreSQL. Tokens are rows keyed by their
 * SHA-256 (see sealed-tokens.ts), so any worker authenticates any token with one indexed read,
 * and then from its cache of verified tokens (token-cache.ts says what guarantee holds).
 */
import type pg from 'pg';
import type { NewPmSession, NewSession, SessionRecord, TokenKind, TokenOwner, UserRecord } from '../storage.ts';
import { Batcher } from './batcher.ts';
import { seal, tokenHash, unseal } from './sealed-tokens.ts';
import type { TokenCache } from './token-cache.ts';

interface UserRow { fiscal_code: string; name: string; family_name: string; email: string; is_email_validated: boolean; created_at: Date }

const toUser = (r: UserRow): UserRecord => ({
  fiscalCode: r.fiscal_code, name: r.name, familyName: r.family_name, email: r.email,
  isEmailValidated: r.is_email_validated, createdAt: r.created_at,
});

type TokenItem = { hash: string; kind: TokenKind; now: Date };
interface TokenRow { i: number; kind: string; session_id: string; fiscal_code: string; expires_at: Date }

/** `inFlight`: token-lookup statements at PostgreSQL at once (the rest wait and go as one). */
export function sessionOps(pool: pg.Pool, key: () => Buffer, cache: TokenCache, inFlight = 1) {
  // Every authenticated request resolves its token: concurrent lookups share one statement.
  const tokens = new Batcher<TokenItem, TokenOwner | undefined>(async (items) => {
    const r = await pool.query<TokenRow>({
      name: 'find_tokens',
      text: `SELECT q.i, t.kind, t.session_id, t.fiscal_code, t.expires_at
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS q(h, k, n, i)
             JOIN tokens t ON t.token_hash = q.h AND t.kind = q.k AND t.expires_at > q.n`,
      values: [items.map((i) => i.hash), items.map((i) => i.kind), items.map((i) => i.now.toISOString())],
    });
    const out: (TokenOwner | undefined)[] = new Array<TokenOwner | undefined>(items.length).fill(undefined);
    for (const row of r.rows) {
      out[row.i - 1] = { fiscalCode: row.fiscal_code, sessionId: row.session_id, kind: row.kind as TokenKind, expiresAt: row.expires_at };
    }
    return out;
  }, { maxInFlight: inFlight });

const ensureUser = async (u: UserRecord): Promise<UserRecord> => {
    const r = await pool.query<UserRow>({
      name: 'ensure_user',
      text: `WITH ins AS (
         INSERT INTO users (fiscal_code, name, family_name, email, is_email_validated, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fiscal_code) DO NOTHING RETURNING *)
       SELECT * FROM ins UNION ALL SELECT * FROM users WHERE fiscal_code = $1 LIMIT 1`,
      values: [u.fiscalCode, u.name, u.familyName, u.email, u.isEmailValidated, u.createdAt],
    });
    // A user inserted by a concurrent first login after this statement's snapshot is in
    // neither branch: the statement runs again and finds it.
    return r.rows[0] === undefined ? ensureUser(u) : toUser(r.rows[0]);
  };

  return {
    ensureUser,
    async getUser(fiscalCode: string): Promise<UserRecord | undefined> {
      const r = await pool.query<UserRow>({ name: 'get_user', text: 'SELECT * FROM users WHERE fiscal_code = $1', values: [fiscalCode] });
      return r.rows[0] === undefined ? undefined : toUser(r.rows[0]);
    },
    async createSession(s: NewSession): Promise<void> {
      const sealed = seal(key(), JSON.stringify([s.sessionToken, s.walletToken, s.bpdToken, s.myPortalToken]));
      // One statement, so one transaction: the session and its four tokens, or nothing.
      await pool.query({
        name: 'create_session',
        text: `WITH s AS (INSERT INTO sessions (session_id, fiscal_code, spid_level, tokens_sealed, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6))
               INSERT INTO tokens (token_hash, kind, session_id, fiscal_code, expires_at)
               SELECT h, k, $1, $2, $6 FROM unnest($7::text[], $8::text[]) AS t(h, k)`,
        values: [s.sessionId, s.fiscalCode, s.spidLevel, sealed, s.createdAt, s.expiresAt,
          [tokenHash(s.sessionToken), tokenHash(s.walletToken), tokenHash(s.bpdToken), tokenHash(s.myPortalToken)],
          ['session', 'wallet', 'bpd', 'myPortal']],
      });
    },
    async getSession(sessionId: string, now: Date): Promise<SessionRecord | undefined> {
      const r = await pool.query<{ session_id: string; fiscal_code: string; spid_level: string; tokens_sealed: string; created_at: Date; expires_at: Date }>(
        { name: 'get_session', text: 'SELECT * FROM sessions WHERE session_id = $1 AND expires_at > $2', values: [sessionId, now] });
      const row = r.rows[0];
      if (row === undefined) return undefined;
      const [sessionToken, walletToken, bpdToken, myPortalToken] = JSON.parse(unseal(key(), row.tokens_sealed)) as string[];
      return {
        sessionId: row.session_id, fiscalCode: row.fiscal_code, spidLevel: row.spid_level,
        sessionToken: sessionToken!, walletToken: walletToken!, bpdToken: bpdToken!, myPortalToken: myPortalToken!,
        createdAt: row.created_at, expiresAt: row.expires_at,
      };
    },
    findToken(token: string, kind: TokenKind, now: Date): Promise<TokenOwner | undefined> {
      const hit = cache.get(token, kind, now);
      if (hit !== undefined) return Promise.resolve(hit);
      const generation = cache.generation;
      return tokens.call({ hash: tokenHash(token), kind, now }).then((owner) => {
        if (owner !== undefined) cache.put(token, kind, owner, generation);
        return owner;
      });
    },
    async deleteSession(sessionId: string): Promise<boolean> {
      try {
        const r = await pool.query({
          name: 'delete_session',
          text: 'WITH t AS (DELETE FROM tokens WHERE session_id = $1) DELETE FROM sessions WHERE session_id = $1',
          values: [sessionId],
        });
        return (r.rowCount ?? 0) > 0;
      } finally {
        // Before the logout resolves, whether or not its notification has come back yet (and
        // also when the statement failed: it may have committed).
        cache.forgetSessions([sessionId]);
      }
    },
    async createPmSession(s: NewPmSession): Promise<void> {
      await pool.query({
        name: 'create_pm_session',
        text: "INSERT INTO tokens (token_hash, kind, session_id, fiscal_code, expires_at) VALUES ($1, 'pm', $2, $3, $4)",
        values: [tokenHash(s.token), s.sessionId, s.fiscalCode, s.expiresAt],
      });
    },
    async purgeExpired(now: Date): Promise<number> {
      try {
        const r = await pool.query('WITH s AS (DELETE FROM sessions WHERE expires_at <= $1) DELETE FROM tokens WHERE expires_at <= $1', [now]);
        return r.rowCount ?? 0;
      } finally {
        cache.clear();
      }
    },
  };
}
