/**
 * Builds the 2020 architecture's limits and puts them on the request path (createApp calls
 * this instead of the resilience layer when `deps.architecture` is set):
 *
 * - every payment manager request (REST API and 3DS pages) holds one of `pmThreads` worker
 *   threads from the moment it arrives until its response is written, waiting for a thread in
 *   FIFO order without limit, as a servlet container's executor does;
 * - SIA's card services sit behind one pool of `bankingConnections`: step 1 of a card addition
 *   (POST /v1/wallet/cc: the card vault and circuit check that also finds a duplicate, ASSUMPTION
 *   from S32's "adding cards on international circuits"), the verification payment (acquirer),
 *   the 3DS challenge (issuer's ACS), the PagoBancomat search and the wallet list itself
 *   (seed 001) all take a connection from it, the thread still held; a connection is waited for
 *   without limit and a call may take up to `downstreamTimeoutMs` (30 s, past the app's 16 s);
 * - io-backend's profile look-up (GET /api/v1/profile, GET /pagopa/api/v1/user and PM's getUser
 *   inside every start-session unless `noticeEmailCache`) waits for one of `profileLookups`
 *   at most `profileTimeoutMs`; past it the look-up is a system error, answered 401 while
 *   `systemErrorsAs401` (so the app logs the citizen out) and 500 after the fix.
 *
 * Nothing is refused at the door and nothing fails at random: the only failures are a client
 * timing out (it left; the server works on), the profile look-up's timeout, and with
 * `unboundedWaits: false` a wait past `boundedWaitMs` (503 at once).
 *
 * @example
 * const arch = createArchitecture2020(resolveArchitecture2020({ rateScale: 0.06 }), metrics);
 * const downstream = arch.downstream(createDownstream({}, env));
 * chain([edge, ...arch.stages('GET', '/pp-restapi-CD/v2/wallet'), handler]);
 */
import type { Context } from 'hono';
import type { Stage } from '../chain.ts';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../context.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { Downstream } from '../downstream/services.ts';
import { DownstreamError, type SimulatedService } from '../downstream/simulator.ts';
import type { ServiceName } from '../downstream/faults.ts';
import { FixedPool, PoolWaitTimeout } from './fixed-pool.ts';
import type { Architecture2020 } from './config.ts';

