/**
 * Zero acknowledged writes lost: card additions at load, SIGKILL of the whole server (every
 * cluster worker) mid-run, restart on the same database, and every card that was answered 2xx
 * must be there — for the embedded SQLite store (1 process) and PostgreSQL (2 workers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { openPostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import type { Storage } from '../../reference-server/src/storage/storage.ts';
import { cardBody, login, panFor, type Citizen } from './citizen.ts';
import { closedLoop, sleep } from './load.ts';
import { createTestDatabase, type TestDatabase } from './pg-database.ts';
import { startServer } from './server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-durability-'));
const dbs: TestDatabase[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const d of dbs) await d.drop();
});

interface Ack { fiscalCode: string; idWallet: number }

async function killMidRun(serverArgs: string[], open: () => Promise<Storage>): Promise<{ acked: Ack[]; missing: Ack[] }> {
  // Admission off: every request should reach the store (on a busy box, shedding would only thin the load).
  const srv = await startServer(serverArgs, { PICCO_ADMISSION: 'off' });
  const agent = new Agent({ connections: 64 });
  const citizens: Citizen[] = [];
  for (let i = 0; i < 16; i++) citizens.push(await login(srv.url, 50_000 + i, agent));
  const acked: Ack[] = [];
  const load = closedLoop(32, async (i) => {
    const c = citizens[i % citizens.length]!;
    const r = await c.pm('POST', '/v1/wallet/cc', cardBody(panFor(100_000 + i, 0)));
    if (r.status >= 200 && r.status < 300) {
      acked.push({ fiscalCode: c.fiscalCode, idWallet: (r.json as { data: { idWallet: number } }).data.idWallet });
    }
  });
  // Kill only once the server is demonstrably busy acknowledging writes.
  const t0 = Date.now();
  while (acked.length < 200 && Date.now() - t0 < 20_000) await sleep(20);
  await srv.kill();
  await load.stop();
  await agent.close();
  const restarted = await startServer(serverArgs, { PICCO_ADMISSION: 'off' });
  const storage = await open();
  const missing: Ack[] = [];
  for (const a of acked) if ((await storage.getWallet(a.fiscalCode, a.idWallet)) === undefined) missing.push(a);
  await storage.close();
  await restarted.stop();
  return { acked, missing };
}

describe('durability under SIGKILL', () => {
  it.each([
    ['the default durability wal-fsync (WAL fsynced off the event loop before acknowledging)', ''],
    ['durability=sqlite (synchronous=FULL, WAL)', '?durability=sqlite'],
  ])('loses no acknowledged card on SQLite with %s', async (_name, query) => {
    const file = join(dir, `kill${query === '' ? '' : '-full'}.sqlite`);
    const { acked, missing } = await killMidRun(['--db', `sqlite:${file}${query}`], async () => openSqliteStorage({ path: file }));
    expect(acked.length).toBeGreaterThanOrEqual(200);
    expect(missing).toEqual([]);
  });

  it('loses no acknowledged card on PostgreSQL with 2 workers (synchronous_commit=on)', async () => {
    const db = await createTestDatabase('picco_dur');
    dbs.push(db);
    const { acked, missing } = await killMidRun(['--db', db.url, '--workers', '2'], async () => openPostgresStorage({ url: db.url, poolSize: 4 }));
    expect(acked.length).toBeGreaterThanOrEqual(200);
    expect(missing).toEqual([]);
  });
});
