/**
 * How the IO app (1.11-1.14, Dec 2020) talked to its three backends, shared by every journey.
 *
 * Client behaviour, as the app had it (domain brief, "Client retry behaviour"):
 * - PM calls: 16 s timeout, no automatic retry; on a PM 401 the app refreshes the PM session once
 *   (start-session with the wallet token) and repeats the call.
 * - io-backend / BPD calls: 8 s timeout.
 * - After a failed wallet / card / BPD load the next attempt waits 2^attempt s (2, 4, 8, 16).
 * - Beyond that, citizens press "riprova" by hand, as many times as their patience allows.
 * The per-arrival state is one small object (four token strings); nothing outlives the journey
 * except the optional session cache of card-peak.
 *
 * @example
 * const s = await openApp(c, ctx, cf);
 * if (s) await pm(c, s, { method: 'GET', path: '/v2/wallet', endpoint: 'GET /v2/wallet' });
 */
import type { JourneyClient, RequestSpec, ResponseResult } from '../../harness/scenario/types.ts';
import type { Population } from '../population.ts';
import type { ClientProfile } from './client-profile.ts';

export const PM_TIMEOUT_MS = 16_000;
export const IO_TIMEOUT_MS = 8_000;

/** Everything a journey needs besides the client and the arrival. */
export interface JourneyContext {
  population: Population;
  /** Think times are divided by this (the run's --speed), never below 1 ms. */
  speed: number;
  /** Password for POST /test-login (PICCO_TEST_PASSWORD, default 'picco-test'). */
  password: string;
  /**
   * Mean extra "riprova" presses per citizen on cards already submitted (the December 2020
   * demand replay; 0 = none). Each press re-submits a card: 422 when the server kept it.
   */
  pressesMean?: number;
  /** The app's behaviour (client-profile.ts); absent = the fixed app of 1.16 without its wallet cache. */
  client?: ClientProfile;
  /** A closed-loop test script (`--closed`): no hand retries, a failure ends the iteration. */
  noRetries?: boolean;
}

export function testPassword(): string {
  // guarded: the same code runs inside k6 (no `process` there)
  const env = typeof process === 'undefined' ? undefined : process.env;
  return env?.PICCO_TEST_PASSWORD || 'picco-test';
}

