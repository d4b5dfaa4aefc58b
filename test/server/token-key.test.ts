import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyTokenKey, newToken, tokenKey } from '../../reference-server/src/storage/token-key.ts';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { TokenCache } from '../../reference-server/src/storage/sqlite/token-cache.ts';

const random = { bytes: (n: number) => randomBytes(n) };
const T0 = new Date('2020-12-07T18:15:00.123Z');
const session = (tok: () => string = () => newToken(random, T0)) => ({ sessionId: tok(), fiscalCode: 'RSSMRA80A01H501U',
  spidLevel: 'https://www.spid.gov.it/SpidL2', sessionToken: tok(), walletToken: tok(), bpdToken: tok(), myPortalToken: tok(),
  createdAt: T0, expiresAt: new Date(T0.getTime() + 3600_000) });

describe('bearer tokens and their keys at rest', () => {
  it('issues 96 hex characters whose first 12 are the issue time and the rest random', () => {
    const a = newToken(random, T0);
    const b = newToken(random, T0);
    expect(a).toMatch(/^[0-9a-f]{96}$/);
    expect(Number.parseInt(a.slice(0, 12), 16)).toBe(T0.getTime());
    expect(a.slice(0, 12)).toBe(b.slice(0, 12));
    expect(a.slice(12)).not.toBe(b.slice(12));
  });

  it('keys a token by its issue time then its SHA-256, so later tokens sort after earlier ones', () => {
    const t = newToken(random, T0);
    const sha = createHash('sha256').update(t).digest('hex');
    expect(tokenKey(t)).toBe(t.slice(0, 12) + sha);
    expect(legacyTokenKey(t)).toBe(sha);
    const keys = [0, 1, 2, 1000, 86_400_000].map((ms) => tokenKey(newToken(random, new Date(T0.getTime() + ms))));
    expect([...keys].sort()).toEqual(keys);
  });
});

describe('sqlite tokens at rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picco-token-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores each token under its key, never in clear, and finds it', async () => {
    const path = join(dir, 'keys.sqlite');
    const s = openSqliteStorage({ path });
    const sess = session();
    try {
      await s.createSession(sess);
      await s.createPmSession({ token: newToken(random, T0), sessionId: sess.sessionId, fiscalCode: sess.fiscalCode, createdAt: T0, expiresAt: sess.expiresAt });
      expect((await s.findToken(sess.bpdToken, 'bpd', T0))?.sessionId).toBe(sess.sessionId);
    } finally {
      await s.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      const keys = (db.prepare('SELECT token FROM tokens').pluck().all() as string[]).sort();
      expect(keys).toHaveLength(5);
      for (const t of [sess.sessionToken, sess.walletToken, sess.bpdToken, sess.myPortalToken]) expect(keys).toContain(tokenKey(t));
      const dump = JSON.stringify(db.prepare('SELECT * FROM tokens').all()) + JSON.stringify(db.prepare('SELECT * FROM sessions').all());
      for (const t of [sess.sessionToken, sess.walletToken, sess.bpdToken, sess.myPortalToken]) expect(dump).not.toContain(t);
    } finally {
      db.close();
    }
  });

  it('still finds a token written before the time prefix, under its hash alone', async () => {
    const path = join(dir, 'legacy.sqlite');
    const s = openSqliteStorage({ path });
    const old = randomBytes(48).toString('hex');
    try {
      await s.createSession(session());
      const db = new Database(path);
      db.prepare('INSERT INTO tokens (token, kind, session_id, fiscal_code, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(createHash('sha256').update(old).digest('hex'), 'pm', 'legacy-session', 'RSSMRA80A01H501U', T0.getTime() + 3600_000);
      db.close();
      expect(await s.findToken(old, 'pm', T0)).toMatchObject({ sessionId: 'legacy-session', kind: 'pm' });
      expect(await s.findToken(old, 'wallet', T0)).toBeUndefined();
      expect(await s.findToken(randomBytes(48).toString('hex'), 'pm', T0)).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});

describe('sqlite tokens this process issued', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picco-token-issued-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const owner = { fiscalCode: 'RSSMRA80A01H501U', sessionId: 's1', kind: 'wallet' as const, expiresAt: new Date(T0.getTime() + 3600_000) };

  it('are answered from the cache without a lookup, under the cache\'s rules', () => {
    let version = 1;
    const cache = new TokenCache(() => version);
    let loads = 0;
    const load = () => { loads++; return undefined; };
    cache.lookup('warm', 'wallet', T0, load); // reads data_version once
    loads = 0;
    cache.issued('t1', 'wallet', owner);
    expect(cache.lookup('t1', 'wallet', T0, load)).toEqual(owner);
    expect(loads).toBe(0);
    expect(cache.lookup('t1', 'pm', T0, load)).toBeUndefined(); // never across kinds
    expect(cache.lookup('t1', 'wallet', owner.expiresAt, load)).toBeUndefined(); // expired
    expect(loads).toBe(2);
    cache.issued('t2', 'wallet', owner);
    cache.forgetSession('s1'); // a logout here
    expect(cache.lookup('t2', 'wallet', T0, load)).toBeUndefined();
    cache.issued('t3', 'wallet', owner);
    version = 2; // another connection wrote (a logout elsewhere)
    return new Promise<void>((done) => setImmediate(() => {
      expect(cache.lookup('t3', 'wallet', T0, load)).toBeUndefined();
      done();
    }));
  });

  it('are refused after a logout another process sharing the file committed', async () => {
    const path = join(dir, 'issued.sqlite');
    const a = openSqliteStorage({ path });
    const b = openSqliteStorage({ path });
    try {
      const sess = session();
      await a.createSession(sess);
      const pm = newToken(random, T0);
      await a.createPmSession({ token: pm, sessionId: sess.sessionId, fiscalCode: sess.fiscalCode, createdAt: T0, expiresAt: sess.expiresAt });
      expect((await a.findToken(sess.walletToken, 'wallet', T0))?.sessionId).toBe(sess.sessionId);
      expect((await a.findToken(pm, 'pm', T0))?.kind).toBe('pm');
      expect(await b.deleteSession(sess.sessionId)).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(await a.findToken(sess.sessionToken, 'session', T0)).toBeUndefined();
      expect(await a.findToken(pm, 'pm', T0)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
