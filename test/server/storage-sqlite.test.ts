import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { storageContract } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storageContract('sqlite (default: durability wal-fsync)', async () => openSqliteStorage({ path: join(dir, `db-${n++}.sqlite`) }));
storageContract('sqlite durability=sqlite (synchronous=FULL)', async () =>
  openSqliteStorage({ path: join(dir, `db-${n++}.sqlite`), durability: 'sqlite' }));
