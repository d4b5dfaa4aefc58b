/**
 * createApp(deps): the whole reference server as a Hono app, with no listener, so tests drive it
 * through app.request() and main.ts is the only place that opens a socket. Storage, clock,
 * random source, downstream services, metrics registry and configuration are all passed in.
 * The three real APIs share one origin at their real paths: io-backend at `/`, the payment
 * manager under `/pp-restapi-CD`, BPD under `/bpd/io`; picco's own endpoints under `/__picco`.
 *
 * @example
 * const { app } = await createApp({ storage, clock: { now: () => new Date() }, random, registry, config });
 * const res = await app.request('/info');
 */
import { Hono, type Context } from 'hono';
import { ApiError } from './errors.ts';
import { createMetrics } from './metrics.ts';
import { route, type Before, type Method, type RouteHandler, type RouteList } from './route.ts';
import { answered, edge, errorResponse } from './edge.ts';
import { bearer } from './auth.ts';
import { RuntimeSettings } from './settings.ts';
import { createDownstream } from './downstream/services.ts';
import { testLogin } from './io/login.ts';
import { getPagoPaUser, getProfile, getSession, logout } from './io/session.ts';
import { getBackendStatus, getInfo } from './io/info.ts';
import { startSession } from './wallet/start-session.ts';
import { addCreditCard } from './wallet/add-card.ts';
import { acsChallenge, checkoutPage, loginMethodPage, payVerification } from './wallet/verify-card.ts';
import {
  checkCardBin, confirmWallet, deleteWallet, favouriteWallet, getWallet, listWalletsV1, listWalletsV2, updateWallet,
} from './wallet/wallet-actions.ts';
import { abiJson, addBancomatWallets, listAbi, searchBancomat } from './wallet/bancomat.ts';
import { deleteCitizen, enrollCitizen, getCitizen, getRanking, patchIban } from './cashback/citizen.ts';
import { disableInstrument, enableInstrument, getInstrument } from './cashback/instruments.ts';
import { awardReadout, listAwardPeriods, listWinningTransactions, totalCashback } from './cashback/winning.ts';
import { ingestTransactions } from './cashback/ingest.ts';
import { downstreamState, getFaults, health, metricsText, putFaults, putInfo } from './admin.ts';
import type { AppContext, AppDeps, AppEnv } from './context.ts';
import { installResilience } from './admission/install.ts';
import { guardServices } from './admission/guarded-services.ts';
import { createArchitecture2020 } from './architecture-2020/install.ts';

export type { AppDeps, ServerConfig } from './context.ts';

export const PM = '/pp-restapi-CD';

export interface ReferenceApp {
  app: Hono<AppEnv>;
  ctx: AppContext;
  /** Every route as `METHOD /pattern` (OpenAPI style). */
  routes: readonly string[];
}

