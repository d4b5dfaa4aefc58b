/**
 * Test helpers for the reference server: an app on a fresh SQLite file with a settable clock,
 * valid synthetic identities (fiscal codes with their check character, Luhn-valid PANs, mod-97
 * IBANs), and a `client` that speaks to the app through either app.request() or a real socket
 * (undici) and checks EVERY response against reference-server/openapi.yaml with openapi-backend:
 * the status must be documented explicitly (errors too: the spec has no `default`), the body must
 * validate against its schema and the response headers against theirs (Retry-After, Location,
 * Idempotent-Replayed); a request the server accepted (< 400) must validate against the spec's
 * parameters, headers and body, so the spec is never stricter than the server. Validated
 * operations are recorded so a test can assert coverage.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { OpenAPIBackend } from 'openapi-backend';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { Registry } from 'prom-client';
import { createApp, type ReferenceApp } from '../../reference-server/src/app.ts';
import { defaultConfig, systemRandom } from '../../reference-server/src/config.ts';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import { withSqliteIdempotency } from '../../reference-server/src/idempotency/with-sqlite.ts';
import { fiscalCodeCheckChar } from '../../reference-server/src/io/fiscal-code.ts';
import { luhnCheckDigit } from '../../reference-server/src/wallet/card-number.ts';
import { ibanWithCheckDigits } from '../../reference-server/src/cashback/iban.ts';
import type { ServerConfig } from '../../reference-server/src/context.ts';
import type { Storage } from '../../reference-server/src/storage/storage.ts';
import type { FaultsProfile } from '../../reference-server/src/downstream/faults.ts';
import type { Architecture2020 } from '../../reference-server/src/architecture-2020/config.ts';

export const OPENAPI_PATH = new URL('../../reference-server/openapi.yaml', import.meta.url);
export const PM = '/pp-restapi-CD';
export const PASSWORD = 'picco-test';

// ---------------------------------------------------------------------------------------------
// synthetic identities

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const pick = (s: string) => s[randomInt(s.length)] as string;
const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');

export function fiscalCode(): string {
  const l = (n: number) => Array.from({ length: n }, () => pick(LETTERS)).join('');
  const first15 = `${l(6)}${digits(2)}${pick('ABCDEHLMPRST')}${String(1 + randomInt(28)).padStart(2, '0')}${l(1)}${digits(3)}`;
  return first15 + fiscalCodeCheckChar(first15);
}

export function pan(prefix = '4'): string {
  const body = prefix + digits(15 - prefix.length);
  return body + luhnCheckDigit(body);
}

export function iban(): string {
  return ibanWithCheckDigits('IT', `X${digits(5)}${digits(5)}${digits(12)}`);
}

// ---------------------------------------------------------------------------------------------
// the app under test

export class TestClock {
  constructor(public t = new Date('2020-12-07T10:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = new Date(iso);
  }
}

export interface TestServer extends ReferenceApp {
  clock: TestClock;
  registry: Registry;
  logs: string[];
  close(): Promise<void>;
}

/**
 * Admission control sheds on event-loop lag, which a test machine has at random (a 2 s schema
 * compile, a parallel test file): off in behaviour tests; the resilience tests cover it. The
 * per-token rate limit is raised so a journey's burst of writes is not limited.
 */
export const TEST_RESILIENCE_ENV: NodeJS.ProcessEnv = { PICCO_ADMISSION: 'off', PICCO_RATE_LIMIT_WRITES: '100000', PICCO_RATE_LIMIT_READS: '100000' };

