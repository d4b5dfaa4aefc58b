/**
 * createStorage(dbUrl): the one place that turns a `--db` value into a Storage.
 * `sqlite:PATH` (or a bare path) opens the embedded store; `sqlite::memory:` an in-memory one
 * (tests). `postgres://` / `postgresql://` is the hook for the PostgreSQL implementation:
 * until it is wired, it throws StorageUnsupported, which `picco serve` reports as exit 2.
 *
 * @example
 * const storage = await createStorage('sqlite:/tmp/picco.db');
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
  const path = dbUrl.startsWith('sqlite:') ? dbUrl.slice('sqlite:'.length) : dbUrl;
  if (path === '') throw new StorageUnsupported(`--db '${dbUrl}' names no file: write sqlite:PATH`);
  return withSqliteIdempotency(openSqliteStorage({ path }), path);
}
