/**
 * createStorage(dbUrl): the one place that turns a `--db` value into a Storage.
 * `sqlite:PATH` (or a bare path) opens the embedded store; `sqlite::memory:` an in-memory one
 * (tests); `sqlite:PATH?durability=sqlite` lets SQLite fsync inside COMMIT (synchronous=FULL)
 * instead of the default wal-fsync; `sqlite:PATH?synchronous=normal` drops the fsync for comparison
 * runs. `postgres://` / `postgresql://` opens the PostgreSQL store.
 *
 * @example
 * const storage = await createStorage('sqlite:picco.db');
 */
import { openSqliteStorage } from './sqlite/sqlite-storage.ts';
import type { Storage } from './storage.ts';
import { withSqliteIdempotency } from '../idempotency/with-sqlite.ts';

export type { Storage } from './storage.ts';

export class StorageUnsupported extends Error {
  readonly code = 'PICCO_ERR_STORAGE_UNSUPPORTED';
}

export async function createStorage(dbUrl: string): Promise<Storage> {
  if (dbUrl.startsWith('postgres://') || dbUrl.startsWith('postgresql://')) {
    const { openPostgresStorage } = await import('./postgres/postgres-storage.ts');
    return openPostgresStorage({ url: dbUrl });
  }
  const [spec = '', query] = dbUrl.split('?', 2);
  const path = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : spec;
  if (path === '') throw new StorageUnsupported(`--db '${dbUrl}' names no file: write sqlite:PATH`);
  // sqlite:PATH?synchronous=normal: a comparison knob (see SqliteOptions.synchronous), not the default.
  const sync = new URLSearchParams(query ?? '').get('synchronous')?.toUpperCase();
  if (sync !== undefined && sync !== 'FULL' && sync !== 'NORMAL') {
    throw new StorageUnsupported(`--db '${dbUrl}': synchronous must be full or normal`);
  }
  // sqlite:PATH?durability=wal-fsync (default) | sqlite (synchronous=FULL): the same guarantee, see SqliteOptions.
  const durability = new URLSearchParams(query ?? '').get('durability') ?? undefined;
  if (durability !== undefined && durability !== 'sqlite' && durability !== 'wal-fsync') {
    throw new StorageUnsupported(`--db '${dbUrl}': durability must be sqlite or wal-fsync`);
  }
  return withSqliteIdempotency(openSqliteStorage({ path, ...(sync !== undefined ? { synchronous: sync } : {}),
    ...(durability !== undefined ? { durability } : {}) }), path);
}
