/**
 * Users, io-backend sessions and bearer tokens on PostgreSQL. Tokens are rows keyed by their
 * SHA-256 (see sealed-tokens.ts), so any worker authenticates any token with one indexed read.
 */
import type pg from 'pg';
import type { NewPmSession, NewSession, SessionRecord, TokenKind, TokenOwner, UserRecord } from '../storage.ts';
import { Batcher } from './batcher.ts';
import { tx } from './pool.ts';
import { seal, tokenHash, unseal } from './sealed-tokens.ts';

interface UserRow { fiscal_code: string; name: string; family_name: string; email: string; is_email_validated: boolean; created_at: Date }

const toUser = (r: UserRow): UserRecord => ({
  fiscalCode: r.fiscal_code, name: r.name, familyName: r.family_name, email: r.email,
  isEmailValidated: r.is_email_validated, createdAt: r.created_at,
});

type TokenItem = { hash: string; kind: TokenKind; now: Date };
interface TokenRow { i: number; kind: string; session_id: string; fiscal_code: string; expires_at: Date }

/** `inFlight`: token-lookup statements at PostgreSQL at once (the rest wait and go as one). */
export function sessionOps(pool: pg.Pool, key: () => Buffer, inFlight = 2) {
  // Every authenticated request resolves its token: concurrent lookups share one statement.
  const tokens = new Batcher<TokenItem, TokenOwner | undefined>(async (items) => {
    const r = await pool.query<TokenRow>({
      name: 'find_tokens',
      text: `SELECT q.i, t.kind, t.session_id, t.fiscal_code, t.expires_at
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS q(h, k, n, i)
             JOIN tokens t ON t.token_hash = q.h AND t.kind = q.k AND t.expires_at > q.n`,
      values: [items.map((i) => i.hash), items.map((i) => i.kind), items.map((i) => i.now)],
    });
    const out: (TokenOwner | undefined)[] = new Array<TokenOwner | undefined>(items.length).fill(undefined);
    for (const row of r.rows) {
      out[row.i - 1] = { fiscalCode: row.fiscal_code, sessionId: row.session_id, kind: row.kind as TokenKind, expiresAt: row.expires_at };
    }
    return out;
  }, { maxInFlight: inFlight });

  return {
    async ensureUser(u: UserRecord): Promise<UserRecord> {
      const r = await pool.query<UserRow>(
        `WITH ins AS (
           INSERT INTO users (fiscal_code, name, family_name, email, is_email_validated, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fiscal_code) DO NOTHING RETURNING *)
         SELECT * FROM ins UNION ALL SELECT * FROM users WHERE fiscal_code = $1 LIMIT 1`,
        [u.fiscalCode, u.name, u.familyName, u.email, u.isEmailValidated, u.createdAt],
      );
      return toUser(r.rows[0]!);
    },
    async getUser(fiscalCode: string): Promise<UserRecord | undefined> {
      const r = await pool.query<UserRow>('SELECT * FROM users WHERE fiscal_code = $1', [fiscalCode]);
      return r.rows[0] === undefined ? undefined : toUser(r.rows[0]);
    },
    async createSession(s: NewSession): Promise<void> {
      const sealed = seal(key(), JSON.stringify([s.sessionToken, s.walletToken, s.bpdToken, s.myPortalToken]));
      await tx(pool, async (c) => {
        await c.query(
          'INSERT INTO sessions (session_id, fiscal_code, spid_level, tokens_sealed, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [s.sessionId, s.fiscalCode, s.spidLevel, sealed, s.createdAt, s.expiresAt],
        );
        await c.query(
          `INSERT INTO tokens (token_hash, kind, session_id, fiscal_code, expires_at)
           SELECT h, k, $3, $4, $5 FROM unnest($1::text[], $2::text[]) AS t(h, k)`,
          [
            [tokenHash(s.sessionToken), tokenHash(s.walletToken), tokenHash(s.bpdToken), tokenHash(s.myPortalToken)],
            ['session', 'wallet', 'bpd', 'myPortal'], s.sessionId, s.fiscalCode, s.expiresAt,
          ],
        );
      });
    },
    async getSession(sessionId: string, now: Date): Promise<SessionRecord | undefined> {
      const r = await pool.query<{ session_id: string; fiscal_code: string; spid_level: string; tokens_sealed: string; created_at: Date; expires_at: Date }>(
        'SELECT * FROM sessions WHERE session_id = $1 AND expires_at > $2', [sessionId, now]);
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
      return tokens.call({ hash: tokenHash(token), kind, now });
    },
    async deleteSession(sessionId: string): Promise<boolean> {
      return tx(pool, async (c) => {
        await c.query('DELETE FROM tokens WHERE session_id = $1', [sessionId]);
        const r = await c.query('DELETE FROM sessions WHERE session_id = $1', [sessionId]);
        return (r.rowCount ?? 0) > 0;
      });
    },
    async createPmSession(s: NewPmSession): Promise<void> {
      await pool.query(
        "INSERT INTO tokens (token_hash, kind, session_id, fiscal_code, expires_at) VALUES ($1, 'pm', $2, $3, $4)",
        [tokenHash(s.token), s.sessionId, s.fiscalCode, s.expiresAt],
      );
    },
    async purgeExpired(now: Date): Promise<number> {
      return tx(pool, async (c) => {
        const r = await c.query('DELETE FROM tokens WHERE expires_at <= $1', [now]);
        await c.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
        return r.rowCount ?? 0;
      });
    },
  };
}
