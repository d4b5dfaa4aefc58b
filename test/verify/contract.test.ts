/**
 * The api-contract check on single exchanges, no socket: what reference-server/openapi.yaml now
 * holds a backend to beyond bodies: every status declared (no `default`: a 500 is a finding
 * unless it is an injected fault), Retry-After on a 429, Location on a 3DS redirect, a
 * well-formed Idempotency-Key, the `outcome` the ACS appends to /wallet/loginMethod.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Contract } from '../../scenarios/verify/contract.ts';
import type { Exchange } from '../../scenarios/verify/client.ts';

let contract: Contract;
beforeAll(async () => {
  contract = await Contract.load('reference-server/openapi.yaml');
});

const TOKEN = 'a'.repeat(96);

function exchange(o: Partial<Exchange> & Pick<Exchange, 'method' | 'url' | 'status'>): Exchange {
  const text = o.json === undefined ? (o.responseText ?? '') : JSON.stringify(o.json);
  return {
    check: 'unit', origin: 'io', endpoint: `${o.method} ${new URL(o.url).pathname}`, requestHeaders: {}, requestBody: undefined,
    responseHeaders: o.json === undefined ? {} : { 'content-type': 'application/json' }, responseText: text, json: undefined, ms: 1,
    ...o,
  };
}

const problems = (ex: Exchange) => contract.validate(ex).map((f) => f.problem);

describe('the api-contract check against openapi.yaml', () => {
  const session = { method: 'GET' as const, url: 'http://h/api/v1/session', requestHeaders: { authorization: `Bearer ${TOKEN}` } };
  const limited = { code: 'request.rate_limited', message: 'too many requests for this token' };

  it('requires Retry-After on a 429, and a number in it', () => {
    expect(problems(exchange({ ...session, status: 429, json: limited }))).toEqual([expect.stringContaining('lacks the Retry-After header')]);
    expect(problems(exchange({ ...session, status: 429, json: limited, responseHeaders: { 'content-type': 'application/json', 'retry-after': '1' } }))).toEqual([]);
    expect(problems(exchange({ ...session, status: 429, json: limited, responseHeaders: { 'content-type': 'application/json', 'retry-after': 'soon' } })))
      .toEqual([expect.stringContaining('response header')]);
  });

  it('accepts a 503 server.overloaded, refuses a 500 internal.error (undeclared: 5xx only for injected faults)', () => {
    const shed = { code: 'server.overloaded', message: 'the server is shedding load', detail: 'io-light is at capacity; retry after 1 s' };
    expect(problems(exchange({ method: 'GET', url: 'http://h/info', status: 503, json: shed, responseHeaders: { 'content-type': 'application/json', 'retry-after': '1' } }))).toEqual([]);
    const bug = exchange({ method: 'PATCH', url: 'http://h/bpd/io/citizen', status: 500, json: { code: 'internal.error', message: 'internal error' },
      requestHeaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      requestBody: JSON.stringify({ payoffInstr: 'IT00', payoffInstrType: 'IBAN', accountHolderCF: 'X', accountHolderName: 'A', accountHolderSurname: 'B' }) });
    expect(problems(bug)).toEqual([expect.stringMatching(/response \/code must be equal to one of the allowed values/)]);
    expect(problems({ ...bug, json: { code: 'fault.injected', message: 'failure injected by the faults profile' } })).toEqual([]);
  });

  it('names the envelope codes a status may carry: a 422 is creditcard.already_exists or idempotency.key_reused', () => {
    const add = { method: 'POST' as const, url: 'http://h/pp-restapi-CD/v1/wallet/cc', notClientRequest: 'probe' as const };
    expect(problems(exchange({ ...add, status: 422, json: { code: 'creditcard.already_exists', message: 'creditcard.already_exists' } }))).toEqual([]);
    expect(problems(exchange({ ...add, status: 422, json: { code: 'wallet.not_found', message: 'x' } }))).toEqual([expect.stringContaining('/code')]);
  });

  it('holds the Idempotency-Key header to its format and accepts the replay header', () => {
    const body = JSON.stringify({ data: { type: 'CREDIT_CARD', creditCard: { pan: '4111111111111111', holder: 'A B', expireMonth: '12', expireYear: '30' } } });
    const wallet = { idWallet: 1, type: 'CREDIT_CARD', favourite: false, creditCard: { id: 1, pan: '************1111', brand: 'VISA', expireMonth: '12', expireYear: '30', holder: 'A B', flag3dsVerified: false } };
    const add = (key: string) => exchange({ method: 'POST', url: 'http://h/pp-restapi-CD/v1/wallet/cc', status: 200, json: { data: wallet }, requestBody: body,
      requestHeaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
      responseHeaders: { 'content-type': 'application/json', 'idempotent-replayed': 'true' } });
    expect(problems(add('picco-verify-1-42'))).toEqual([]);
    expect(problems(add('has a space'))).toEqual([expect.stringMatching(/^request .*idempotency-key/)]);
  });

  it('requires Location on a 3DS redirect, and takes outcome on /wallet/loginMethod', () => {
    const checkout = { method: 'GET' as const, url: `http://h/wallet/checkout?id=1&nonce=${'ab'.repeat(24)}`, status: 302 };
    expect(problems(exchange(checkout))).toEqual([expect.stringContaining('lacks the Location header')]);
    expect(problems(exchange({ ...checkout, responseHeaders: { location: '/acs/challenge?id=1' } }))).toEqual([]);
    for (const q of ['?outcome=0', '?outcome=2', '']) {
      expect(problems(exchange({ method: 'GET', url: `http://h/wallet/loginMethod${q}`, status: 200, responseText: '<!doctype html>', responseHeaders: { 'content-type': 'text/html' } }))).toEqual([]);
    }
    expect(problems(exchange({ method: 'GET', url: 'http://h/wallet/loginMethod?nonsense=1', status: 200, responseText: '<!doctype html>', responseHeaders: { 'content-type': 'text/html' } })))
      .toEqual([expect.stringContaining('additional properties')]);
  });
});
