import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import { MIGRATIONS } from '../../reference-server/src/storage/postgres/migrations.ts';
import { TokenCache } from '../../reference-server/src/storage/postgres/token-cache.ts';
import { countRoundTrips } from './pg-round-trips.ts';
import { randomFiscalCode, randomHpan, storageContract } from '../server/storage-contract.ts';
import { createTestDatabase, type TestDatabase } from './pg-database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

storageContract('postgres', async () => openPostgresStorage({ url: db.url, poolSize: 8 }));

describe('postgres storage: what only PostgreSQL adds', () => {
  it('migrates once when several processes open the same database together', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStorage({ url: db.url, poolSize: 2 })));
    const r = await stores[0]!.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM schema_migrations');
    expect(r.rows[0]?.n).toBe(MIGRATIONS.length);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('stores bearer tokens only as hashes and session sub-tokens only sealed', async () => {
    const s = await openPostgresStorage({ url: db.url, poolSize: 2 });
    const tok = 'a'.repeat(40) + Date.now().toString(16);
    await s.createSession({ sessionId: `s${Date.now()}`, fiscalCode: 'RSSMRA80A01H501U', spidLevel: 'L2', sessionToken: `${tok}1`,
      walletToken: `${tok}2`, bpdToken: `${tok}3`, myPortalToken: `${tok}4`, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });
    const dump = await s.pool.query<{ t: string }>("SELECT (SELECT string_agg(t::text, '|') FROM tokens t) || (SELECT string_agg(x::text, '|') FROM sessions x) AS t");
    expect(dump.rows[0]?.t).not.toContain(tok);
    expect((await s.findToken(`${tok}2`, 'wallet', new Date()))?.fiscalCode).toBe('RSSMRA80A01H501U');
    await s.close();
  });

  it('reserves an idempotency key for exactly one of many concurrent requests, then replays', async () => {
    const s = await openPostgresStorage({ url: db.url, poolSize: 8 });
    const now = new Date();
    const rs = await Promise.all(Array.from({ length: 8 }, () => s.reserve('scope', 'k1', 'h1', now, 30_000)));
    expect(rs.filter((r) => r.kind === 'reserved').length).toBe(1);
    expect(rs.filter((r) => r.kind === 'in_progress').length).toBe(7);
    await s.complete('scope', 'k1', { status: 200, body: '{"data":1}', contentType: 'application/json' }, now);
    expect(await s.reserve('scope', 'k1', 'h1', now, 30_000)).toEqual({ kind: 'replay', response: { status: 200, body: '{"data":1}', contentType: 'application/json' } });
    expect((await s.reserve('scope', 'k1', 'other', now, 30_000)).kind).toBe('mismatch');
    // an abandoned reservation is taken over after its lease
    await s.reserve('scope', 'k2', 'h', now, 10);
    expect((await s.reserve('scope', 'k2', 'h', new Date(now.getTime() + 20), 10)).kind).toBe('reserved');
    await s.close();
  });

  it('counts rate-limit hits per window across pools', async () => {
    const a = await openPostgresStorage({ url: db.url, poolSize: 4 });
    const b = await openPostgresStorage({ url: db.url, poolSize: 4 });
    const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).hit('subj', 42)));
    expect([...counts].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await a.close();
    await b.close();
  });

  it('adds a card and counts its write hit in one statement: over the limit nothing is written, across pools and with plain hits', async () => {
    const a = await openPostgresStorage({ url: db.url, poolSize: 4 });
    const b = await openPostgresStorage({ url: db.url, poolSize: 4 });
    const cf = randomFiscalCode();
    const hit = { subject: `cards-${randomHpan()}`, windowStart: 77, limit: 5 };
    const card = (hpan = randomHpan()) => ({ fiscalCode: cf, hpan, maskedPan: '************4242', lastFour: '4242', brand: 'VISA',
      holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false });
    // Eight counted additions from two pools, and two plain hits of the same window, at once: ten
    // hits, a limit of five, so exactly five of the writes are over it (plain hits take their turn).
    const rs = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).addCardCounted(card(), new Date(), hit)),
      a.hit(hit.subject, hit.windowStart), b.hit(hit.subject, hit.windowStart),
    ]);
    const cards = rs.slice(0, 8) as Awaited<ReturnType<typeof a.addCardCounted>>[];
    const plain = rs.slice(8) as number[];
    const within = cards.filter((r) => r.kind === 'created').length + plain.filter((n) => n <= hit.limit).length;
    expect(within).toBe(5);
    expect(cards.every((r) => r.kind === 'created' || r.kind === 'rate_limited')).toBe(true);
    const stored = await a.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM wallets WHERE fiscal_code = $1', [cf]);
    expect(stored.rows[0]?.n).toBe(cards.filter((r) => r.kind === 'created').length);
    expect(await a.hit(hit.subject, hit.windowStart)).toBe(11);

    // A card already verified is refused as before, and its hit still counts; without a hit
    // (addCard) the window is not touched.
    const verifiedHpan = randomHpan();
    const r = await a.addCardCounted(card(verifiedHpan), new Date(), { ...hit, windowStart: 78 });
    expect(r.kind).toBe('created');
    await a.pool.query("UPDATE wallets SET status = 'verified' WHERE fiscal_code = $1 AND hpan = $2", [cf, verifiedHpan]);
    expect((await a.addCardCounted(card(verifiedHpan), new Date(), { ...hit, windowStart: 78 })).kind).toBe('already_exists');
    expect((await a.addCard(card(verifiedHpan), new Date())).kind).toBe('already_exists');
    expect(await a.hit(hit.subject, 78)).toBe(3);
    await a.close();
    await b.close();
  });
});

