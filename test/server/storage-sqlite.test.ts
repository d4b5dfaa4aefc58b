import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { storageContract } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storageContract('sqlite (default: durability wal-fsync)', async () => openSqliteStorage({ path: join(dir, `db-${n++}.sqlite`) }));
storageContract('sqlite durability=sqlite (synchronous=FULL)', async () =>
  openSqliteStorage({ path: join(dir, `db-${n++}.sqlite`), durability: 'sqlite' }));

describe('sqlite token cache', () => {
  const T0 = new Date('2020-12-07T09:00:00Z');
  const tok = () => randomBytes(48).toString('hex');
  const session = () => ({ sessionId: tok(), fiscalCode: 'RSSMRA80A01H501U', spidLevel: 'https://www.spid.gov.it/SpidL2',
    sessionToken: tok(), walletToken: tok(), bpdToken: tok(), myPortalToken: tok(), createdAt: T0,
    expiresAt: new Date(T0.getTime() + 3600_000) });

  it('refuses a cached token once another process sharing the file logged it out', async () => {
    const path = join(dir, `shared-${n++}.sqlite`);
    const a = openSqliteStorage({ path });
    const b = openSqliteStorage({ path });
    try {
      const sess = session();
      await a.createSession(sess);
      expect((await a.findToken(sess.sessionToken, 'session', T0))?.sessionId).toBe(sess.sessionId);
      expect((await a.findToken(sess.sessionToken, 'session', T0))?.sessionId).toBe(sess.sessionId); // now from the cache
      expect(await b.deleteSession(sess.sessionId)).toBe(true);
      expect(await a.findToken(sess.sessionToken, 'session', T0)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a cached token after its own logout and after its expiry, and never across kinds', async () => {
    const s = openSqliteStorage({ path: join(dir, `own-${n++}.sqlite`) });
    try {
      const sess = session();
      await s.createSession(sess);
      expect((await s.findToken(sess.walletToken, 'wallet', T0))?.kind).toBe('wallet');
      expect(await s.findToken(sess.walletToken, 'bpd', T0)).toBeUndefined();
      expect(await s.findToken(sess.walletToken, 'wallet', sess.expiresAt)).toBeUndefined();
      expect((await s.findToken(sess.walletToken, 'wallet', T0))?.kind).toBe('wallet');
      expect(await s.deleteSession(sess.sessionId)).toBe(true);
      expect(await s.findToken(sess.walletToken, 'wallet', T0)).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
