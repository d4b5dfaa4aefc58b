/**
 * Strict input, driven by reference-server/openapi.yaml: for every operation, every constraint
 * the spec states on a query or path parameter or on a request-body field (type, integer format
 * and bounds, pattern, length, enum, required, array size) is broken one at a time in an
 * otherwise well-formed, authenticated request, and the server must answer 400 in the error
 * envelope (a field the server does not check must not be in the spec). Every query parameter
 * given twice is 400 too (all documented parameters are single-valued), whatever the copies hold.
 * So a constraint added to the spec without the check, or a check lost, fails here.
 *
 * Also io-backend's answer to a username that is not a fiscal code: 401, as its login strategy
 * answered (api_public.yaml lists 200, 401 and 500 for POST /test-login).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, OPENAPI_PATH, addCreditCard, appTransport, cardBody, loginCitizen, pan, testApp, type Citizen, type TestServer } from './helpers.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Schema = Record<string, any>;
const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Schema;

function resolve(s: Schema | undefined): Schema | undefined {
  let x = s;
  while (x?.['$ref'] !== undefined) x = (x['$ref'] as string).slice(2).split('/').reduce((o: Schema, k: string) => o[k], doc);
  return x;
}

/** Well-formed example values of the patterns the spec uses. */
const PATTERN_SAMPLES: Record<string, string> = {
  '^[0-9a-fA-F]{64}$': 'a'.repeat(64), '^[0-9a-f]{64}$': 'b'.repeat(64), '^[0-9]{15,19}$': '4242424242424242',
  '^(0[1-9]|1[0-2])$': '12', '^[0-9]{2}$': '30', '^[0-9]{3,4}$': '123', '^[0-9]{5}$': '03069', '^[!-~]+$': 'key-1',
  '^[0-9]{6,8}$': '424242',
};