/** `storage`: another store (PostgreSQL) instead of a fresh SQLite file; closed with the app. */
export async function testApp(opts: { faults?: FaultsProfile; config?: Partial<ServerConfig>; log?: boolean; resilienceEnv?: NodeJS.ProcessEnv;
  architecture?: Architecture2020; storage?: Storage } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-app-'));
  // As createStorage builds it for `picco serve`: with the Idempotency-Key store.
  const storage = opts.storage ?? withSqliteIdempotency(openSqliteStorage({ path: join(dir, 'db.sqlite') }), join(dir, 'db.sqlite'));
  const clock = new TestClock();
  const registry = new Registry();
  const logs: string[] = [];
  const ref = await createApp({
    storage, clock, random: systemRandom, registry, defaultMetrics: false,
    config: defaultConfig({ testPassword: PASSWORD, ...opts.config, faults: opts.faults ?? {} }, {}),
    ...(opts.log === true ? { log: (l: string) => logs.push(l) } : {}),
    resilience: { env: opts.resilienceEnv ?? TEST_RESILIENCE_ENV },
    ...(opts.architecture !== undefined ? { architecture: opts.architecture } : {}),
  });
  return { ...ref, clock, registry, logs, close: async () => { await storage.close(); rmSync(dir, { recursive: true, force: true }); } };
}

// ---------------------------------------------------------------------------------------------
// OpenAPI-checked client

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

type Transport = (method: string, path: string, headers: Record<string, string>, body: string | undefined) => Promise<Omit<Reply, 'json'>>;

export function appTransport(app: ReferenceApp['app']): Transport {
  return async (method, path, headers, body) => {
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const h: Record<string, string> = {};
    res.headers.forEach((v, k) => { h[k] = v; });
    return { status: res.status, headers: h, text: await res.text() };
  };
}

export function undiciTransport(origin: string, dispatcher?: Dispatcher): Transport {
  return async (method, path, headers, body) => {
    const res = await undiciRequest(new URL(path, origin), {
      method: method as Dispatcher.HttpMethod, headers, ...(body !== undefined ? { body } : {}),
      ...(dispatcher !== undefined ? { dispatcher } : {}),
    });
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
    return { status: res.statusCode, headers: h, text: await res.body.text() };
  };
}

let apiPromise: Promise<OpenAPIBackend> | undefined;
export function openapi(): Promise<OpenAPIBackend> {
  apiPromise ??= (async () => {
    const api = new OpenAPIBackend({
      definition: parse(readFileSync(OPENAPI_PATH, 'utf8')),
      strict: true, validate: true, quick: false,
      customizeAjv: (ajv) => { addFormats.default(ajv); return ajv; },
    });
    await api.init();
    return api;
  })();
  return apiPromise;
}

/** operationId → statuses seen and validated in this test file. */
export const validated = new Map<string, Set<number>>();

export class Client {
  constructor(private readonly transport: Transport) {}

  async call(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const r = await this.transport(method, path, headers, body);
    const isJson = (r.headers['content-type'] ?? '').includes('application/json');
    const reply: Reply = { ...r, json: isJson && r.text !== '' ? JSON.parse(r.text) : undefined };
    await check(method, path, reply, { headers, body });
    return reply;
  }

  get = (path: string, token?: string) => this.call('GET', path, token === undefined ? {} : { token });
}

