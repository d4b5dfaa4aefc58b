/**
 * Gives the embedded SQLite store the IdempotencyStore methods (see sqlite-store.ts), so the
 * idempotency layer finds them on `ctx.storage` whichever store `--db` chose; closing the
 * storage closes the extra connection too.
 *
 * @example
 * const storage = withSqliteIdempotency(openSqliteStorage({ path }), path);
 */
import type { Storage } from '../storage/storage.ts';
import { openSqliteIdempotency } from './sqlite-store.ts';
import type { IdempotencyStore } from './store.ts';

export function withSqliteIdempotency(storage: Storage, path: string): Storage & IdempotencyStore {
  const idem = openSqliteIdempotency(path);
  const close = storage.close.bind(storage);
  return Object.assign(storage, {
    reserve: idem.reserve,
    complete: idem.complete,
    release: idem.release,
    purge: idem.purge,
    async close() {
      await close();
      idem.close();
    },
  });
}
