/**
 * Users, io-backend sessions and bearer tokens on SQLite: prepared statements and the
 * synchronous operations the storage class wraps. Tokens are rows of their own (kind, owner,
 * expiry) so any process sharing the database can authenticate any of them with one indexed read.
 */
import type Database from 'better-sqlite3';
import type { NewPmSession, NewSession, SessionRecord, TokenKind, TokenOwner, UserRecord } from '../storage.ts';
import { keyFrom, seal, unseal } from '../postgres/sealed-tokens.ts';
import { legacyTokenKey, tokenKey } from '../token-key.ts';

interface UserRow { fiscal_code: string; name: string; family_name: string; email: string; is_email_validated: number; created_at: number }
interface SessionRow {
  session_id: string; fiscal_code: string; spid_level: string; session_token: string; wallet_token: string;
  bpd_token: string; myportal_token: string; created_at: number; expires_at: number;
}
interface TokenRow { kind: string; session_id: string; fiscal_code: string; expires_at: number }

const toUser = (r: UserRow): UserRecord => ({
  fiscalCode: r.fiscal_code, name: r.name, familyName: r.family_name, email: r.email,
  isEmailValidated: r.is_email_validated === 1, createdAt: new Date(r.created_at),
});

// Tokens at rest (issue 7): token rows hold the token's key (its issue time, then its SHA-256:
// token-key.ts); the session row holds the four sub-tokens sealed (AES-256-GCM) in session_token,
// the other token columns are left empty.
const toSession = (key: Buffer, r: SessionRow): SessionRecord => {
  const [sessionToken, walletToken, bpdToken, myPortalToken] = JSON.parse(unseal(key, r.session_token)) as string[];
  return {
    sessionId: r.session_id, fiscalCode: r.fiscal_code, spidLevel: r.spid_level, sessionToken: sessionToken!,
    walletToken: walletToken!, bpdToken: bpdToken!, myPortalToken: myPortalToken!,
    createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at),
  };
};

export function sessionOps(db: Database.Database) {
  const secret = process.env['PICCO_DB_SECRET'];
  const stored = (db.prepare("SELECT value FROM db_secrets WHERE name = 'token_key'").get() as { value: string } | undefined)?.value;
  const key = keyFrom(secret !== undefined && secret !== '' ? secret : (stored ?? ''));
  const insertUser = db.prepare(`INSERT INTO users (fiscal_code, name, family_name, email, is_email_validated, created_at)
    VALUES (@fiscalCode, @name, @familyName, @email, @validated, @createdAt) ON CONFLICT (fiscal_code) DO NOTHING`);
  const selectUser = db.prepare<[string], UserRow>('SELECT * FROM users WHERE fiscal_code = ?');
  const insertSession = db.prepare(`INSERT INTO sessions (session_id, fiscal_code, spid_level, session_token, wallet_token,
    bpd_token, myportal_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertToken = db.prepare('INSERT INTO tokens (token, kind, session_id, fiscal_code, expires_at) VALUES (?, ?, ?, ?, ?)');
  const selectSession = db.prepare<[string, number], SessionRow>('SELECT * FROM sessions WHERE session_id = ? AND expires_at > ?');
  const selectToken = db.prepare<[string, string, number], TokenRow>(
    'SELECT kind, session_id, fiscal_code, expires_at FROM tokens WHERE token = ? AND kind = ? AND expires_at > ?');
  const deleteTokens = db.prepare('DELETE FROM tokens WHERE session_id = ?');
  const deleteSessionRow = db.prepare('DELETE FROM sessions WHERE session_id = ?');
  const purgeTokens = db.prepare('DELETE FROM tokens WHERE expires_at <= ?');
  const purgeSessions = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    ensureUser(u: UserRecord): UserRecord {
      insertUser.run({ fiscalCode: u.fiscalCode, name: u.name, familyName: u.familyName, email: u.email,
        validated: u.isEmailValidated ? 1 : 0, createdAt: u.createdAt.getTime() });
      return toUser(selectUser.get(u.fiscalCode) as UserRow);
    },
    getUser(fiscalCode: string): UserRecord | undefined {
      const r = selectUser.get(fiscalCode);
      return r === undefined ? undefined : toUser(r);
    },
    createSession(s: NewSession): void {
      const exp = s.expiresAt.getTime();
      const sealed = seal(key, JSON.stringify([s.sessionToken, s.walletToken, s.bpdToken, s.myPortalToken]));
      insertSession.run(s.sessionId, s.fiscalCode, s.spidLevel, sealed, '', '', '', s.createdAt.getTime(), exp);
      insertToken.run(tokenKey(s.sessionToken), 'session', s.sessionId, s.fiscalCode, exp);
      insertToken.run(tokenKey(s.walletToken), 'wallet', s.sessionId, s.fiscalCode, exp);
      insertToken.run(tokenKey(s.bpdToken), 'bpd', s.sessionId, s.fiscalCode, exp);
      insertToken.run(tokenKey(s.myPortalToken), 'myPortal', s.sessionId, s.fiscalCode, exp);
    },
    getSession(sessionId: string, now: Date): SessionRecord | undefined {
      const r = selectSession.get(sessionId, now.getTime());
      return r === undefined ? undefined : toSession(key, r);
    },
    findToken(token: string, kind: TokenKind, now: Date): TokenOwner | undefined {
      // A token issued before the time prefix is stored under its hash alone (token-key.ts); one hash for both keys.
      const sha = legacyTokenKey(token);
      const r = selectToken.get(tokenKey(token, sha), kind, now.getTime()) ?? selectToken.get(sha, kind, now.getTime());
      return r === undefined ? undefined
        : { fiscalCode: r.fiscal_code, sessionId: r.session_id, kind: r.kind as TokenKind, expiresAt: new Date(r.expires_at) };
    },
    deleteSession(sessionId: string): boolean {
      deleteTokens.run(sessionId);
      return deleteSessionRow.run(sessionId).changes > 0;
    },
    createPmSession(s: NewPmSession): void {
      insertToken.run(tokenKey(s.token), 'pm', s.sessionId, s.fiscalCode, s.expiresAt.getTime());
    },
    purgeExpired(now: Date): number {
      const n = purgeTokens.run(now.getTime()).changes;
      purgeSessions.run(now.getTime());
      return n;
    },
  };
}