async function check(method: string, path: string, r: Reply, sent: { headers: Record<string, string>; body: string | undefined }): Promise<void> {
  const api = await openapi();
  const url = new URL(path, 'http://x');
  const op = api.matchOperation({ method, path: url.pathname, headers: {}, query: Object.fromEntries(url.searchParams) });
  if (op === undefined) {
    if (r.status !== 404 || r.json?.code !== 'route.not_found') {
      throw new Error(`${method} ${url.pathname} answered ${r.status} but is not documented in openapi.yaml`);
    }
    return;
  }
  const documented = Object.keys(op.responses ?? {});
  const key = documented.includes(String(r.status)) ? String(r.status) : `${String(r.status)[0]}XX`;
  if (!documented.includes(key)) {
    throw new Error(`${op.operationId}: status ${r.status} is not documented (documented: ${documented.join(', ')})`);
  }
  const declaredHeaders = ((op.responses as Record<string, { headers?: Record<string, { required?: boolean }> }>)[key]?.headers) ?? {};
  for (const [name, spec] of Object.entries(declaredHeaders)) {
    if (spec.required === true && r.headers[name.toLowerCase()] === undefined) {
      throw new Error(`${op.operationId} ${r.status}: the required header ${name} is missing`);
    }
  }
  const h = api.validateResponseHeaders(r.headers, op, { statusCode: r.status });
  if (!h.valid) throw new Error(`${op.operationId} ${r.status}: headers do not match openapi.yaml: ${JSON.stringify(h.errors).slice(0, 300)}`);
  if (r.status >= 400 && r.json === undefined) throw new Error(`${op.operationId}: error ${r.status} without a JSON envelope`);
  if (r.json !== undefined) {
    const v = api.validateResponse(r.json, op, r.status);
    if (!v.valid) {
      throw new Error(`${op.operationId} ${r.status}: response does not match openapi.yaml: ${r.text.slice(0, 300)} ${JSON.stringify(v.errors).slice(0, 300)}`);
    }
  }
  // A request the server accepted must be one the spec allows: the spec is never stricter than the server.
  if (r.status < 400) {
    let body: unknown = sent.body;
    try {
      if (sent.body !== undefined) body = JSON.parse(sent.body);
    } catch { /* not JSON: validated as sent */ }
    const q = api.validateRequest({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: sent.headers, body: body as never }, op);
    if (!q.valid) {
      throw new Error(`${op.operationId}: the server accepted (${r.status}) a request openapi.yaml rejects: ${JSON.stringify(q.errors).slice(0, 300)}`);
    }
  }
  const seen = validated.get(op.operationId as string) ?? new Set<number>();
  seen.add(r.status);
  validated.set(op.operationId as string, seen);
}

// ---------------------------------------------------------------------------------------------
// journeys

export interface Citizen {
  fiscalCode: string;
  sessionToken: string;
  walletToken: string;
  bpdToken: string;
  pmToken: string;
}

export async function loginCitizen(client: Client, cf = fiscalCode()): Promise<Citizen> {
  const login = await client.call('POST', '/test-login', { body: { username: cf, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login ${login.status} ${login.text}`);
  const sessionToken = login.json.token as string;
  const s = await client.get('/api/v1/session', sessionToken);
  const pm = await client.get(`${PM}/v1/users/actions/start-session?token=${s.json.walletToken}`);
  return { fiscalCode: cf, sessionToken, walletToken: s.json.walletToken, bpdToken: s.json.bpdToken, pmToken: pm.json.data.sessionToken };
}

export const cardBody = (p: string, extra: Record<string, unknown> = {}) => ({
  data: { type: 'CREDIT_CARD', creditCard: { pan: p, holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', securityCode: '123', ...extra } },
});

/** The four steps of the credit card flow; returns the idWallet and the hpan. */
export async function addCreditCard(client: Client, c: Citizen, p = pan()): Promise<{ idWallet: number; hpan: string }> {
  const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(p) });
  if (add.status !== 200) throw new Error(`add card ${add.status} ${add.text}`);
  const idWallet = add.json.data.idWallet as number;
  const pay = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet, tipo: 'web', cvv: '123' } } });
  if (pay.status !== 200) throw new Error(`pay ${pay.status} ${pay.text}`);
  await follow3ds(client, `${pay.json.data.urlCheckout3ds}&sessionToken=${c.pmToken}`);
  const list = await client.get(`${PM}/v2/wallet`, c.pmToken);
  const w = (list.json.data as Array<{ idWallet: number; info: { hashPan: string } }>).find((x) => x.idWallet === idWallet);
  if (w === undefined) throw new Error('card not in the wallet after 3DS');
  return { idWallet, hpan: w.info.hashPan };
}

/** Follows the 3DS redirects with plain GETs until /wallet/loginMethod; returns the final URL. */
export async function follow3ds(client: Client, url: string): Promise<string> {
  let next = new URL(url);
  for (let hop = 0; hop < 5; hop++) {
    const r = await client.get(next.pathname + next.search);
    if (r.status !== 302) {
      if (next.pathname === '/wallet/loginMethod' && r.status === 200) return next.toString();
      throw new Error(`3DS hop ${next.pathname} answered ${r.status} ${r.text}`);
    }
    next = new URL(r.headers['location'] as string, next);
  }
  throw new Error('too many 3DS redirects');
}
