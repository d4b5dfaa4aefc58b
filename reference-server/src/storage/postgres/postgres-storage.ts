/**
 * The store past one machine: PostgreSQL through a pg pool, the same Storage contract as the
 * SQLite store, plus the idempotency keys and per-token rate windows that `--workers N` need
 * to share. Every rule that must hold across workers is a constraint or a single atomic
 * statement here; the one thing a worker keeps in memory is its verified tokens, dropped when
 * PostgreSQL announces a logout (token-cache.ts states the residual window).
 *
 * Durability: each connection runs with synchronous_commit=on, so a resolved write has reached
 * PostgreSQL's WAL on disk (fsync=on is PostgreSQL's default and is checked at open). A
 * server (or PostgreSQL) killed with SIGKILL after a 2xx loses nothing it acknowledged.
 *
 * @example
 * const storage = await openPostgresStorage({ url: 'postgres://postgres@127.0.0.1:5432/picco' });
 */
import type pg from 'pg';
import type { Storage } from '../storage.ts';
import type { IdempotencyStore, RateLimitStore, ReserveResult, StoredResponse } from '../../idempotency/store.ts';
import { Batcher } from './batcher.ts';
import { cashbackOps } from './cashback.ts';
import { migrate } from './migrations.ts';
import { createPool } from './pool.ts';
import { keyFrom } from './sealed-tokens.ts';
import { sessionOps } from './sessions.ts';
import { TokenCache } from './token-cache.ts';
import { walletOps } from './wallets.ts';

export interface PostgresOptions {
  url: string;
  /** Pool size per process. Default 8 (PICCO_PG_POOL). */
  poolSize?: number;
  /**
   * Statements of one batched kind (card additions, rate hits, token lookups) at PostgreSQL at
   * once; concurrent calls beyond it wait and share the next statement. Default 1
   * (PICCO_PG_BATCH_INFLIGHT): on 2 cores shared with PostgreSQL, fewer and larger batches cost
   * less CPU per card (93-96 µs against 101-120 µs at 2 in flight, 2026-12-06).
   */
  batchInFlight?: number;
  /**
   * Card-addition statements at PostgreSQL at once. Default 3 (PICCO_PG_CARD_INFLIGHT): a card
   * statement waits for its WAL flush, and with one in flight PostgreSQL's work on the next batch
   * waits for that flush too; with more, one batch executes while others wait to be flushed, which
   * PostgreSQL then flushes together. A statement beyond the first goes only with a batch worth
   * sending (`cardOverlapAt`). The other batched kinds (token lookups,
   * write-rate hits of other writes) never wait for a flush and keep `batchInFlight`.
   */
  cardInFlight?: number;
  /**
   * A second (or third) card statement goes out while one is at PostgreSQL only with this many
   * cards waiting. Default 12 (PICCO_PG_CARD_OVERLAP_AT): statements overlap under load, each with
   * a batch worth its parse, plan and commit. Measured on 2 cores under wrk -c32 (2026-12-06, ABBA
   * rounds, server and PostgreSQL CPU per card from /proc): 1 (any backlog overlaps)
   * 5,342-6,135/s with PostgreSQL at 86-97 µs a card; 12: 6,545-7,064/s at 66-74 µs; 24 no better
   * than one statement at a time.
   */
  cardOverlapAt?: number;
}

/** A numeric setting from the environment; unset, empty, 0 or not a number gives the default. */
const setting = (name: string, d: number): number => Number(process.env[name] ?? d) || d;

export type PostgresStorage = Storage & IdempotencyStore & RateLimitStore & { readonly pool: pg.Pool };

