/**
 * The pg pool and the one transaction helper every domain operation goes through.
 *
 * Trade-off: READ COMMITTED plus unique constraints (not SERIALIZABLE) — every cross-worker
 * rule is a constraint that PostgreSQL checks at insert time, so no operation needs to retry on
 * serialization failures; operations that read-then-write one row lock it (`FOR UPDATE`).
 * Durability: synchronous_commit is forced `on` per connection, so COMMIT returns only after
 * the WAL is flushed: a resolved promise has survived kill -9 of the server and of PostgreSQL.
 *
 * @example
 * const v = await tx(pool, async (c) => (await c.query('SELECT 1')).rows);
 */
import pg from 'pg';

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
  return pool;
}

export async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const v = await fn(c);
    await c.query('COMMIT');
    return v;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** SQLSTATE 23505: unique_violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