describe('postgres storage: verified tokens cached per process, dropped on logout anywhere', () => {
  const session = (id: string, t: string) => ({ sessionId: id, fiscalCode: 'RSSMRA80A01H501U', spidLevel: 'L2', sessionToken: `${t}1`,
    walletToken: `${t}2`, bpdToken: `${t}3`, myPortalToken: `${t}4`, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });
  /** Polls until `f` holds, for at most `ms`; returns how long it took. */
  const within = async (f: () => Promise<boolean>, ms = 2_000): Promise<number> => {
    const t0 = Date.now();
    while (!(await f())) {
      if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 1));
    }
    return Date.now() - t0;
  };

  it("a logout, a purge or a direct DELETE committed by another process revokes this process's cached tokens", async () => {
    const a = await openPostgresStorage({ url: db.url, poolSize: 2 });
    const b = await openPostgresStorage({ url: db.url, poolSize: 2 });
    try {
      const now = new Date();
      const t = `c${Date.now().toString(16)}`.padEnd(48, 'x');
      for (const [i, revoke] of [
        (id: string) => b.deleteSession(id),
        (id: string) => b.pool.query('DELETE FROM tokens WHERE session_id = $1', [id]),
        (id: string) => b.pool.query('UPDATE tokens SET expires_at = $2 WHERE session_id = $1', [id, now]),
        () => b.purgeExpired(new Date(Date.now() + 120_000)),
      ].entries()) {
        const id = `cache-${Date.now()}-${i}`;
        await b.createSession(session(id, `${t}${i}`));
        expect((await a.findToken(`${t}${i}2`, 'wallet', now))?.sessionId).toBe(id);
        expect((await a.findToken(`${t}${i}2`, 'wallet', now))?.sessionId).toBe(id); // from a's cache
        await revoke(id);
        await within(async () => (await a.findToken(`${t}${i}2`, 'wallet', now)) === undefined);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('serves nothing from the cache while its LISTEN connection is down, and starts empty when it is back', async () => {
    const s = await openPostgresStorage({ url: db.url, poolSize: 2 });
    try {
      const now = new Date();
      const t = `l${Date.now().toString(16)}`.padEnd(48, 'z');
      await s.createSession(session(`listen-${Date.now()}`, t));
      const trips = async (token: string): Promise<number> => {
        const c = countRoundTrips();
        await s.findToken(token, 'wallet', now);
        return c.stop();
      };
      expect(await trips(`${t}2`)).toBe(1);
      expect(await trips(`${t}2`)).toBe(0);
      await s.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN picco_tokens'",
        [`picco-${process.pid}`]);
      await within(async () => (await trips(`${t}2`)) === 1); // down: every lookup reaches the database
      // A logout committed while nobody listened is never announced to this process...
      await s.pool.query('DELETE FROM tokens WHERE session_id LIKE $1', ['listen-%']);
      // ...so once the connection is back (after about a second), caching resumes from empty.
      await s.createSession(session(`back-${Date.now()}`, `${t}b`));
      await within(async () => (await trips(`${t}b2`)) === 0, 5_000);
      expect(await s.findToken(`${t}2`, 'wallet', now)).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it('does not cache a lookup that was in flight when anything was dropped, nor anything while LISTEN is down', async () => {
    const cache = await TokenCache.listen(db.url);
    try {
      const owner = { fiscalCode: 'RSSMRA80A01H501U', sessionId: 's1', kind: 'pm' as const, expiresAt: new Date(Date.now() + 60_000) };
      const now = new Date();
      let g = cache.generation;
      cache.forgetSessions(['another']); // a logout announced while the lookup was at PostgreSQL
      cache.put('t1', 'pm', owner, g);
      expect(cache.get('t1', 'pm', now)).toBeUndefined();
      g = cache.generation;
      cache.put('t1', 'pm', owner, g);
      expect(cache.get('t1', 'pm', now)).toBe(owner);
      expect(cache.get('t1', 'wallet', now)).toBeUndefined(); // never across kinds
      expect(cache.get('t1', 'pm', owner.expiresAt)).toBeUndefined(); // expiry judged on every hit
      await cache.close();
      cache.put('t2', 'pm', owner, cache.generation);
      expect(cache.get('t2', 'pm', now)).toBeUndefined();
    } finally {
      await cache.close();
    }
  });
});

describe('postgres storage when the database is not there', () => {
  it('fails with a StorageFailure (503 downstream.unavailable), not a raw driver error (500)', async () => {
    const { createPool } = await import('../../reference-server/src/storage/postgres/pool.ts');
    const { StorageFailure } = await import('../../reference-server/src/storage/storage.ts');
    // A port nothing listens on: ECONNREFUSED.
    const pool = createPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    await expect(pool.query('SELECT 1')).rejects.toBeInstanceOf(StorageFailure);
    await pool.end();
  });
});
