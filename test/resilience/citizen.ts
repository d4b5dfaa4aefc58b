/**
 * A citizen as the IO app is: logs in (/test-login), reads its session's sub-tokens, opens a
 * PM session, then calls the three APIs with the right bearer token each. Identities are
 * valid fiscal codes and Luhn-valid PANs from the scenarios' generators, unique per index.
 *
 * @example
 * const c = await login(url, 7); const r = await c.pm('POST', '/v1/wallet/cc', cardBody(panFor(7, 0)));
 */
import { request, type Dispatcher } from 'undici';
import { fiscalCode } from '../../scenarios/identity/fiscal-code.ts';
import { cardNumber } from '../../scenarios/identity/card-number.ts';

export const PASSWORD = process.env['PICCO_TEST_PASSWORD'] ?? 'picco-test';

export function fiscalCodeFor(i: number): string {
  return fiscalCode({ surname: 'Rossi', name: 'Mario', female: i % 2 === 1, birthOrdinal: 7000 + (i % 10_000), municipality: Math.floor(i / 10_000) + 17 });
}

export function panFor(i: number, k: number, seed = 7): string {
  return cardNumber(i, k, seed);
}

export function cardBody(pan: string): string {
  return JSON.stringify({ data: { type: 'CREDIT_CARD', favourite: false,
    creditCard: { pan, holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', securityCode: '123' } } });
}

export interface Res { status: number; json: unknown; text: string; headers: Record<string, string | string[] | undefined> }

export async function call(base: string, method: Dispatcher.HttpMethod, path: string, token?: string, body?: string,
  headers: Record<string, string> = {}, dispatcher?: Dispatcher): Promise<Res> {
  const h: Record<string, string> = { ...headers };
  if (token !== undefined) h['authorization'] = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] ??= 'application/json';
  const r = await request(base + path, { method, headers: h, ...(body === undefined ? {} : { body }), ...(dispatcher === undefined ? {} : { dispatcher }) });
  const text = await r.body.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: r.statusCode, json, text, headers: r.headers };
}

export interface Citizen {
  fiscalCode: string;
  sessionToken: string;
  walletToken: string;
  bpdToken: string;
  pmToken: string;
  io(method: Dispatcher.HttpMethod, path: string, body?: string, headers?: Record<string, string>): Promise<Res>;
  pm(method: Dispatcher.HttpMethod, path: string, body?: string, headers?: Record<string, string>): Promise<Res>;
  bpd(method: Dispatcher.HttpMethod, path: string, body?: string, headers?: Record<string, string>): Promise<Res>;
}

export async function login(base: string, i: number, dispatcher?: Dispatcher): Promise<Citizen> {
  const cf = fiscalCodeFor(i);
  const l = await call(base, 'POST', '/test-login', undefined, JSON.stringify({ username: cf, password: PASSWORD }), {}, dispatcher);
  if (l.status !== 200) throw new Error(`test-login ${l.status}: ${l.text}`);
  const sessionToken = (l.json as { token: string }).token;
  const s = await call(base, 'GET', '/api/v1/session', sessionToken, undefined, {}, dispatcher);
  if (s.status !== 200) throw new Error(`session ${s.status}: ${s.text}`);
  const { walletToken, bpdToken } = s.json as { walletToken: string; bpdToken: string };
  const p = await call(base, 'GET', `/pp-restapi-CD/v1/users/actions/start-session?token=${walletToken}`, undefined, undefined, {}, dispatcher);
  if (p.status !== 200) throw new Error(`start-session ${p.status}: ${p.text}`);
  const pmToken = (p.json as { data: { sessionToken: string } }).data.sessionToken;
  return {
    fiscalCode: cf, sessionToken, walletToken, bpdToken, pmToken,
    io: (m, path, body, headers) => call(base, m, path, sessionToken, body, headers, dispatcher),
    pm: (m, path, body, headers) => call(base, m, `/pp-restapi-CD${path}`, pmToken, body, headers, dispatcher),
    bpd: (m, path, body, headers) => call(base, m, path, bpdToken, body, headers, dispatcher),
  };
}