export async function openPostgresStorage(opts: PostgresOptions): Promise<PostgresStorage> {
  const pool = createPool(opts.url, opts.poolSize === undefined ? {} : { max: opts.poolSize });
  let key: Buffer;
  try {
    const c = await pool.connect();
    try {
      await migrate(c);
      const secret = process.env['PICCO_DB_SECRET'];
      const row = (await c.query<{ value: string }>("SELECT value FROM db_secrets WHERE name = 'token_key'")).rows[0];
      key = keyFrom(secret !== undefined && secret !== '' ? secret : (row?.value ?? ''));
    } finally {
      c.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const inFlight = opts.batchInFlight ?? setting('PICCO_PG_BATCH_INFLIGHT', 1);
  const tokenCache = await TokenCache.listen(opts.url);
  const s = sessionOps(pool, () => key, tokenCache, inFlight);
  const w = walletOps(pool, opts.cardInFlight ?? setting('PICCO_PG_CARD_INFLIGHT', 3), opts.cardOverlapAt ?? setting('PICCO_PG_CARD_OVERLAP_AT', 12));
  const c = cashbackOps(pool);
  // Write-rate hits: every write request counts one, so concurrent hits share one upsert; the
  // hits of one (subject, window) in a batch get consecutive counts, as if sent one by one. The
  // windows are locked in key order, as the card additions that carry their own hit lock them
  // (wallets.ts), so two statements never wait on each other's windows in a cycle.
  const hits = new Batcher<{ subject: string; window: number }, number>(async (items) => {
    const r = await pool.query<{ subject: string; window_start: number; hits: number }>({
      name: 'rate_hits',
      text: `INSERT INTO rate_windows (subject, window_start, hits)
             SELECT s, w, count(*) FROM unnest($1::text[], $2::bigint[]) AS q(s, w) GROUP BY s, w ORDER BY s, w
             ON CONFLICT (subject, window_start) DO UPDATE SET hits = rate_windows.hits + excluded.hits
             RETURNING subject, window_start, hits`,
      values: [items.map((i) => i.subject), items.map((i) => i.window)],
    });
    const key = (s: string, w: number): string => `${s}\n${w}`;
    const total = new Map<string, number>();
    for (const i of items) total.set(key(i.subject, i.window), (total.get(key(i.subject, i.window)) ?? 0) + 1);
    const last = new Map<string, number>();
    for (const row of r.rows) last.set(key(row.subject, row.window_start), row.hits);
    const seen = new Map<string, number>();
    return items.map((i) => {
      const k = key(i.subject, i.window);
      const rank = (seen.get(k) ?? 0) + 1;
      seen.set(k, rank);
      return (last.get(k) ?? total.get(k)!) - total.get(k)! + rank;
    });
  }, { maxInFlight: inFlight });
  let closed = false;
  // One statement: take the key (new, or abandoned past its lease) or read what holds it. A row
  // inserted by a concurrent request after the statement's snapshot is in neither branch: then
  // the statement runs again and reads it.
  const reserve = async (scope: string, keyHash: string, requestHash: string, now: Date, leaseMs: number): Promise<ReserveResult> => {
    const r = (await pool.query<{ reserved: boolean; request_hash: string; state: string; status: number | null; body: string | null; content_type: string | null }>({
      name: 'reserve_key',
      text: `WITH ins AS (INSERT INTO idempotency_keys (scope, key_hash, request_hash, state, locked_until, created_at)
               VALUES ($1, $2, $3, 'pending', $4, $5)
               ON CONFLICT (scope, key_hash) DO UPDATE SET request_hash = excluded.request_hash,
                 locked_until = excluded.locked_until, created_at = excluded.created_at
               WHERE idempotency_keys.state = 'pending' AND idempotency_keys.locked_until < excluded.created_at
               RETURNING 1)
             SELECT true AS reserved, NULL AS request_hash, NULL AS state, NULL::int AS status, NULL AS body, NULL AS content_type FROM ins
             UNION ALL
             SELECT false, request_hash, state, status, body, content_type FROM idempotency_keys
             WHERE scope = $1 AND key_hash = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
      values: [scope, keyHash, requestHash, new Date(now.getTime() + leaseMs), now],
    })).rows[0];
    if (r === undefined) return reserve(scope, keyHash, requestHash, now, leaseMs);
    if (r.reserved) return { kind: 'reserved' };
    if (r.request_hash !== requestHash) return { kind: 'mismatch' };
    if (r.state !== 'completed') return { kind: 'in_progress' };
    return { kind: 'replay', response: { status: r.status ?? 200, body: r.body ?? '', contentType: r.content_type ?? 'application/json' } };
  };

  return {
    kind: 'postgres',
    pool,
    ...s,
    ...w,
    ...c,
    deleteCitizenCascade: (cf, now, o) => c.deleteCitizenCascade(cf, now, o?.failAt),

    async getSetting(k: string): Promise<unknown> {
      const r = await pool.query<{ value: unknown }>({ name: 'get_setting', text: 'SELECT value FROM settings WHERE key = $1', values: [k] });
      return r.rows[0]?.value;
    },
    async putSetting(k: string, value: unknown, now: Date): Promise<void> {
      await pool.query({
        name: 'put_setting',
        text: `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, $3)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        values: [k, JSON.stringify(value ?? null), now],
      });
    },

    reserve,
    async complete(scope: string, keyHash: string, response: StoredResponse): Promise<void> {
      await pool.query({
        name: 'complete_key',
        text: "UPDATE idempotency_keys SET state = 'completed', status = $3, body = $4, content_type = $5 WHERE scope = $1 AND key_hash = $2",
        values: [scope, keyHash, response.status, response.body, response.contentType],
      });
    },
    async release(scope: string, keyHash: string): Promise<void> {
      await pool.query({ name: 'release_key', text: "DELETE FROM idempotency_keys WHERE scope = $1 AND key_hash = $2 AND state = 'pending'", values: [scope, keyHash] });
    },
    async purge(olderThan: Date): Promise<number> {
      return (await pool.query('DELETE FROM idempotency_keys WHERE created_at < $1', [olderThan])).rowCount ?? 0;
    },
    hit(subject: string, windowStart: number): Promise<number> {
      return hits.call({ subject, window: windowStart });
    },
    async purgeWindows(before: number): Promise<number> {
      return (await pool.query('DELETE FROM rate_windows WHERE window_start < $1', [before])).rowCount ?? 0;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await tokenCache.close();
      await pool.end();
    },
  };
}
