/**
 * The JourneyClient `picco verify` drives a vendor's backend with. Unlike the engine's client,
 * it is built for evidence, not throughput: every exchange (request and response, headers and
 * body) is kept, so the contract validator can check each one against openapi.yaml and the
 * PAN check can scan every response the backend ever sent. Checks reuse the scenarios' own app
 * helpers (login, openApp, pm, bpd, addCreditCard) over it, so verify speaks to a vendor exactly
 * as the December journeys do.
 *
 * @example
 * const c = new VerifyClient(targets);
 * const token = await login(c, ctx, fiscalCode); c.exchanges.length; // 1
 */
import { request } from 'undici';
import type { FailureKind, JourneyClient, RequestSpec, ResponseResult, Targets } from '../../harness/scenario/types.ts';
import { mulberry32 } from '../../harness/executors/random.ts';

const TRANSIENT = new Set([429, 503]);
const TRANSIENT_RETRIES = 4;

export interface Exchange {
  /** Which check made the request (set by the runner of checks). */
  check: string;
  origin: RequestSpec['origin'];
  method: RequestSpec['method'];
  /** Absolute URL as sent. */
  url: string;
  endpoint: string;
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  status: number;
  responseHeaders: Record<string, string>;
  responseText: string;
  json: unknown;
  ms: number;
  failure?: FailureKind;
  /**
   * The request was not the client's own: a redirect hop (the URL came from the backend's
   * Location) or a deliberate probe (no token, empty body). Its request is not held to the
   * contract; its response is.
   */
  notClientRequest?: 'redirect' | 'probe';
}

export class VerifyClient implements JourneyClient {
  readonly exchanges: Exchange[] = [];
  /** Named assertions made with `check` since the last `takeChecks()`. */
  private checks: Array<{ name: string; ok: boolean }> = [];
  readonly outcomes: Record<string, number> = {};
  check_ = '';
  readonly random: () => number;

  constructor(
    readonly targets: Targets,
    seed = 1,
    private readonly timeoutMs = 16_000,
  ) {
    this.random = mulberry32(seed);
  }

  /** Labels the following exchanges with a check's name. */
  set currentCheck(name: string) {
    this.check_ = name;
  }

  /**
   * Sends one request; a GET answered with a redirect is followed (up to 8 hops, each hop kept
   * as its own exchange), as the app's web view followed the 3DS pages.
   */
  async request(spec: RequestSpec, o: { probe?: boolean } = {}): Promise<ResponseResult> {
    const probe = o.probe === true;
    let r = await this.send(spec, this.targets[spec.origin] + spec.path);
    // A backend shedding load (429, 503) is asked again, as the app's "riprova" would: the checks
    // are about answers, capacity is the load phase's question. Each attempt stays in the record.
    for (let attempt = 1; attempt <= TRANSIENT_RETRIES && TRANSIENT.has(r.ex.status) && !(spec.expect ?? []).includes(r.ex.status); attempt++) {
      this.count(`retried_${r.ex.status}`);
      const after = Number(r.ex.responseHeaders['retry-after']);
      await new Promise((res) => setTimeout(res, Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 2000) : 100 * 2 ** attempt));
      r = await this.send(spec, this.targets[spec.origin] + spec.path);
    }
    if (probe) r.ex.notClientRequest = 'probe';
    for (let hop = 0; hop < 8 && spec.method === 'GET' && [301, 302, 303, 307, 308].includes(r.ex.status); hop++) {
      const location = r.ex.responseHeaders['location'];
      if (location === undefined) break;
      r = await this.send({ ...spec, endpoint: `${spec.endpoint} (redirect)` }, new URL(location, r.ex.url).href);
      r.ex.notClientRequest = 'redirect';
    }
    return r.result;
  }

  private async send(spec: RequestSpec, url: string): Promise<{ ex: Exchange; result: ResponseResult }> {
    const headers = { ...(spec.headers ?? {}) };
    const body = spec.body === undefined ? undefined : String(spec.body);
    const t0 = performance.now();
    const ex: Exchange = {
      check: this.check_, origin: spec.origin, method: spec.method, url, endpoint: spec.endpoint,
      requestHeaders: headers, requestBody: body, status: 0, responseHeaders: {}, responseText: '', json: undefined, ms: 0,
    };
    try {
      const r = await request(url, {
        method: spec.method, headers, body: body ?? null,
        headersTimeout: spec.timeoutMs ?? this.timeoutMs, bodyTimeout: spec.timeoutMs ?? this.timeoutMs,
      });
      ex.status = r.statusCode;
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) ex.responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      ex.responseText = await r.body.text();
      if ((ex.responseHeaders['content-type'] ?? '').includes('json') && ex.responseText !== '') {
        try {
          ex.json = JSON.parse(ex.responseText);
        } catch {
          ex.json = undefined;
        }
      }
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      ex.failure = code === 'ECONNREFUSED' ? 'connect_refused' : code.includes('TIMEOUT') ? 'timeout' : code === 'ECONNRESET' ? 'reset' : 'other';
    }
    ex.ms = performance.now() - t0;
    this.exchanges.push(ex);
    const expect = spec.expect ?? [200, 201, 202, 204];
    const ok = ex.status !== 0 && expect.includes(ex.status);
    const result: ResponseResult = { status: ex.status, json: ex.json, ok, latencyMs: ex.ms, serviceMs: ex.ms };
    if (ex.failure !== undefined) result.failure = ex.failure;
    else if (!ok) result.failure = 'unexpected_status';
    return { ex, result };
  }

  sleep(ms: number): Promise<void> {
    // Verify does not rehearse think times: the checks are about answers, not timing.
    return ms > 50 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
  }

  check(name: string, ok: boolean): void {
    this.checks.push({ name, ok });
  }

  count(outcome: string, n = 1): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + n;
  }

  takeChecks(): Array<{ name: string; ok: boolean }> {
    const c = this.checks;
    this.checks = [];
    return c;
  }
}