export interface AppSession {
  /** io-backend session token. */
  io: string;
  walletToken: string;
  bpd: string;
  /** PM session token from start-session. */
  pm: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

function bearer(token: string, json: boolean): Record<string, string> {
  return json ? { authorization: `Bearer ${token}`, ...JSON_HEADERS } : { authorization: `Bearer ${token}` };
}

/** A think time in ms, compressed by --speed. */
export function think(ctx: JourneyContext, ms: number): number {
  return Math.max(1, Math.round(ms / ctx.speed));
}

/** The app's client backoff: 2^attempt s, attempt capped at 4 (2, 4, 8, 16 s). */
export function backoffMs(attempt: number): number {
  return 1000 * 2 ** Math.min(4, Math.max(1, attempt));
}

export function data(r: ResponseResult): Record<string, unknown> | undefined {
  const j = r.json as { data?: unknown } | undefined;
  const d = j && typeof j === 'object' ? j.data : undefined;
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
}

export function dataArray(r: ResponseResult): Record<string, unknown>[] {
  const j = r.json as { data?: unknown } | undefined;
  const d = j && typeof j === 'object' ? j.data : undefined;
  return Array.isArray(d) ? (d as Record<string, unknown>[]) : [];
}

/** POST /test-login: the SPID stand-in. Returns the io-backend session token. */
export async function login(c: JourneyClient, ctx: JourneyContext, fiscalCode: string): Promise<string | undefined> {
  const r = await c.request({
    origin: 'io',
    method: 'POST',
    path: '/test-login',
    endpoint: 'POST /test-login',
    headers: JSON_HEADERS,
    body: JSON.stringify({ username: fiscalCode, password: ctx.password }),
    expect: [200],
    timeoutMs: IO_TIMEOUT_MS,
  });
  const token = (r.json as { token?: unknown } | undefined)?.token;
  return r.status === 200 && typeof token === 'string' ? token : undefined;
}

/** GET /v1/users/actions/start-session?token=walletToken → PM session token. */
export async function startPmSession(c: JourneyClient, walletToken: string): Promise<string | undefined> {
  return (await pmSessionStart(c, walletToken)).token;
}

async function pmSessionStart(c: JourneyClient, walletToken: string): Promise<{ token: string | undefined; status: number }> {
  const r = await c.request({
    origin: 'pm',
    method: 'GET',
    path: `/v1/users/actions/start-session?token=${encodeURIComponent(walletToken)}`,
    endpoint: 'GET /v1/users/actions/start-session',
    expect: [200],
    timeoutMs: PM_TIMEOUT_MS,
  });
  const t = data(r)?.sessionToken;
  return { token: typeof t === 'string' ? t : undefined, status: r.status };
}

/**
 * Open the app as F1 has it: login, session (wallet and bpd tokens), optionally profile,
 * /info, PM start-session. Returns undefined (and counts 'login_failed') if any step fails.
 */
export async function openApp(
  c: JourneyClient,
  ctx: JourneyContext,
  fiscalCode: string,
  withProfile = false,
): Promise<AppSession | undefined> {
  for (let attempt = 1; ; attempt++) {
    const r = await openAppOnce(c, ctx, fiscalCode, withProfile);
    if (r !== 'logged_out') return r;
    // a 401 logged the citizen out (io-backend's answer to its own errors until 4-7 Dec): SPID again
    if (ctx.client === undefined || !(await loggedOut(c, ctx, attempt))) return undefined;
  }
}

/** ASSUMPTION: a citizen logged out by a 401 goes through SPID again at most this many times per visit. */
const RELOGINS = 3;

/** A 401 on an open session: the app logs out; the citizen logs in again (true) or gives up. */
async function loggedOut(c: JourneyClient, ctx: JourneyContext, attempt: number): Promise<boolean> {
  c.count('logged_out_401');
  if (ctx.noRetries === true || attempt > RELOGINS) return false;
  c.count('relogin');
  await c.sleep(think(ctx, (ctx.client?.backoff === true ? backoffMs(attempt) : 0) + 1_000));
  return true;
}

async function openAppOnce(
  c: JourneyClient,
  ctx: JourneyContext,
  fiscalCode: string,
  withProfile: boolean,
): Promise<AppSession | undefined | 'logged_out'> {
  const io = await login(c, ctx, fiscalCode);
  if (!io) {
    c.count('login_failed');
    return undefined;
  }
  const s = await c.request({
    origin: 'io',
    method: 'GET',
    path: '/api/v1/session',
    endpoint: 'GET /api/v1/session',
    headers: bearer(io, false),
    expect: [200],
    timeoutMs: IO_TIMEOUT_MS,
  });
  const sess = s.json as { walletToken?: unknown; bpdToken?: unknown } | undefined;
  if (s.status !== 200 || typeof sess?.walletToken !== 'string' || typeof sess.bpdToken !== 'string') {
    c.count('session_failed');
    return undefined;
  }
  if (withProfile && (await profile(c, io)).status === 401) return 'logged_out';
  await serverInfo(c);
  const pmSession = await pmSessionStart(c, sess.walletToken);
  if (!pmSession.token) {
    c.count('pm_session_failed');
    return pmSession.status === 401 ? 'logged_out' : undefined;
  }
  return { io, walletToken: sess.walletToken, bpd: sess.bpdToken, pm: pmSession.token };
}

export async function profile(c: JourneyClient, ioToken: string): Promise<ResponseResult> {
  return c.request({
    origin: 'io',
    method: 'GET',
    path: '/api/v1/profile',
    endpoint: 'GET /api/v1/profile',
    headers: bearer(ioToken, false),
    expect: [200],
    timeoutMs: IO_TIMEOUT_MS,
  });
}

/** GET /info (public): min_app_version per platform. */
export async function serverInfo(c: JourneyClient): Promise<ResponseResult> {
  return c.request({ origin: 'io', method: 'GET', path: '/info', endpoint: 'GET /info', expect: [200], timeoutMs: IO_TIMEOUT_MS });
}

/** One call of the app to an API that takes a Bearer token. */
export interface ApiCall {
  method: RequestSpec['method'];
  path: string;
  endpoint: string;
  body?: string;
  expect?: readonly number[];
}

export type PmCall = ApiCall;
export type BpdCall = ApiCall;

/** The request of an authorised call: its origin, token, default statuses and timeout. */
function authorized(origin: 'pm' | 'bpd', token: string, call: ApiCall, expect: readonly number[], timeoutMs: number): RequestSpec {
  const spec: RequestSpec = {
    origin,
    method: call.method,
    path: call.path,
    endpoint: call.endpoint,
    headers: bearer(token, call.body !== undefined),
    expect: call.expect ?? expect,
    timeoutMs,
  };
  if (call.body !== undefined) spec.body = call.body;
  return spec;
}

/**
 * A PM call with the app's rules: Bearer PM token, 16 s timeout, no automatic retry; on 401
 * refresh the PM session once (start-session with the wallet token) and repeat.
 */
export async function pm(c: JourneyClient, s: AppSession, call: PmCall): Promise<ResponseResult> {
  const spec = authorized('pm', s.pm, call, [200, 201], PM_TIMEOUT_MS);
  const r = await c.request(spec);
  if (r.status !== 401) return r;
  c.count('pm_session_refresh');
  const fresh = await pmSessionStart(c, s.walletToken);
  if (fresh.token === undefined) return r;
  s.pm = fresh.token;
  spec.headers = bearer(fresh.token, call.body !== undefined);
  return c.request(spec);
}

/** A BPD call: Bearer bpdToken, 8 s timeout. */
export async function bpd(c: JourneyClient, s: AppSession, call: BpdCall): Promise<ResponseResult> {
  return c.request(authorized('bpd', s.bpd, call, [200], IO_TIMEOUT_MS));
}

/**
 * A citizen's "riprova": wait (think + the app's backoff), return whether they try again.
 * `patience` overrides the citizen's own (the preload insists: its wallets must exist).
 */
export async function riprova(
  c: JourneyClient,
  ctx: JourneyContext,
  citizen: number,
  attempt: number,
  patience = ctx.population.patience(citizen),
): Promise<boolean> {
  if (ctx.noRetries === true) return false;
  if (attempt > patience) {
    c.count('gave_up');
    return false;
  }
  c.count('riprova');
  // the app of 7 Dec had no backoff: the next press comes as soon as the citizen makes it
  await c.sleep(think(ctx, (ctx.client?.backoff === false ? 0 : backoffMs(attempt)) + 1_000));
  return true;
}
