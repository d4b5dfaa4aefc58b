/**
 * reference-server/openapi.yaml against the server, with openapi-backend: every documented
 * operation is a registered route and every registered route is documented; then a tour calls
 * every operation (success and error cases) through the checking Client, which validates each
 * response against its documented status, headers and schema, and the test asserts nothing was
 * missed. The resilience layer's answers (429 and 503 with Retry-After, from the app and from the
 * raw listener) are validated the same way, and each status's envelope must name exactly the
 * codes errors.ts gives that status.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client, OPENAPI_PATH, PM, addCreditCard, appTransport, cardBody, fiscalCode, iban, loginCitizen, openapi, pan, testApp, validated,
  type TestServer,
} from './helpers.ts';
import { Agent } from 'undici';
import { allCards } from '../../reference-server/src/downstream/processors.ts';
import { DEFAULT_SALT } from '../../reference-server/src/config.ts';
import { ERROR_CODES } from '../../reference-server/src/errors.ts';
import { startServer } from '../../reference-server/src/main.ts';
import { TEST_RESILIENCE_ENV, undiciTransport } from './helpers.ts';

let s: TestServer;
let client: Client;
beforeAll(async () => {
  s = await testApp();
  client = new Client(appTransport(s.app));
});
afterAll(async () => s.close());

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function documented(): string[] {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${p}`));
}

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3 document', async () => {
    await expect(openapi()).resolves.toBeDefined();
  });

  it('documents exactly the routes the server serves', () => {
    expect([...documented()].sort()).toEqual([...s.routes].sort());
  });

  it('validates a response of every operation, success and error, against its schema', async () => {
    let cf = fiscalCode();
    while (!allCards(cf, DEFAULT_SALT).some((c) => c.validityState === 'V')) cf = fiscalCode();
    const c = await loginCitizen(client, cf);
    await client.get('/api/v1/profile', c.sessionToken);
    await client.get(`/pagopa/api/v1/user?token=${c.walletToken}`);
    await client.get('/info');
    await client.get('/status/backend.json');
    await client.get('/status/abi.json');
    await client.get('/api/v1/session');

    const { idWallet, hpan } = await addCreditCard(client, c);
    await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan(), { pan: '1' }) });
    // Idempotency-Key: first answer, its replay (Idempotent-Replayed), the key reused, a malformed key.
    // app.request() sends no Content-Length: the body is limited as it streams, then read once.
    const keyed = JSON.stringify(cardBody(pan()));
    const withKey = (raw: string, key: string) => ({ token: c.pmToken, raw, headers: { 'idempotency-key': key } });
    const first = await client.call('POST', `${PM}/v1/wallet/cc`, withKey(keyed, 'tour-card-1'));
    const replay = await client.call('POST', `${PM}/v1/wallet/cc`, withKey(keyed, 'tour-card-1'));
    expect([first.status, replay.status, replay.headers['idempotent-replayed']]).toEqual([200, 200, 'true']);
    expect(replay.json.data.idWallet).toBe(first.json.data.idWallet);
    const reused = await client.call('POST', `${PM}/v1/wallet/cc`, withKey(JSON.stringify(cardBody(pan())), 'tour-card-1'));
    expect([reused.status, reused.json.code]).toEqual([422, 'idempotency.key_reused']);
    const badKey = await client.call('POST', `${PM}/v1/wallet/cc`, withKey(JSON.stringify(cardBody(pan())), 'not a key'));
    expect([badKey.status, badKey.json.code]).toEqual([400, 'idempotency.invalid_key']);
    await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, raw: 'x'.repeat(70_000) });
    await client.get(`${PM}/v1/wallet`, c.pmToken);
    await client.get(`${PM}/v1/wallet/${idWallet}`, c.pmToken);
    await client.call('PUT', `${PM}/v1/wallet/${idWallet}`, { token: c.pmToken, body: { data: { favourite: true } } });
    await client.call('POST', `${PM}/v1/wallet/${idWallet}/actions/confirm`, { token: c.pmToken });
    await client.call('POST', `${PM}/v1/wallet/${idWallet}/actions/favourite`, { token: c.pmToken });
    await client.call('POST', `${PM}/v1/wallet/actions/check-card-bin`, { token: c.pmToken, body: { data: { cardBin: '535353' } } });
    await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken, body: { data: { idWallet: 999999, cvv: '123' } } });
    await client.get(`${PM}/v1/bancomat/abi`, c.pmToken);
    const pans = await client.get(`${PM}/v1/bancomat/pans`, c.pmToken);
    const card = pans.json.data.data.find((x: { validityState: string }) => x.validityState === 'V');
    await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken, body: { data: { data: [card] } } });
    await client.get('/wallet/checkout?id=1&nonce=bad');
    for (const q of ['?outcome=0', '?outcome=2', '']) expect((await client.get(`/wallet/loginMethod${q}`)).status).toBe(200);

    await client.get('/bpd/io/citizen', c.bpdToken);
    await client.call('PUT', '/bpd/io/citizen', { token: c.bpdToken });
    await client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken, body: { payoffInstr: iban(), payoffInstrType: 'IBAN',
      accountHolderCF: c.fiscalCode, accountHolderName: 'A', accountHolderSurname: 'B' } });
    await client.call('PUT', `/bpd/io/payment-instruments/${hpan}`, { token: c.bpdToken });
    const enable = () => client.call('PUT', `/bpd/io/payment-instruments/${card.hpan}`, { token: c.bpdToken, headers: { 'idempotency-key': 'tour-hpan-1' } });
    const enabled = await enable();
    const enabledAgain = await enable();
    expect([enabled.status, enabledAgain.status, enabledAgain.headers['idempotent-replayed']]).toEqual([200, 200, 'true']);
    expect(enabledAgain.json).toEqual(enabled.json);
    await client.get(`/bpd/io/payment-instruments/${hpan}`, c.bpdToken);
    await client.get('/bpd/io/award-periods', c.bpdToken);
    await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken);
    s.clock.set('2020-12-08T10:00:00Z');
    await client.call('POST', '/__picco/acquirer/transactions', { body: { transactions: [{ acquirerCode: 'A', idTrxAcquirer: 'oa1',
      idTrxIssuer: 'I', hpan, trxDate: '2020-12-09', amount: 10, operationType: '00' }] } });
    await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken);
    await client.get(`/bpd/io/winning-transactions?awardPeriodId=1&hpan=${hpan}`, c.bpdToken);
    await client.get('/bpd/io/citizen/ranking?awardPeriodId=1', c.bpdToken);
    await client.get('/__picco/bpd/award?awardPeriodId=1', c.bpdToken);
    await client.call('DELETE', `/bpd/io/payment-instruments/${card.hpan}`, { token: c.bpdToken });
    await client.call('DELETE', '/bpd/io/citizen', { token: c.bpdToken });
    await client.call('DELETE', `${PM}/v1/wallet/${idWallet}`, { token: c.pmToken });
    await client.call('POST', '/logout', { token: c.sessionToken });

    await client.get('/__picco/faults');
    await client.call('PUT', '/__picco/faults', { body: {} });
    await client.call('PUT', '/__picco/info', { body: { min_app_version: { ios: '1.0.0', android: '1.0.0' } } });
    await client.get('/__picco/health');
    await client.get('/__picco/downstream');
    await client.get('/__picco/architecture');
    await client.get('/metrics');
    await client.call('POST', '/test-login', { body: { username: fiscalCode(), password: 'wrong' } });

    const api = await openapi();
    const ops = api.getOperations().map((o) => o.operationId as string);
    const missing = ops.filter((id) => !validated.has(id));
    expect(missing).toEqual([]);
    const withError = [...validated].filter(([, st]) => [...st].some((x) => x >= 400)).map(([id]) => id);
    expect(withError.length).toBeGreaterThan(5);
  });
});

describe('openapi.yaml: the error envelope and the resilience layer', () => {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { components: { schemas: Record<string, any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('names every error code of the server, and under each status exactly the codes of that status', () => {
    expect([...doc.components.schemas['Error'].properties.code.enum].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    // Not an operation's answer: unknown routes (route.not_found) and bugs (internal.error).
    const byStatus = new Map<number, string[]>();
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      if (code === 'route.not_found' || code === 'internal.error') continue;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of byStatus) {
      const schema = doc.components.schemas[`Error${status}`];
      expect(schema, `Error${status}`).toBeDefined();
      const listed = schema.allOf[1].properties.code.enum as string[];
      // fault.injected is the faults profile's (default 503); any other status may carry it too (4XX/5XX).
      expect([...listed].sort(), `Error${status}`).toEqual(codes.filter((c) => c !== 'fault.injected' || status === 503).sort());
    }
  });

  it('documents 429 request.rate_limited with Retry-After on a token over its budget', async () => {
    const limited = await testApp({ resilienceEnv: { ...TEST_RESILIENCE_ENV, PICCO_RATE_LIMIT_READS: '1' } });
    try {
      const cl = new Client(appTransport(limited.app));
      const c = await loginCitizen(cl);
      let r = await cl.get('/api/v1/session', c.sessionToken);
      // One read per second: of three reads within a second, at least two share a window.
      for (let i = 0; i < 3 && r.status !== 429; i++) r = await cl.get('/api/v1/session', c.sessionToken);
      expect([r.status, r.json.code, Number(r.headers['retry-after'])]).toEqual([429, 'request.rate_limited', 1]);
      expect(validated.get('getSessionState')).toContain(429);
    } finally {
      await limited.close();
    }
  });

  it('documents 503 server.overloaded with Retry-After, from admission in the app and at the socket', async () => {
    // GET /info held 300 ms: 400 at once overflow the io-light bulkhead (64 in flight, 256 queued for 100 ms).
    const faults = { routes: { 'GET /info': { latency: { kind: 'fixed' as const, ms: 300 } } } };
    const env = { PICCO_RATE_LIMIT_WRITES: '100000', PICCO_RATE_LIMIT_READS: '100000' };
    const inApp = await testApp({ faults, resilienceEnv: { ...env, PICCO_ADMISSION_IN_APP: '1' } });
    const agent = new Agent({ connections: 400 });
    const server = await startServer({ port: 0, faults, resilienceEnv: env });
    try {
      for (const cl of [new Client(appTransport(inApp.app)), new Client(undiciTransport(server.url, agent))]) {
        const replies = await Promise.all(Array.from({ length: 400 }, () => cl.get('/info')));
        const shed = replies.filter((r) => r.status === 503);
        expect(shed.length).toBeGreaterThan(0);
        for (const r of shed) expect([r.json.code, Number(r.headers['retry-after']) >= 1]).toEqual(['server.overloaded', true]);
        expect(replies.filter((r) => r.status !== 503).every((r) => r.status === 200)).toBe(true);
      }
      expect(validated.get('getServerInfo')).toContain(503);
    } finally {
      await agent.close();
      await server.close();
      await inApp.close();
    }
  });
});