export async function createApp(deps: AppDeps): Promise<ReferenceApp> {
  const metrics = createMetrics(deps.registry, { defaultMetrics: deps.defaultMetrics ?? true });
  deps.storage.registerMetrics?.(deps.registry);
  const rnd = () => deps.random.float();
  // --architecture 2020 replaces the guarded (timeout + breaker) services and the resilience layer
  const arch2020 = deps.architecture !== undefined ? createArchitecture2020(deps.architecture, metrics) : undefined;
  const base = deps.downstream?.(metrics, rnd) ?? createDownstream(deps.config.faults, { random: rnd, metrics });
  const downstream = arch2020 !== undefined ? arch2020.downstream(base) : guardServices(base);
  const settings = new RuntimeSettings(deps.config.info, deps.config.faults, deps.storage, deps.clock, downstream,
    deps.config.settingsRefreshMs);
  await settings.refresh();
  const ctx: AppContext = { storage: deps.storage, clock: deps.clock, random: deps.random, config: deps.config, metrics,
    downstream, settings, registry: deps.registry };

  const app = new Hono<AppEnv>();
  const routes: RouteList = [];
  const log = deps.log;

  // Every route runs the edge (context, timing, metrics, errors), then the 2020 architecture's
  // pools or the resilience layer, then its own checks and handlers: one Hono handler (chain.ts).
  const resilience = arch2020 === undefined || arch2020.config.admissionControl
    ? installResilience(app, ctx, deps.resilience ?? {}).stages : undefined;
  const before: Before = (label, method, path) => [
    edge(ctx, label, log),
    ...(arch2020?.stages(method, path) ?? []),
    ...(resilience?.(method, path) ?? []),
  ];

  // Errors thrown past a route's edge (none expected) still get the envelope.
  app.onError((err, c) => errorResponse(err, c, log));

  app.notFound((c) => {
    const method = c.req.method;
    const e = new ApiError('route.not_found', `${method} ${new URL(c.req.url).pathname}`);
    c.set('ctx', ctx);
    return answered(ctx, log, `${method} unmatched`, performance.now(), c.json(e.envelope(), 404));
  });

  const r = (m: Method, p: string, ...h: RouteHandler[]) => route(app, routes, before, m, p, ...h);

  // io-backend
  r('POST', '/test-login', testLogin);
  r('GET', '/info', getInfo);
  r('GET', '/api/v1/session', bearer('session'), getSession);
  r('GET', '/api/v1/profile', bearer('session'), getProfile);
  r('POST', '/logout', bearer('session'), logout);
  r('GET', '/pagopa/api/v1/user', bearer('wallet', 'token'), getPagoPaUser);
  r('GET', '/status/backend.json', getBackendStatus);
  r('GET', '/status/abi.json', abiJson);

  // payment manager
  r('GET', `${PM}/v1/users/actions/start-session`, startSession);
  r('GET', `${PM}/v2/wallet`, bearer('pm'), listWalletsV2);
  r('GET', `${PM}/v1/wallet`, bearer('pm'), listWalletsV1);
  r('POST', `${PM}/v1/wallet/cc`, bearer('pm'), addCreditCard);
  r('POST', `${PM}/v1/wallet/actions/check-card-bin`, bearer('pm'), checkCardBin);
  r('GET', `${PM}/v1/wallet/:id`, bearer('pm'), getWallet);
  r('PUT', `${PM}/v1/wallet/:id`, bearer('pm'), updateWallet);
  r('DELETE', `${PM}/v1/wallet/:id`, bearer('pm'), deleteWallet);
  r('POST', `${PM}/v1/wallet/:id/actions/confirm`, bearer('pm'), confirmWallet);
  r('POST', `${PM}/v1/wallet/:id/actions/favourite`, bearer('pm'), favouriteWallet);
  r('POST', `${PM}/v1/payments/cc/actions/pay`, bearer('pm'), payVerification);
  r('GET', `${PM}/v1/bancomat/abi`, bearer('pm'), listAbi);
  r('GET', `${PM}/v1/bancomat/pans`, bearer('pm'), searchBancomat);
  r('POST', `${PM}/v1/bancomat/add-wallets`, bearer('pm'), addBancomatWallets);
  // 3DS pages the app's webview visited (outside the REST basePath)
  r('GET', '/wallet/checkout', checkoutPage);
  r('GET', '/acs/challenge', acsChallenge);
  r('GET', '/wallet/loginMethod', loginMethodPage);

  // BPD
  r('GET', '/bpd/io/citizen', bearer('bpd'), getCitizen);
  r('PUT', '/bpd/io/citizen', bearer('bpd'), enrollCitizen);
  r('PATCH', '/bpd/io/citizen', bearer('bpd'), patchIban);
  r('DELETE', '/bpd/io/citizen', bearer('bpd'), deleteCitizen);
  r('GET', '/bpd/io/citizen/ranking', bearer('bpd'), getRanking);
  r('GET', '/bpd/io/payment-instruments/:hpan', bearer('bpd'), getInstrument);
  r('PUT', '/bpd/io/payment-instruments/:hpan', bearer('bpd'), enableInstrument);
  r('DELETE', '/bpd/io/payment-instruments/:hpan', bearer('bpd'), disableInstrument);
  r('GET', '/bpd/io/award-periods', bearer('bpd'), listAwardPeriods);
  r('GET', '/bpd/io/winning-transactions', bearer('bpd'), listWinningTransactions);
  r('GET', '/bpd/io/winning-transactions/total-cashback', bearer('bpd'), totalCashback);

  // picco's own
  r('POST', '/__picco/acquirer/transactions', ingestTransactions);
  r('GET', '/__picco/bpd/award', bearer('bpd'), awardReadout);
  r('GET', '/__picco/faults', getFaults);
  r('PUT', '/__picco/faults', putFaults);
  r('PUT', '/__picco/info', putInfo);
  r('GET', '/__picco/health', health);
  r('GET', '/__picco/downstream', downstreamState);
  r('GET', '/__picco/architecture', (c: Context<AppEnv>) => arch2020?.describe(c) ?? c.json({ architecture: 'resilient' }, 200));
  r('GET', '/metrics', metricsText);

  return { app, ctx, routes };
}
