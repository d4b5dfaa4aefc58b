/**
 * The Idempotency-Key header on POST /v1/wallet/cc and PUT /bpd/io/payment-instruments/{hpan}:
 * a retry after a client timeout (the app waits 16 s, then the user presses "riprova") returns
 * the original result instead of a second effect. Without the header nothing changes: a second
 * add of the same card is the real 422 creditcard.already_exists.
 *
 * Keys are scoped per citizen and route: the bearer token is resolved to its fiscal code (a PM
 * token refresh between attempts keeps the scope), and the key, the token's owner and the
 * request (method, path, body) are stored only as SHA-256. The same key with a different
 * request is 422 `idempotency.key_reused`; while the first attempt is still running, 409
 * `idempotency.in_progress` with Retry-After. Responses 2xx and 4xx are stored and replayed
 * (with `Idempotent-Replayed: true`); 5xx, 401, 429 and 503 are transient and release the key.
 *
 * @example
 * app.use('/pp-restapi-CD/v1/wallet/cc', idempotency({ store, resolveOwner }));
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { IdempotencyStore } from './store.ts';

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** The fiscal code behind the request's bearer token, or undefined (then auth answers 401). */
  resolveOwner: (c: Context) => Promise<string | undefined>;
  /** Methods the key applies to. Default POST, PUT, PATCH. */
  methods?: readonly string[];
  /** How long a reservation blocks others before it counts as abandoned. Default 30 s (> the app's 16 s). */
  leaseMs?: number;
  now?: () => Date;
  /** Builds an error response in the server's envelope. */
  problem?: (c: Context, status: 409 | 422 | 400, code: string, message: string) => Response;
}

const KEY_RE = /^[\x21-\x7e]{1,255}$/;
const TRANSIENT = new Set([401, 408, 429, 503]);

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

export function idempotency(opts: IdempotencyOptions): MiddlewareHandler {
  const methods = new Set(opts.methods ?? ['POST', 'PUT', 'PATCH']);
  const leaseMs = opts.leaseMs ?? 30_000;
  const now = opts.now ?? (() => new Date());
  const problem = opts.problem ?? ((c, status, code, message) => c.json({ code, message }, status));

  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || !methods.has(c.req.method)) return next();
    if (!KEY_RE.test(key)) {
      return problem(c, 400, 'idempotency.invalid_key', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    }
    const owner = await opts.resolveOwner(c);
    if (owner === undefined) return next();
    const body = c.req.method === 'GET' ? '' : await c.req.text();
    const scope = sha(`${owner}\n${c.req.method} ${c.req.path}`);
    const keyHash = sha(key);
    const requestHash = sha(`${c.req.method}\n${c.req.path}\n${body}`);
    const r = await opts.store.reserve(scope, keyHash, requestHash, now(), leaseMs);
    if (r.kind === 'replay') {
      return new Response(r.response.body, {
        status: r.response.status,
        headers: { 'content-type': r.response.contentType, 'idempotent-replayed': 'true' },
      });
    }
    if (r.kind === 'mismatch') {
      return problem(c, 422, 'idempotency.key_reused', 'this Idempotency-Key was used for a different request');
    }
    if (r.kind === 'in_progress') {
      c.header('Retry-After', '1');
      return problem(c, 409, 'idempotency.in_progress', 'a request with this Idempotency-Key is still being processed');
    }
    let stored = false;
    try {
      await next();
      const status = c.res.status;
      if (status < 500 && !TRANSIENT.has(status)) {
        const text = await c.res.clone().text();
        await opts.store.complete(scope, keyHash, {
          status, body: text, contentType: c.res.headers.get('content-type') ?? 'application/json',
        }, now());
        stored = true;
      }
    } finally {
      if (!stored) await opts.store.release(scope, keyHash).catch(() => undefined);
    }
  };
}
