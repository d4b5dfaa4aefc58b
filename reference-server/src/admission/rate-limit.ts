/**
 * Request rate per bearer token: fixed one-second windows, 429 `request.rate_limited` with
 * Retry-After when a token exceeds its budget. A token reaches the database only as SHA-256 and
 * is never labelled; the in-process counters hold the Authorization header for the current
 * second only (as the process already holds verified tokens, token-cache.ts), so a request
 * counted in the process costs no hash and no promise.
 *
 * Where the count lives is the trade-off. Writes (POST/PUT/PATCH/DELETE) are counted in the
 * database when the store offers it (PostgreSQL: one upsert per write, exact across
 * `--workers`); a write already costs a transaction, so one more statement is a bounded tax.
 * Reads are counted in the process (N workers allow at most N × the budget): a database round
 * trip on every wallet list would double the cost of the hottest read to catch an abuse the
 * per-class bulkheads already contain. Requests without a bearer token are not counted here.
 *
 * `.writeCounted` is the same limit for a route whose store write takes the hit itself, in the
 * write's own statement (a card addition: `RateLimitStore.addCardCounted`): the stage leaves the
 * hit on the context (`writeHit`) for the handler, so the write is one round trip, not two. A
 * request that never reaches that write (a 400, an idempotent replay) is counted by the stage
 * afterwards, and answered 429 if that hit was over the budget, as if counted first; a write the
 * store refused as over the budget is answered 429 and wrote nothing.
 *
 * @example
 * const limit = rateLimit({ store, writesPerSecond: 20, readsPerSecond: 100 });
 * chain([edge, limit, handler]); chain([edge, limit.writeCounted, addCreditCard]);
 */
import { hash } from 'node:crypto';
import type { Context } from 'hono';
import type { Stage } from '../chain.ts';
import { header } from '../request-header.ts';
import type { RateLimitStore } from '../idempotency/store.ts';
import type { AppEnv, PendingWriteHit } from '../context.ts';

export interface RateLimitOptions {
  /** Shared counters for writes; without it, writes are counted in the process. */
  store?: RateLimitStore;
  /** Default 20 writes per second per token. */
  writesPerSecond?: number;
  /** Default 100 reads per second per token. */
  readsPerSecond?: number;
  now?: () => number;
  problem?: (c: Context, status: 429, code: string, message: string) => Response;
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The rate limit as a stage, and the same limit for routes whose write counts its own hit. */
export type RateLimit = Stage & { writeCounted: Stage };

export function rateLimit(opts: RateLimitOptions = {}): RateLimit {
  const writes = opts.writesPerSecond ?? 20;
  const reads = opts.readsPerSecond ?? 100;
  const now = opts.now ?? Date.now;
  const store = opts.store;
  const problem = opts.problem ?? ((c, status, code, message) => c.json({ code, message }, status));
  let window = 0;
  // Authorization header -> requests in `window`, reads and writes apart.
  let localReads = new Map<string, number>();
  let localWrites = new Map<string, number>();
  let lastPurge = 0;
  // Authorization header -> the SHA-256 subject the database counts under, for the headers seen
  // lately (a citizen's writes come in runs); bounded by starting over.
  let subjects = new Map<string, string>();
  const subjectOf = (auth: string): string => {
    let s = subjects.get(auth);
    if (s === undefined) {
      if (subjects.size >= 65_536) subjects = new Map();
      s = hash('sha256', `w:${auth}`, 'hex');
      subjects.set(auth, s);
    }
    return s;
  };

  const refuse = (c: Context, isWrite: boolean): Response => {
    c.header('Retry-After', '1');
    return problem(c, 429, 'request.rate_limited', `more than ${isWrite ? writes : reads} ${isWrite ? 'writes' : 'reads'} per second for this token`);
  };

  const purge = (t: number, w: number): void => {
    if (store !== undefined && t - lastPurge > 60_000) {
      lastPurge = t;
      store.purgeWindows(w - 60).catch(() => undefined);
    }
  };

  const limit: Stage = (c, next) => {
    const auth = header(c, 'authorization');
    if (auth === undefined || !auth.startsWith('Bearer ')) return next();
    const isWrite = WRITE.has(c.req.method);
    const t = now();
    const w = Math.floor(t / 1000);
    if (isWrite && store !== undefined) {
      purge(t, w);
      return store.hit(subjectOf(auth), w).then((n) => (n > writes ? refuse(c, true) : next()));
    }
    if (w !== window) {
      window = w;
      localReads = new Map();
      localWrites = new Map();
    }
    const counts = isWrite ? localWrites : localReads;
    const n = (counts.get(auth) ?? 0) + 1;
    counts.set(auth, n);
    return n > (isWrite ? writes : reads) ? refuse(c, isWrite) : next();
  };

  /**
   * What happens after the route ran: its hit taken by the store, or taken now. Synchronous when
   * the store took it (the card addition's usual path: no promise beyond the route's own).
   */
  const settle = (c: Context<AppEnv>, hit: PendingWriteHit, res: Response | void, failed?: { err: unknown }): Response | void | Promise<Response | void> => {
    if (hit.outcome === undefined) {
      return store!.hit(hit.subject, hit.windowStart).then((n) => {
        hit.outcome = n > hit.limit ? 'over' : 'within';
        return settle(c, hit, res, failed);
      });
    }
    if (hit.outcome === 'over') return refuse(c, true);
    if (failed !== undefined) throw failed.err;
    return res;
  };

  const writeCounted: Stage = (c, next) => {
    const auth = header(c, 'authorization');
    if (store === undefined || auth === undefined || !auth.startsWith('Bearer ') || !WRITE.has(c.req.method)) return limit(c, next);
    const t = now();
    const w = Math.floor(t / 1000);
    purge(t, w);
    const hit: PendingWriteHit = { subject: subjectOf(auth), windowStart: w, limit: writes, outcome: undefined };
    c.set('writeHit', hit);
    let inner: Response | Promise<Response | void> | void;
    try {
      inner = next();
    } catch (err) {
      return settle(c, hit, undefined, { err });
    }
    if (!(inner instanceof Promise)) return settle(c, hit, inner);
    return inner.then((res) => settle(c, hit, res), (err: unknown) => settle(c, hit, undefined, { err }));
  };

  return Object.assign(limit, { writeCounted });
}
