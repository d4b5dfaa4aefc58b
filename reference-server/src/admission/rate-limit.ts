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
 * @example
 * chain([edge, rateLimit({ store, writesPerSecond: 20, readsPerSecond: 100 }), handler]);
 */
import { hash } from 'node:crypto';
import type { Context } from 'hono';
import type { Stage } from '../chain.ts';
import { header } from '../request-header.ts';
import type { RateLimitStore } from '../idempotency/store.ts';

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

export function rateLimit(opts: RateLimitOptions = {}): Stage {
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

  return (c, next) => {
    const auth = header(c, 'authorization');
    if (auth === undefined || !auth.startsWith('Bearer ')) return next();
    const isWrite = WRITE.has(c.req.method);
    const t = now();
    const w = Math.floor(t / 1000);
    if (isWrite && store !== undefined) {
      if (t - lastPurge > 60_000) {
        lastPurge = t;
        store.purgeWindows(w - 60).catch(() => undefined);
      }
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
}
