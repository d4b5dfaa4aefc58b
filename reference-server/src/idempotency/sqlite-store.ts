/**
 * Idempotency keys for the embedded SQLite store, in the same database file, through a
 * connection of their own (WAL allows it) with the same durability (synchronous=FULL): a
 * stored response survives kill -9 like the card it describes. The table is created here, not
 * in the storage migrations, so the idempotency layer stays a module one can remove.
 * `:memory:` databases get a private in-memory table (tests; nothing to survive).
 *
 * Trade-off: two fsyncs per keyed request (reserve, complete), paid only by requests that
 * carry an Idempotency-Key. Rate limits with SQLite are per process (see rate-limit.ts): the
 * embedded store serves one process, `--workers N` needs PostgreSQL.
 *
 * @example
 * const store = openSqliteIdempotency('picco.db');
 */
import Database from 'better-sqlite3';
import type { IdempotencyStore, ReserveResult, StoredResponse } from './store.ts';

export function openSqliteIdempotency(path: string): IdempotencyStore & { close(): void } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope TEXT NOT NULL, key_hash TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL,
    status INTEGER, body TEXT, content_type TEXT, locked_until INTEGER NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key_hash))`);
  const ins = db.prepare(`INSERT INTO idempotency_keys (scope, key_hash, request_hash, state, locked_until, created_at)
    VALUES (?, ?, ?, 'pending', ?, ?)
    ON CONFLICT (scope, key_hash) DO UPDATE SET request_hash = excluded.request_hash, locked_until = excluded.locked_until,
      created_at = excluded.created_at
    WHERE idempotency_keys.state = 'pending' AND idempotency_keys.locked_until < excluded.created_at`);
  const sel = db.prepare<[string, string], { request_hash: string; state: string; status: number | null; body: string | null; content_type: string | null }>(
    'SELECT request_hash, state, status, body, content_type FROM idempotency_keys WHERE scope = ? AND key_hash = ?');
  const done = db.prepare("UPDATE idempotency_keys SET state = 'completed', status = ?, body = ?, content_type = ? WHERE scope = ? AND key_hash = ?");
  const del = db.prepare("DELETE FROM idempotency_keys WHERE scope = ? AND key_hash = ? AND state = 'pending'");
  const purge = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?');

  return {
    async reserve(scope: string, keyHash: string, requestHash: string, now: Date, leaseMs: number): Promise<ReserveResult> {
      if (ins.run(scope, keyHash, requestHash, now.getTime() + leaseMs, now.getTime()).changes > 0) return { kind: 'reserved' };
      const r = sel.get(scope, keyHash);
      if (r === undefined) return { kind: 'in_progress' };
      if (r.request_hash !== requestHash) return { kind: 'mismatch' };
      if (r.state !== 'completed') return { kind: 'in_progress' };
      return { kind: 'replay', response: { status: r.status ?? 200, body: r.body ?? '', contentType: r.content_type ?? 'application/json' } };
    },
    async complete(scope: string, keyHash: string, response: StoredResponse): Promise<void> {
      done.run(response.status, response.body, response.contentType, scope, keyHash);
    },
    async release(scope: string, keyHash: string): Promise<void> {
      del.run(scope, keyHash);
    },
    async purge(olderThan: Date): Promise<number> {
      return purge.run(olderThan.getTime()).changes;
    },
    close() {
      db.close();
    },
  };
}
