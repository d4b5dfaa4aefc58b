/**
 * reference-server/openapi.yaml against the server, with openapi-backend: every documented
 * operation is a registered route and every registered route is documented; then a tour calls
 * every operation (success and error cases) through the checking Client, which validates each
 * response against its documented status and schema, and the test asserts nothing was missed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client, OPENAPI_PATH, PM, addCreditCard, appTransport, cardBody, fiscalCode, iban, loginCitizen, openapi, pan, testApp, validated,
  type TestServer,
} from './helpers.ts';
import { allCards } from '../../reference-server/src/downstream/processors.ts';
import { DEFAULT_SALT } from '../../reference-server/src/config.ts';

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

    await client.get('/bpd/io/citizen', c.bpdToken);
    await client.call('PUT', '/bpd/io/citizen', { token: c.bpdToken });
    await client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken, body: { payoffInstr: iban(), payoffInstrType: 'IBAN',
      accountHolderCF: c.fiscalCode, accountHolderName: 'A', accountHolderSurname: 'B' } });
    await client.call('PUT', `/bpd/io/payment-instruments/${hpan}`, { token: c.bpdToken });
    await client.call('PUT', `/bpd/io/payment-instruments/${card.hpan}`, { token: c.bpdToken });
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
