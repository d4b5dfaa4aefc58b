/**
 * Request rate per bearer token: fixed one-second windows, 429 `request.rate_limited` with
 * Retry-After when a token exceeds its budget. Tokens are identified by SHA-256, never stored
 * or labelled in clear.
 *
 * Where the count lives is the trade-off. Writes (POST/PUT/PATCH/DELETE) are counted in the
 * database when the store offers it (PostgreSQL: one upsert per write, exact across
 * `--workers`); a write already costs a transaction, so one more statement is a bounded tax.
 * Reads are counted in the process (N workers allow at most N × the budget): a database round
 * trip on every wallet list would double the cost of the hottest read to catch an abuse the
 * per-class bulkheads already contain. Requests without a bearer token are not counted here.
 *
 * @example
 * app.use('*', rateLimit({ store, writesPerSecond: 20, readsPerSecond: 100 }));
 */
import { hash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
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

export function rateLimit(opts: RateLimitOptions = {}): MiddlewareHandler {
  const writes = opts.writesPerSecond ?? 20;
  const reads = opts.readsPerSecond ?? 100;
  const now = opts.now ?? Date.now;
  const problem = opts.problem ?? ((c, status, code, message) => c.json({ code, message }, status));
  let window = 0;
  let local = new Map<string, number>();
  let lastPurge = 0;

  const localHit = (subject: string, w: number): number => {
    if (w !== window) {
      window = w;
      local = new Map();
    }
    const n = (local.get(subject) ?? 0) + 1;
    local.set(subject, n);
    return n;
  };

  return async (c, next) => {
    const auth = c.req.header('authorization');
    if (auth === undefined || !auth.startsWith('Bearer ')) return next();
    const isWrite = WRITE.has(c.req.method);
    const t = now();
    const w = Math.floor(t / 1000);
    // crypto.hash: the one-shot form, without a Hash object per request.
    const subject = hash('sha256', isWrite ? `w:${auth}` : `r:${auth}`, 'hex');
    let n: number;
    if (isWrite && opts.store !== undefined) {
      n = await opts.store.hit(subject, w);
      if (t - lastPurge > 60_000) {
        lastPurge = t;
        opts.store.purgeWindows(w - 60).catch(() => undefined);
      }
    } else {
      n = localHit(subject, w);
    }
    if (n > (isWrite ? writes : reads)) {
      c.header('Retry-After', '1');
      return problem(c, 429, 'request.rate_limited', `more than ${isWrite ? writes : reads} ${isWrite ? 'writes' : 'reads'} per second for this token`);
    }
    return next();
  };
}
