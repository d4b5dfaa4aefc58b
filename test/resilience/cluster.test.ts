/**
 * `picco serve --workers 2` over PostgreSQL: concurrent duplicate requests spread over both
 * workers never produce a duplicate card or an hpan owned twice, and an Idempotency-Key holds
 * across workers. Every request uses its own connection, so the cluster's round robin spreads
 * them over both processes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage, type PostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import { cardBody, call, login, panFor } from './citizen.ts';
import { createTestDatabase, type TestDatabase } from './pg-database.ts';
import { startServer, type ServerProcess } from './server-process.ts';

let db: TestDatabase;
let srv: ServerProcess;
let store: PostgresStorage;
beforeAll(async () => {
  db = await createTestDatabase('picco_cluster');
  // Admission off: the rules under test live in the database; shedding on a busy box is not the point.
  srv = await startServer(['--db', db.url, '--workers', '2'], { PICCO_ADMISSION: 'off' });
  store = await openPostgresStorage({ url: db.url, poolSize: 2 });
});
afterAll(async () => {
  await store?.close();
  await srv?.stop();
  await db?.drop();
});

/** A fresh connection per request: with node:cluster round robin, consecutive connections land on different workers. */
const fresh = () => new Agent({ connections: 1, pipelining: 0 });

describe('picco serve --workers', () => {
  it('exits 2 naming the flag when N > 1 workers would share the embedded SQLite store', () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/picco.js', import.meta.url)), 'serve', '--port', '0', '--workers', '2',
      '--db', 'sqlite:unused.sqlite'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workers 2 needs --db postgres:\/\//);
  });
});

describe('two workers, one database', () => {
  it('serves from two worker processes, each with its own connections', async () => {
    for (let i = 0; i < 8; i++) {
      const a = fresh();
      await call(srv.url, 'GET', '/pp-restapi-CD/v2/wallet', 'no-such-token', undefined, {}, a);
      await a.close();
    }
    const r = await store.pool.query<{ n: number }>(
      `SELECT COUNT(DISTINCT application_name)::int AS n FROM pg_stat_activity
       WHERE datname = $1 AND application_name LIKE 'picco-%' AND application_name <> $2`, [db.name, `picco-${process.pid}`]);
    expect(r.rows[0]?.n).toBe(2);
    expect(srv.output()).not.toMatch(/worker \d+ exited/);
  });

  it('keeps one wallet per card when the same card is added 24 times at once', async () => {
    const c = await login(srv.url, 61_001);
    const pan = panFor(61_001, 0);
    const agents = Array.from({ length: 24 }, fresh);
    const rs = await Promise.all(agents.map((a) => call(srv.url, 'POST', '/pp-restapi-CD/v1/wallet/cc', c.pmToken, cardBody(pan), {}, a)));
    await Promise.all(agents.map((a) => a.close()));
    // 24 writes in one second from one token also meet the per-token write limit (20/s, counted
    // in the database across both workers): those answer 429 and write nothing.
    expect(rs.map((r) => r.status).filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(rs.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    const ids = new Set(rs.filter((r) => r.status < 300).map((r) => (r.json as { data: { idWallet: number } }).data.idWallet));
    expect(ids.size).toBe(1);
    const rows = await store.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM wallets WHERE fiscal_code = $1', [c.fiscalCode]);
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('gives a contested hpan exactly one owner when six citizens enable it at once', async () => {
    const citizens = await Promise.all([0, 1, 2, 3, 4, 5].map((k) => login(srv.url, 62_000 + k)));
    for (const c of citizens) expect((await c.bpd('PUT', '/bpd/io/citizen')).status).toBe(200);
    const hpan = createHash('sha256').update(`contested-${Date.now()}`).digest('hex');
    const agents = citizens.map(fresh);
    const rs = await Promise.all(citizens.map((c, k) => call(srv.url, 'PUT', `/bpd/io/payment-instruments/${hpan}`, c.bpdToken, undefined, {}, agents[k])));
    await Promise.all(agents.map((a) => a.close()));
    expect(rs.filter((r) => r.status === 200).length).toBe(1);
    expect(rs.filter((r) => r.status === 409).length).toBe(5);
    const rows = await store.pool.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM instruments WHERE hpan = $1 AND status = 'ACTIVE'", [hpan]);
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('applies one Idempotency-Key once across workers and replays the stored answer', async () => {
    const c = await login(srv.url, 63_001);
    const body = cardBody(panFor(63_001, 0));
    const key = `retry-${Date.now()}`;
    const agents = Array.from({ length: 12 }, fresh);
    const rs = await Promise.all(agents.map((a) => call(srv.url, 'POST', '/pp-restapi-CD/v1/wallet/cc', c.pmToken, body, { 'idempotency-key': key }, a)));
    await Promise.all(agents.map((a) => a.close()));
    const ok = rs.filter((r) => r.status < 300);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(rs.every((r) => r.status < 300 || r.status === 409)).toBe(true);
    const ids = new Set(ok.map((r) => (r.json as { data: { idWallet: number } }).data.idWallet));
    expect(ids.size).toBe(1);
    const [idWallet] = [...ids];
    // Verify the card (as the 3DS step would), so a plain retry becomes the real 422.
    const v = await store.startVerification(c.fiscalCode, idWallet!, { nonce: 'n', amountCents: 1 }, new Date());
    if (v.kind !== 'started') throw new Error(v.kind);
    await store.completeVerification(v.verification.id, 'n', 'authorized', new Date());
    const replay = await c.pm('POST', '/v1/wallet/cc', body, { 'idempotency-key': key });
    expect(replay.status).toBe(ok[0]!.status);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((replay.json as { data: { idWallet: number } }).data.idWallet).toBe(idWallet);
    const plain = await c.pm('POST', '/v1/wallet/cc', body);
    expect(plain.status).toBe(422);
    expect((plain.json as { message: string }).message).toBe('creditcard.already_exists');
    const reused = await c.pm('POST', '/v1/wallet/cc', cardBody(panFor(63_001, 1)), { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect((reused.json as { code: string }).code).toBe('idempotency.key_reused');
  });
});
