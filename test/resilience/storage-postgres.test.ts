import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import { MIGRATIONS } from '../../reference-server/src/storage/postgres/migrations.ts';
import { storageContract } from '../server/storage-contract.ts';
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