const PM = '/pp-restapi-CD';
const PM_PAGES = ['/wallet/checkout', '/acs/challenge', '/wallet/loginMethod'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Architecture2020Runtime {
  config: Architecture2020;
  /** The simulated services with acquirer, ACS and the PagoBancomat processors on SIA's pool. */
  downstream(base: Downstream): Downstream;
  /** The worker threads, the banking calls and the profile look-ups a route waits for, as stages of its chain. */
  stages(method: string, path: string): Stage[];
  /** GET /__picco/architecture: the configuration and each pool's state. */
  describe(c: Context<AppEnv>): Response;
}

export function createArchitecture2020(config: Architecture2020, metrics: ServerMetrics): Architecture2020Runtime {
  const gauges = { inFlight: metrics.downstreamInFlight, queued: metrics.downstreamQueueDepth };
  const wait = config.unboundedWaits ? undefined : config.boundedWaitMs;
  const cap = config.capacity;
  const threads = new FixedPool('pm-workers', cap.pmThreads, wait, gauges);
  const banking = new FixedPool('sia-banking', cap.bankingConnections, wait, gauges);
  const walletList = config.bulkhead ? new FixedPool('sia-wallet-list', cap.walletListConnections, wait, gauges) : banking;
  const listThreads = config.bulkhead ? new FixedPool('pm-wallet-list-workers', cap.walletListThreads, wait, gauges) : threads;
  // io-backend is Node with a fetch timeout: its wait is bounded whatever unboundedWaits says
  const profile = new FixedPool('io-profile', cap.profileLookups, config.profileTimeoutMs, gauges);
  const pools = [threads, banking, ...(config.bulkhead ? [listThreads, walletList] : []), profile];
  const isWalletList = (method: string, path: string) => method === 'GET' && (path === `${PM}/v2/wallet` || path === `${PM}/v1/wallet`);

  const count = (service: string, outcome: string) => metrics.downstreamCalls.labels(service, outcome).inc();

  /** One call to SIA's card services on `pool`: a connection, then the call's own time. */
  const bankingCall = async (pool: FixedPool, service: ServiceName | 'sia-card-vault' | 'sia-wallet-list'): Promise<void> => {
    const started = performance.now();
    try {
      await pool.run(async () => {
        const r = config.bankingCallMs;
        const ms = r.minMs + (r.maxMs - r.minMs) * Math.random();
        if (ms > config.downstreamTimeoutMs) {
          await sleep(config.downstreamTimeoutMs);
          throw new DownstreamError(service as ServiceName, 'timeout');
        }
        await sleep(ms);
      });
      count(service, 'ok');
    } catch (err) {
      if (err instanceof PoolWaitTimeout) {
        count(service, 'rejected');
        throw new DownstreamError(service as ServiceName, 'rejected');
      }
      if (err instanceof DownstreamError) count(service, err.kind);
      throw err;
    } finally {
      metrics.downstreamDuration.labels(service).observe((performance.now() - started) / 1000);
    }
  };

  /** io-backend's profile look-up; a timeout is a system error, 401 until the 4-7 Dec fix. */
  const profileLookup = async (): Promise<void> => {
    try {
      await profile.run(async () => {
        const r = config.profileLookupMs;
        await sleep(r.minMs + (r.maxMs - r.minMs) * Math.random());
      });
      count('io-profile', 'ok');
    } catch (err) {
      if (!(err instanceof PoolWaitTimeout)) throw err;
      count('io-profile', 'timeout');
      if (config.systemErrorsAs401) throw new ApiError('auth.unauthorized', 'io-backend: profile look-up failed (system error answered as 401)');
      throw new ApiError('downstream.unavailable', 'io-backend: profile look-up failed', 500);
    }
  };

  const onBanking = (pool: FixedPool, service: Parameters<typeof bankingCall>[1]): Stage =>
    async (_c, next) => {
      await bankingCall(pool, service).catch(mapDownstream);
      return next();
    };

  function proxied(svc: SimulatedService, name: ServiceName): SimulatedService {
    const call = (): Promise<void> => bankingCall(banking, name);
    return new Proxy(svc, {
      get(target, prop, receiver) {
        if (prop === 'call') return call;
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  return {
    config,
    downstream(base: Downstream): Downstream {
      const all = { ...base.all };
      for (const n of ['acquirer', 'acs', 'iccrea', 'nexi', 'sia'] as const) all[n] = proxied(base.all[n], n);
      return {
        acquirer: all.acquirer, acs: all.acs, ibanCheck: all.ibanCheck,
        processors: { ICCREA: all.iccrea, NEXI: all.nexi, SIA: all.sia }, all,
        configure: (p) => base.configure(p),
      };
    },
    stages(method: string, path: string): Stage[] {
      const out: Stage[] = [];
      if (path.startsWith(`${PM}/`) || PM_PAGES.includes(path)) {
        const pool = isWalletList(method, path) ? listThreads : threads;
        out.push((_c, next) => pool.run(async () => next()).catch(mapDownstream));
      }
      if (method === 'POST' && path === `${PM}/v1/wallet/cc`) out.push(onBanking(banking, 'sia-card-vault'));
      if (config.walletListCallsBanking && method === 'GET' && (path === `${PM}/v2/wallet` || path === `${PM}/v1/wallet`)) {
        out.push(onBanking(walletList, walletList === banking ? 'sia-card-vault' : 'sia-wallet-list'));
      }
      const lookup: Stage = async (_c, next) => {
        await profileLookup();
        return next();
      };
      if (method === 'GET' && (path === '/api/v1/profile'
        || (!config.noticeEmailCache && (path === `${PM}/v1/users/actions/start-session` || path === '/pagopa/api/v1/user')))) {
        out.push(lookup);
      }
      return out;
    },
    describe(c: Context<AppEnv>): Response {
      return c.json({ ...config, pools: Object.fromEntries(pools.map((p) => [p.name, p.stats()])) }, 200);
    },
  };
}

/** A banking or thread wait that timed out (only with unboundedWaits false): 503 at once. */
function mapDownstream(err: unknown): never {
  if (err instanceof PoolWaitTimeout) throw new ApiError('downstream.unavailable', `${err.pool}: no capacity`);
  if (err instanceof DownstreamError) {
    throw new ApiError(err.kind === 'timeout' ? 'downstream.timeout' : 'downstream.unavailable', `${err.service}: ${err.kind}`);
  }
  throw err;
}
