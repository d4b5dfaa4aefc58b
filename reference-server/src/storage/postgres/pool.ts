/**
 * The pg pool every domain operation goes through, one statement (one round trip, one implicit
 * transaction) per operation: no operation holds a client across round trips.
 *
 * Trade-off: READ COMMITTED plus unique constraints (not SERIALIZABLE) — every cross-worker
 * rule is a constraint that PostgreSQL checks at insert time, so no operation needs to retry on
 * serialization failures; operations that read-then-write one row lock it (`FOR UPDATE`) inside
 * a migration-3 function, which is still one statement.
 * Durability: synchronous_commit is forced `on` per connection, so a statement returns only
 * after the WAL is flushed: a resolved promise has survived kill -9 of the server and of PostgreSQL.
 *
 * @example
 * const pool = createPool('postgres://postgres@127.0.0.1:5432/picco');
 */
import pg from 'pg';
import { StorageFailure } from '../storage.ts';

// BIGINT (int8) ids and counters fit in a double for any realistic run; parse them as numbers.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface PoolOptions {
  /** Connections per process. Default 8 (PICCO_PG_POOL): on 2 cores shared with PostgreSQL, more connections measured slower. */
  max?: number;
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? Number(process.env["PICCO_PG_POOL"] ?? 8),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    // Statements never outlive the client's 16 s; a stuck lock fails the request instead.
    statement_timeout: 10_000,
    options: '-c synchronous_commit=on',
    // One name per process: pg_stat_activity shows which worker holds which connection.
    application_name: `picco-${process.pid}`,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // PostgreSQL unreachable, full or shutting down is an outage of a dependency, not a bug: it
  // becomes a StorageFailure, which the app answers 503 downstream.unavailable instead of 500.
  const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  const connect = pool.connect.bind(pool) as (...a: unknown[]) => Promise<pg.PoolClient> | undefined;
  (pool as unknown as { query: unknown }).query = (...a: unknown[]) => query(...a).catch(rethrowUnavailable);
  // pg's own query() calls connect(callback): only the promise form is wrapped.
  (pool as unknown as { connect: unknown }).connect = (...a: unknown[]) =>
    a.length > 0 ? connect(...a) : connect()!.catch(rethrowUnavailable);
  return pool;
}

const UNAVAILABLE = new Set(['53300', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

/** True for errors that mean "the database is not there right now" (SQLSTATE classes 08, 53300, 57P0x; socket errors). */
export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE.has(code)) return true;
  const msg = (err as { message?: unknown }).message;
  return typeof msg === 'string' && /timeout exceeded when trying to connect|Connection terminated/i.test(msg);
}

export function rethrowUnavailable(err: unknown): never {
  if (isUnavailable(err)) {
    const code = (err as { code?: unknown }).code;
    throw new StorageFailure(`database unavailable${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  throw err;
}