/** A value the schema accepts (the smallest plausible one). */
function sample(raw: Schema | undefined): unknown {
  const s = resolve(raw) ?? {};
  if (s['allOf'] !== undefined) return Object.assign({}, ...(s['allOf'] as Schema[]).map((x) => sample(x) as object));
  if (s['enum'] !== undefined) return s['enum'][0];
  switch (s['type']) {
    case 'integer': return s['minimum'] ?? 1;
    case 'number': return s['minimum'] ?? 1;
    case 'boolean': return true;
    case 'array': return Array.from({ length: Math.max(1, s['minItems'] ?? 1) }, () => sample(s['items']));
    case 'string': {
      if (s['pattern'] !== undefined) {
        const v = PATTERN_SAMPLES[s['pattern']];
        if (v === undefined) throw new Error(`no sample for pattern ${s['pattern']}: add one to PATTERN_SAMPLES`);
        return v;
      }
      if (s['format'] === 'date-time') return '2020-12-08T10:00:00Z';
      return 'x'.repeat(Math.max(1, s['minLength'] ?? 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((s['properties'] ?? {}) as Record<string, Schema>)) o[k] = sample(v);
      return o;
    }
  }
}

interface Broken { what: string; value: unknown }

const INT_BOUNDS: Record<string, [number | bigint, number | bigint]> = {
  int32: [-2147483648, 2147483647],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Values breaking one constraint each; `inQuery`: values are sent as text (query and path). */
function violations(raw: Schema, inQuery: boolean): Broken[] {
  const s = resolve(raw) ?? {};
  const out: Broken[] = [];
  const type = s['type'];
  if (s['enum'] !== undefined) out.push({ what: 'not in the enum', value: 'NOT_IN_ENUM' });
  if (type === 'integer' || type === 'number') {
    out.push({ what: 'not a number', value: inQuery ? 'abc' : '1' });
    if (type === 'integer') out.push({ what: 'not an integer', value: inQuery ? '1.5' : 1.5 });
    if (inQuery) out.push({ what: 'empty', value: '' });
    if (s['minimum'] !== undefined) out.push({ what: 'below the minimum', value: inQuery ? String(s['minimum'] - 1) : s['minimum'] - 1 });
    if (s['maximum'] !== undefined) out.push({ what: 'above the maximum', value: inQuery ? String(s['maximum'] + 1) : s['maximum'] + 1 });
    const bounds = INT_BOUNDS[s['format'] as string];
    if (type === 'integer' && bounds !== undefined) {
      const over = BigInt(bounds[1]) + 1n;
      out.push({ what: `over ${s['format']}`, value: inQuery ? over.toString() : Number(over) });
    }
  }
  if (type === 'string') {
    if (!inQuery) out.push({ what: 'not a string', value: 1 });
    if (s['pattern'] !== undefined) {
      const re = new RegExp(s['pattern'] as string);
      const bad = ['x', '!', ' ', `${PATTERN_SAMPLES[s['pattern']] ?? ''}x`, ''].find((v) => !re.test(v));
      if (bad !== undefined) out.push({ what: `not matching ${s['pattern']}`, value: bad });
    }
    if (s['minLength'] !== undefined && s['minLength'] > 0) out.push({ what: 'too short', value: 'x'.repeat(s['minLength'] - 1) });
    if (s['maxLength'] !== undefined) out.push({ what: 'too long', value: 'x'.repeat(s['maxLength'] + 1) });
  }
  if (type === 'boolean' && !inQuery) out.push({ what: 'not a boolean', value: 'true' });
  if (type === 'array' && !inQuery) {
    out.push({ what: 'not an array', value: {} });
    if (s['minItems'] !== undefined && s['minItems'] > 0) out.push({ what: 'too few items', value: [] });
    if (s['maxItems'] !== undefined) out.push({ what: 'too many items', value: Array.from({ length: s['maxItems'] + 1 }, () => sample(s['items'])) });
  }
  if ((type === 'object' || s['properties'] !== undefined) && !inQuery) out.push({ what: 'not an object', value: 'x' });
  return out;
}

/** Every body mutation: one field (at any depth) broken, or one required field left out. */
function bodyViolations(raw: Schema | undefined, base: unknown, path: string[] = []): { path: string[]; what: string; value: unknown | typeof OMIT }[] {
  const s = resolve(raw);
  if (s === undefined) return [];
  const out: { path: string[]; what: string; value: unknown }[] = [];
  if (path.length > 0) for (const v of violations(s, false)) out.push({ path, what: v.what, value: v.value });
  const props = (s['properties'] ?? {}) as Record<string, Schema>;
  for (const req of (s['required'] ?? []) as string[]) out.push({ path: [...path, req], what: 'missing (required)', value: OMIT });
  for (const [k, v] of Object.entries(props)) out.push(...bodyViolations(v, (base as Record<string, unknown>)?.[k], [...path, k]));
  const items = resolve(s['items']);
  if (s['type'] === 'array' && items !== undefined) out.push(...bodyViolations(items, (base as unknown[])?.[0], [...path, '0']));
  return out;
}
const OMIT = Symbol('omit');

function withValue(base: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let o: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === OMIT) delete o[last];
  else o[last] = value;
  return copy;
}

interface Operation { method: string; path: string; params: Schema[]; body: Schema | undefined; security: string | undefined }

const operations: Operation[] = Object.entries(doc['paths'] as Record<string, Schema>).flatMap(([p, item]) =>
  ['get', 'put', 'post', 'patch', 'delete'].filter((m) => item[m] !== undefined).map((m) => {
    const op = item[m] as Schema;
    const params = [...(item['parameters'] ?? []), ...(op['parameters'] ?? [])].map((x: Schema) => resolve(x)!)
      .filter((x) => x['in'] === 'query' || x['in'] === 'path');
    const security = op['security']?.[0] !== undefined ? Object.keys(op['security'][0])[0] : undefined;
    return { method: m.toUpperCase(), path: p, params, body: op['requestBody']?.content?.['application/json']?.schema, security };
  }));

let s: TestServer;
let client: Client;
let citizen: Citizen;
let idWallet = 1;
beforeAll(async () => {
  s = await testApp();
  client = new Client(appTransport(s.app));
  citizen = await loginCitizen(client);
  idWallet = (await addCreditCard(client, citizen, pan())).idWallet;
  await client.call('PUT', '/bpd/io/citizen', { token: citizen.bpdToken });
});
afterAll(async () => s.close());

function tokenFor(op: Operation): { bearer?: string; query?: string } {
  switch (op.security) {
    case 'ioSession': return { bearer: citizen.sessionToken };
    case 'pmSession': return { bearer: citizen.pmToken };
    case 'bpdToken': return { bearer: citizen.bpdToken };
    case 'walletToken': return { query: citizen.walletToken };
    case 'walletBearer': return { bearer: citizen.walletToken };
    default: return {};
  }
}

const baseValue = (p: Schema): string => (p['name'] === 'id' && p['in'] === 'path' ? String(idWallet) : String(sample(p['schema'])));

async function send(op: Operation, values: [string, string][], pathValues: Record<string, string>, body: unknown): Promise<{ status: number; json: any; text: string }> {
  const auth = tokenFor(op);
  let path = op.path.replace(/\{([^}]+)\}/g, (_m, k: string) => encodeURIComponent(pathValues[k] ?? ''));
  const q = [...values];
  if (auth.query !== undefined && !q.some(([k]) => k === 'token')) q.push(['token', auth.query]);
  if (q.length > 0) path += `?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth.bearer !== undefined) headers['authorization'] = `Bearer ${auth.bearer}`;
  const res = await s.app.request(path, { method: op.method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

const ENVELOPE_400 = new Set(resolve(doc['components']['schemas']['Error400'])!['allOf'][1].properties.code.enum as string[]);

function expect400(r: { status: number; json: any; text: string }, ctx: string): void {
  expect(r.status, `${ctx} → ${r.status} ${r.text.slice(0, 200)}`).toBe(400);
  expect(ENVELOPE_400.has(r.json?.code), `${ctx}: ${r.text.slice(0, 200)}`).toBe(true);
  expect(typeof r.json?.message, ctx).toBe('string');
}

describe('strict input: every constraint of openapi.yaml is enforced', () => {
  it('finds the operations and their constraints', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.filter((o) => o.params.length > 0 || o.body !== undefined).length).toBeGreaterThan(20);
  });

  it('declares the bounds of every integer parameter (int32 or int64)', () => {
    const loose = operations.flatMap((o) => o.params.filter((p) => resolve(p['schema'])!['type'] === 'integer'
      && !['int32', 'int64'].includes(resolve(p['schema'])!['format'])).map((p) => `${o.method} ${o.path} ${p['name']}`));
    expect(loose).toEqual([]);
  });

  for (const op of operations) {
    const constrained = op.params.filter((p) => violations(p['schema'], true).length > 0 || p['required'] === true);
    if (constrained.length === 0 && op.body === undefined && op.params.length === 0) continue;
    it(`${op.method} ${op.path}`, async () => {
      const query = op.params.filter((p) => p['in'] === 'query');
      const pathParams = Object.fromEntries(op.params.filter((p) => p['in'] === 'path').map((p) => [p['name'] as string, baseValue(p)]));
      const baseQuery: [string, string][] = query.filter((p) => p['required'] === true).map((p) => [p['name'], baseValue(p)]);
      const baseBody = op.body !== undefined ? sample(op.body) : undefined;
      // Parameters: each broken value, each required one missing, each one repeated.
      for (const p of op.params) {
        const name = p['name'] as string;
        for (const v of violations(p['schema'], true)) {
          const ctx = `${op.method} ${op.path} ${p['in']} ${name} ${v.what} (${String(v.value).slice(0, 30)})`;
          if (p['in'] === 'path') {
            if (v.value === '') continue; // an empty segment is another route
            expect400(await send(op, baseQuery, { ...pathParams, [name]: String(v.value) }, baseBody), ctx);
          } else {
            expect400(await send(op, [...baseQuery.filter(([k]) => k !== name), [name, String(v.value)]], pathParams, baseBody), ctx);
          }
        }
        if (p['in'] === 'query') {
          const good = baseValue(p);
          const bad = violations(p['schema'], true)[0]?.value;
          const others = baseQuery.filter(([k]) => k !== name);
          expect400(await send(op, [...others, [name, good], [name, good]], pathParams, baseBody), `${op.method} ${op.path} ${name} twice`);
          if (bad !== undefined) {
            expect400(await send(op, [...others, [name, good], [name, String(bad)]], pathParams, baseBody), `${op.method} ${op.path} ${name}=good&${name}=bad`);
          }
          if (p['required'] === true) expect400(await send(op, others, pathParams, baseBody), `${op.method} ${op.path} ${name} missing`);
        }
      }
      // Body: each field broken or left out, one at a time.
      if (op.body !== undefined) {
        for (const v of bodyViolations(op.body, baseBody)) {
          const ctx = `${op.method} ${op.path} body.${v.path.join('.')} ${v.what}`;
          const broken = withValue(baseBody, v.path, v.value);
          const r = await send(op, baseQuery, pathParams, broken);
          // A body broken by its size (maxItems) may meet the 64 KiB limit first: 413, also in the envelope.
          if (JSON.stringify(broken).length > 64 * 1024) expect([r.status, r.json?.code], ctx).toEqual([413, 'request.too_large']);
          else expect400(r, ctx);
        }
      }
    });
  }
});

describe('strict input: named cases', () => {
  it('refuses an empty creditCard.securityCode on PUT /v1/wallet/{id}', async () => {
    const r = await client.call('PUT', `/pp-restapi-CD/v1/wallet/${idWallet}`, { token: citizen.pmToken,
      body: { data: { favourite: true, creditCard: { ...cardBody(pan()).data.creditCard, securityCode: '' } } } });
    expect([r.status, r.json.code]).toEqual([400, 'request.invalid']);
  });

  it('validates every copy of a repeated query parameter, and refuses int32 overflow', async () => {
    const get = (q: string) => client.get(`/pp-restapi-CD/v1/bancomat/abi${q}`, citizen.pmToken);
    expect((await get('?start=1')).status).toBe(200);
    expect((await get('?start=abc')).status).toBe(400);
    expect((await get('?start=1&start=abc')).status).toBe(400);
    expect((await get('?start=2147483647')).status).toBe(200);
    expect((await get('?start=2147483648')).status).toBe(400);
  });

  it('answers POST /test-login with a username that is not a fiscal code 401, as io-backend did', async () => {
    for (const username of ['not-a-fiscal-code', 'RSSMRA80A01H501X', '1234567890123456']) {
      const r = await client.call('POST', '/test-login', { body: { username, password: 'picco-test' } });
      expect([r.status, r.json.code], username).toEqual([401, 'auth.invalid_credentials']);
    }
  });
});
