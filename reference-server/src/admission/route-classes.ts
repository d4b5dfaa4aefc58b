/**
 * Route classes: the bulkheads. Each class gets its own adaptive limit, so a surge of card
 * additions fills the `card-write` compartment and is shed there, while `/info`, the session
 * calls and the wallet list keep their own capacity. Logins, PM session starts and logouts are
 * durable writes (they wait for the group commit's fsync) and come in storms of their own (after
 * the 7 Dec update every impatient citizen reopened the app): they have their own compartment,
 * `session-write`, so a login storm is shed there and never holds the slots of `/info` and the
 * session reads (`io-light`), which answer from memory or one indexed read.
 *
 * Trade-off: classification runs before routing (admission must be cheap and come before body
 * parsing), so it matches on method and raw path prefixes, not on the router's pattern. A
 * request that matches nothing falls in `other`. Priority decides who is shed first when the
 * event loop itself lags (all classes share one CPU): `low` first, then `normal`; `critical`
 * only ever by its own limit.
 *
 * @example
 * classifyRoute('POST', '/pp-restapi-CD/v1/wallet/cc') // 'card-write'
 */
export type RouteClass =
  | 'io-light'
  | 'session-write'
  | 'wallet-read'
  | 'card-write'
  | 'bancomat-search'
  | 'bpd-read'
  | 'bpd-write'
  | 'other';

export type Priority = 'critical' | 'normal' | 'low';

export interface ClassConfig {
  priority: Priority;
  initial: number;
  min: number;
  max: number;
  /** Requests allowed to wait for a slot; beyond, refused at once. */
  maxQueue: number;
  /** How long one may wait for a slot before it is refused. */
  maxWaitMs: number;
  /** RTT inflation over the baseline accepted before the limit shrinks (see GradientLimiter). */
  tolerance?: number;
  /** Absolute service-time ceiling (ms) above which the limit shrinks (see GradientLimiter). */
  targetMs?: number;
}

/** Defaults per class (per process). Written for a 2-core box; `--workers` multiplies them. */
export const CLASS_DEFAULTS: Record<RouteClass, ClassConfig> = {
  'io-light': { priority: 'critical', initial: 64, min: 32, max: 512, maxQueue: 256, maxWaitMs: 100, targetMs: 100 },
  // A login is two durable writes: like card-write, a floor that keeps group-commit batches
  // large; normal priority, so under loop lag logins are shed before /info and the wallet list.
  // Its queue holds what a slow fsync brings, as card-write's does: at the 7 Dec peak at 0.51 of
  // the national rate on one core, with 256 waiting, the login storm after the update was refused
  // 803 times because the queue was full and 187 times for waiting past 100 ms (2026-12-07).
  'session-write': { priority: 'normal', initial: 64, min: 32, max: 512, maxQueue: 512, maxWaitMs: 100, tolerance: 2, targetMs: 200 },
  'wallet-read': { priority: 'critical', initial: 64, min: 32, max: 512, maxQueue: 256, maxWaitMs: 100, targetMs: 100 },
  // Durable writes are group-committed (one fsync per batch): a floor of 64 keeps batches
  // large; the 200 ms ceiling stops the limit where more writes in flight only add latency
  // (measured: SQLite card additions peak near 128 in flight and collapse by 512). A tighter
  // ceiling sheds work a saturated core would still have finished: every refusal costs CPU too.
  // The queue absorbs one slow fsync, not only a sustained overload: at 6,750 card additions/s
  // a 20-50 ms fsync (seen on a shared disk) brings 135-340 arrivals while nothing completes;
  // with 128 queued and 50 ms of patience an open-model run at 80 % of capacity lost ~3,000
  // of 67,500 to 503s, with 512 and 100 ms none (2026-12-07). Overload still sheds: past
  // 100 ms in the queue, or past 512 waiting.
  'card-write': { priority: 'low', initial: 128, min: 64, max: 512, maxQueue: 512, maxWaitMs: 100, tolerance: 2, targetMs: 200 },
  'bancomat-search': { priority: 'low', initial: 32, min: 4, max: 256, maxQueue: 32, maxWaitMs: 50 },
  'bpd-read': { priority: 'normal', initial: 32, min: 8, max: 512, maxQueue: 128, maxWaitMs: 100 },
  'bpd-write': { priority: 'low', initial: 64, min: 16, max: 512, maxQueue: 64, maxWaitMs: 50, tolerance: 2, targetMs: 50 },
  other: { priority: 'normal', initial: 32, min: 4, max: 512, maxQueue: 64, maxWaitMs: 50 },
};

const PM = '/pp-restapi-CD';

/**
 * The class of a request, or null for requests never shed: metrics, health, and the rehearsal's
 * control routes under /__picco/ (releasing the app update, reading the architecture): shedding
 * those would change the rehearsal's script, not protect the citizens' paths.
 */
export function classifyRoute(method: string, path: string): RouteClass | null {
  if (path === '/metrics' || path === '/healthz' || path.startsWith('/__picco/')) return null;
  if (path.startsWith(PM)) {
    const p = path.slice(PM.length);
    if (method === 'GET') {
      if (p.startsWith('/v2/wallet') || p.startsWith('/v1/wallet')) return 'wallet-read';
      if (p.startsWith('/v1/users/actions/start-session')) return 'session-write';
      if (p.startsWith('/v1/bancomat/pans')) return 'bancomat-search';
      if (p.startsWith('/v1/bancomat/abi')) return 'io-light';
      return 'card-write';
    }
    return 'card-write';
  }
  if (path.startsWith('/bpd/')) return method === 'GET' ? 'bpd-read' : 'bpd-write';
  if (path === '/test-login' || path === '/logout') return 'session-write';
  if (path === '/info' || path.startsWith('/api/v1/') || path.startsWith('/pagopa/api/')) {
    return 'io-light';
  }
  return 'other';
}
