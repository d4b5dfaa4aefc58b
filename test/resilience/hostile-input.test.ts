/**
 * Property-based hostile input over every route in reference-server/openapi.yaml: arbitrary
 * bodies (JSON of any shape, near-valid request bodies with wrong types, text, raw bytes),
 * query strings, path parameters and headers (content types, bearer tokens of the right kind,
 * the wrong kind, forged, absent). For every case: no 5xx, every 4xx in the error envelope
 * `{code, message}`, and no write on any 4xx — the database file's `data_version`, read through
 * a second connection, must not move while a 4xx is produced.
 *
 * PICCO_FUZZ_RUNS sets the cases per route (default 200 in CI).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardBody, login, panFor, type Citizen } from './citizen.ts';
import { startServer, type ServerProcess } from './server-process.ts';

const RUNS = Number(process.env['PICCO_FUZZ_RUNS'] ?? 200);
const spec = parse(readFileSync(fileURLToPath(new URL('../../reference-server/openapi.yaml', import.meta.url)), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
  METHODS.filter((m) => ops[m] !== undefined).map((m) => ({ method: m.toUpperCase(), path })));

const dir = mkdtempSync(join(tmpdir(), 'picco-fuzz-'));
const file = join(dir, 'fuzz.sqlite');
let srv: ServerProcess;
let watcher: Database.Database;
let citizen: Citizen;
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  // Admission and per-token limits out of the way: this suite checks input handling; on a box
  // loaded by the rest of the suite, load shedding (503) is not what it is about.
  srv = await startServer(['--db', `sqlite:${file}`], { PICCO_ADMISSION: 'off', PICCO_RATE_LIMIT_WRITES: '100000', PICCO_RATE_LIMIT_READS: '100000' });
  citizen = await login(srv.url, 90_001);
  // Some state for ids to hit: a card and an enrolment.
  await citizen.pm('POST', '/v1/wallet/cc', cardBody(panFor(90_001, 0)));
  await citizen.bpd('PUT', '/bpd/io/citizen');
  watcher = new Database(file, { readonly: true });
});
afterAll(async () => {
  watcher?.close();
  await agent.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const dataVersion = (): number => watcher.pragma('data_version', { simple: true }) as number;

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const pathParam = fc.oneof(
  fc.integer({ min: -5, max: 100 }).map(String),
  fc.constantFrom('1', '0', '-1', '99999999999999999999', '1e3', 'NaN', '..', '%00', 'null', ' '),
  hex64,
  fc.string({ maxLength: 300 }),
  fc.string({ minLength: 3000, maxLength: 5000 }),
);
const nearValid = fc.record({
  data: fc.oneof(
    fc.record({ type: fc.constantFrom('CREDIT_CARD', 'x', 1), creditCard: fc.dictionary(
      fc.constantFrom('pan', 'holder', 'expireMonth', 'expireYear', 'securityCode'),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.stringMatching(/^[0-9]{12,20}$/))) }, { requiredKeys: [] }),
    fc.record({ idWallet: fc.oneof(fc.integer(), fc.string()), tipo: fc.string(), cvv: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }),
    fc.record({ data: fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 3 }) }),
    fc.jsonValue(),
  ),
  payoffInstr: fc.oneof(fc.string(), fc.stringMatching(/^IT[0-9]{2}[A-Z0-9]{10,30}$/)),
  payoffInstrType: fc.constantFrom('IBAN', 'x'),
  accountHolderCF: fc.string(), accountHolderName: fc.string(), accountHolderSurname: fc.string(),
  transactions: fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 3 }),
  username: fc.string(), password: fc.string(),
}, { requiredKeys: [] }).map((o) => JSON.stringify(o));
const body = fc.oneof(
  fc.constant(undefined),
  fc.json(),
  nearValid,
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.constantFrom('{', '{"data":', 'null', '[]', '"x"', '{"data":{"creditCard":{"pan":"4111111111111111"}}}', '\u0000'),
);
const tokenChoice = fc.constantFrom('pm', 'session', 'bpd', 'wallet', 'forged', 'garbage', 'none', 'empty');
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'none', 'application/json;;;');
// Names repeat (a second copy used to go unchecked) and integers reach past int32 and int64.
const query = fc.array(fc.tuple(fc.constantFrom('token', 'abi', 'awardPeriodId', 'hpan', 'size', 'start', 'version', 'id', 'nonce', 'outcome', 'x'),
  fc.oneof(fc.string({ maxLength: 50 }), fc.integer().map(String), hex64,
    fc.constantFrom('2147483648', '-2147483649', '9223372036854775808', '9007199254740992', '1e3', '0x10', ' 1', ''))), { maxLength: 4 });
const extraHeaders = fc.dictionary(fc.constantFrom('x-forwarded-for', 'accept', 'idempotency-key', 'x-request-id', 'accept-encoding', 'x-junk'),
  fc.stringMatching(/^[\x21-\x7e]{0,60}$/), { maxKeys: 3 });

function tokenFor(choice: string): string | undefined {
  switch (choice) {
    case 'pm': return citizen.pmToken;
    case 'session': return citizen.sessionToken;
    case 'bpd': return citizen.bpdToken;
    case 'wallet': return citizen.walletToken;
    case 'forged': return citizen.pmToken.slice(0, -4) + 'beef';
    case 'garbage': return 'x'.repeat(20);
    default: return undefined;
  }
}

describe('hostile input', () => {
  it('lists the routes it fuzzes', () => {
    expect(routes.length).toBeGreaterThan(20);
  });

  it('sees a write through data_version (the detector works)', async () => {
    const before = dataVersion();
    await login(srv.url, 90_002);
    expect(dataVersion()).not.toBe(before);
  });

  for (const r of routes) {
    it(`${r.method} ${r.path}: no 5xx, errors in the envelope, no write on a 4xx`, async () => {
      const params = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      await fc.assert(
        fc.asyncProperty(
          fc.array(pathParam, { minLength: params.length, maxLength: params.length }), query, body, tokenChoice, contentType, extraHeaders,
          async (values, q, b, tok, ct, extra) => {
            let path = r.path;
            params.forEach((p, i) => { path = path.replace(`{${p}}`, encodeURIComponent(values[i]!)); });
            if (q.length > 0) path += `?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
            const headers: Record<string, string> = { ...extra };
            const t = tokenFor(tok);
            if (t !== undefined) headers['authorization'] = `Bearer ${t}`;
            if (tok === 'empty') headers['authorization'] = '';
            if (ct !== 'none' && b !== undefined) headers['content-type'] = ct;
            const before = dataVersion();
            const res = await request(srv.url + path, {
              method: r.method as 'GET', headers, dispatcher: agent,
              ...(b === undefined || r.method === 'GET' ? {} : { body: b }),
            });
            const text = await res.body.text();
            const after = dataVersion();
            const status = res.statusCode;
            const ctx = `${r.method} ${path.slice(0, 120)} → ${status} ${text.slice(0, 200)}`;
            expect(status, ctx).toBeLessThan(500);
            if (status >= 400) {
              const env = JSON.parse(text) as { code?: unknown; message?: unknown };
              expect(typeof env.code, ctx).toBe('string');
              expect(typeof env.message, ctx).toBe('string');
              expect(after, `a ${status} wrote to the database: ${ctx}`).toBe(before);
            }
            // Every documented query parameter takes one value: a repeated one is refused on
            // every route (unless the path matched no route at all). A malformed Idempotency-Key
            // in the same request may be the problem named first: the key is checked by the layer
            // in front of the route's own checks; both are the request's shape, both a 400.
            const names = q.map(([k]) => k);
            if (new Set(names).size < names.length && status !== 404) {
              const code = (JSON.parse(text) as { code?: unknown }).code;
              expect(status, `repeated parameter: ${ctx}`).toBe(400);
              expect(['request.invalid', 'idempotency.invalid_key'], `repeated parameter: ${ctx}`).toContain(code);
            }
          },
        ),
        { numRuns: RUNS, seed: Number(process.env['PICCO_FUZZ_SEED'] ?? 20201207), endOnFailure: true },
      );
    });
  }
});
