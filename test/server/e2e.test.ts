/**
 * One citizen, end to end, over a real listener with undici: login → session → PM session →
 * credit card (4 steps, 3DS followed with plain GETs) → PagoBancomat → cashback enrolment →
 * IBAN → both instruments → transactions → totals by the rules. Then the server's log lines and
 * /metrics are searched for every secret the walk used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { startServer, type RunningServer } from '../../reference-server/src/main.ts';
import { allCards } from '../../reference-server/src/downstream/processors.ts';
import { DEFAULT_SALT } from '../../reference-server/src/config.ts';
import {
  Client, PASSWORD, PM, TEST_RESILIENCE_ENV, TestClock, addCreditCard, cardBody, fiscalCode, iban, loginCitizen, pan,
  undiciTransport, type Citizen,
} from './helpers.ts';

const clock = new TestClock(new Date('2020-12-07T10:00:00Z'));
const logs: string[] = [];
let server: RunningServer;
let client: Client;
const agent = new Agent({ connections: 4 });
const secrets = { pans: [] as string[], cvv: '9731', fiscalCodes: [] as string[], tokens: [] as string[], ibans: [] as string[] };

beforeAll(async () => {
  server = await startServer({ port: 0, clock, log: (l) => logs.push(l), resilienceEnv: TEST_RESILIENCE_ENV,
    config: { salt: DEFAULT_SALT, testPassword: PASSWORD } });
  client = new Client(undiciTransport(server.url, agent));
});
afterAll(async () => {
  await agent.close();
  await server.close();
});

function citizenWithBancomat(): string {
  for (;;) {
    const cf = fiscalCode();
    if (allCards(cf, DEFAULT_SALT).some((c) => c.validityState === 'V')) return cf;
  }
}

const remember = (c: Citizen) => {
  secrets.fiscalCodes.push(c.fiscalCode);
  secrets.tokens.push(c.sessionToken, c.walletToken, c.bpdToken, c.pmToken);
};

describe('a whole citizen over HTTP', () => {
  it('walks login, wallet, cashback and transactions, and gets the cashback the rules give', async () => {
    // login, session, profile, /info, PM session
    const c = await loginCitizen(client, citizenWithBancomat());
    remember(c);
    expect((await client.get('/api/v1/profile', c.sessionToken)).json.fiscal_code).toBe(c.fiscalCode);
    expect((await client.get('/info')).status).toBe(200);

    // credit card: add → pay (cvv) → 3DS → wallet list
    const cardPan = pan('5');
    secrets.pans.push(cardPan);
    const add = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(cardPan, { securityCode: secrets.cvv }) });
    expect(add.status).toBe(200);
    const pay = await client.call('POST', `${PM}/v1/payments/cc/actions/pay`, { token: c.pmToken,
      body: { data: { idWallet: add.json.data.idWallet, tipo: 'web', cvv: secrets.cvv } } });
    let next = new URL(`${pay.json.data.urlCheckout3ds}&sessionToken=${c.pmToken}`);
    const visited: string[] = [];
    for (let hop = 0; hop < 5 && next.pathname !== '/wallet/loginMethod'; hop++) {
      const r = await client.get(next.pathname + next.search);
      expect(r.status).toBe(302);
      visited.push(next.pathname);
      next = new URL(r.headers['location'] as string, next);
    }
    expect(visited).toEqual(['/wallet/checkout', '/acs/challenge']);
    expect((await client.get(next.pathname + next.search)).status).toBe(200);
    const wallet = await client.get(`${PM}/v2/wallet`, c.pmToken);
    const card = wallet.json.data.find((w: { idWallet: number }) => w.idWallet === add.json.data.idWallet);
    expect(card.info.blurredNumber).toBe(cardPan.slice(-4));
    const cardHpan = card.info.hashPan as string;

    // the same card again: 422
    const dup = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(cardPan) });
    expect(dup.status).toBe(422);
    expect(dup.json.message).toBe('creditcard.already_exists');

    // PagoBancomat: search, add one valid card
    const pans = await client.get(`${PM}/v1/bancomat/pans`, c.pmToken);
    const bancomat = (pans.json.data.data as Array<{ hpan: string; validityState: string }>).find((x) => x.validityState === 'V');
    if (bancomat === undefined) throw new Error('expected a valid PagoBancomat card');
    const added = await client.call('POST', `${PM}/v1/bancomat/add-wallets`, { token: c.pmToken, body: { data: { data: [bancomat] } } });
    expect(added.json.data[0].info.hashPan).toBe(bancomat.hpan);
    expect((await client.get(`${PM}/v2/wallet`, c.pmToken)).json.data.length).toBe(2);

    // cashback: not enrolled → 403 on an instrument; enrol; IBAN; both instruments
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).status).toBe(404);
    expect((await client.call('PUT', `/bpd/io/payment-instruments/${cardHpan}`, { token: c.bpdToken })).json.code).toBe('user.not-enabled.error');
    expect((await client.call('PUT', '/bpd/io/citizen', { token: c.bpdToken })).json.enabled).toBe(true);
    const account = iban();
    secrets.ibans.push(account);
    const patch = await client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken, body: { payoffInstr: account, payoffInstrType: 'IBAN',
      accountHolderCF: c.fiscalCode, accountHolderName: 'Mario', accountHolderSurname: 'Rossi' } });
    expect(patch.json.validationStatus).toBe('OK');
    for (const h of [cardHpan, bancomat.hpan]) {
      expect((await client.call('PUT', `/bpd/io/payment-instruments/${h}`, { token: c.bpdToken })).status).toBe(200);
    }

    // another citizen cannot take the card's hpan: 409
    const other = await loginCitizen(client);
    remember(other);
    await client.call('PUT', '/bpd/io/citizen', { token: other.bpdToken });
    expect((await client.call('PUT', `/bpd/io/payment-instruments/${cardHpan}`, { token: other.bpdToken })).status).toBe(409);

    // total-cashback is 404 before any transaction
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).status).toBe(404);

    // 9 purchases of 200 EUR on the card: 15 EUR each (the cap), 9 < 10 transactions: no award yet
    const trx = (hpan: string, i: number, amount: number, day: string) => ({ acquirerCode: 'ACQ9', idTrxAcquirer: `e2e-${i}`,
      idTrxIssuer: `A${i}`, hpan, trxDate: day, amount, operationType: '00', circuitType: '01', merchantId: 'M9', terminalId: 'T9' });
    const first = await client.call('POST', '/__picco/acquirer/transactions', { body: { transactions:
      Array.from({ length: 9 }, (_, i) => trx(cardHpan, i, 200, `2020-12-${String(9 + i).padStart(2, '0')}`)) } });
    expect(first.json.accepted).toBe(9);
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).json)
      .toEqual({ totalCashback: 135, transactionNumber: 9 });
    expect((await client.get('/__picco/bpd/award?awardPeriodId=1', c.bpdToken)).json).toMatchObject({ eligible: false, award: 0 });

    // two PagoBancomat purchases (3 + 10 EUR): 11 transactions, 148 EUR, eligible
    await client.call('POST', '/__picco/acquirer/transactions', { body: { transactions: [
      trx(bancomat.hpan, 100, 30, '2020-12-20'), trx(bancomat.hpan, 101, 100, '2020-12-21')] } });
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).json)
      .toEqual({ totalCashback: 148, transactionNumber: 11 });
    expect((await client.get('/__picco/bpd/award?awardPeriodId=1', c.bpdToken)).json).toMatchObject({ eligible: true, award: 148 });

    // one more (5 EUR): 153 accumulated, capped at 150 for the period
    await client.call('POST', '/__picco/acquirer/transactions', { body: { transactions: [trx(bancomat.hpan, 102, 50, '2020-12-22')] } });
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).json)
      .toEqual({ totalCashback: 150, transactionNumber: 12 });
    const list = await client.get(`/bpd/io/winning-transactions?awardPeriodId=1&hpan=${bancomat.hpan}`, c.bpdToken);
    expect(list.json.map((t: { cashback: number }) => t.cashback)).toEqual([3, 10, 5]);
    expect((await client.get('/bpd/io/citizen/ranking?awardPeriodId=1', c.bpdToken)).json.transactionNumber).toBe(12);
  });

  it('adds cards for a few more citizens concurrently', async () => {
    const cs = await Promise.all(Array.from({ length: 4 }, () => loginCitizen(client)));
    cs.forEach(remember);
    const cards = cs.map(() => pan());
    secrets.pans.push(...cards);
    const r = await Promise.all(cs.map((c, i) => addCreditCard(client, c, cards[i])));
    expect(new Set(r.map((x) => x.idWallet)).size).toBe(4);
  });

  it('honours an Idempotency-Key on a chunked body (no Content-Length), and still limits its size', async () => {
    const c = await loginCitizen(client);
    remember(c);
    const cardPan = pan();
    secrets.pans.push(cardPan);
    const raw = JSON.stringify(cardBody(cardPan));
    const send = (body: string, key: string) => request(`${server.url}${PM}/v1/wallet/cc`, { method: 'POST',
      body: Readable.from([body.slice(0, 10), body.slice(10)]),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.pmToken}`, 'idempotency-key': key }, dispatcher: agent });
    const first = await send(raw, 'chunked-1');
    const firstBody = (await first.body.json()) as { data: { idWallet: number } };
    expect(first.statusCode).toBe(200);
    const again = await send(raw, 'chunked-1');
    expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([200, 'true']);
    expect(((await again.body.json()) as { data: { idWallet: number } }).data.idWallet).toBe(firstBody.data.idWallet);
    const big = await send(JSON.stringify({ ...cardBody(pan()), padding: 'x'.repeat(80_000) }), 'chunked-2');
    expect(big.statusCode).toBe(413);
    expect(((await big.body.json()) as { code: string }).code).toBe('request.too_large');
    // the refused request left nothing behind: its key is still free for a first request
    const fresh = await send(JSON.stringify(cardBody(pan())), 'chunked-2');
    expect([fresh.statusCode, fresh.headers['idempotent-replayed']]).toEqual([200, undefined]);
    await fresh.body.dump();
  });

  it('answers 413 to an oversized body, with a Content-Length or chunked, and 400 to malformed JSON', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(80_000), password: 'p' });
    const sized = await request(`${server.url}/test-login`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' }, dispatcher: agent });
    expect(sized.statusCode).toBe(413);
    expect(((await sized.body.json()) as { code: string }).code).toBe('request.too_large');
    const chunked = await request(`${server.url}/test-login`, { method: 'POST', body: Readable.from([big.slice(0, 40_000), big.slice(40_000)]),
      headers: { 'content-type': 'application/json' }, dispatcher: agent });
    expect(chunked.statusCode).toBe(413);
    await chunked.body.dump();
    const bad = await request(`${server.url}/test-login`, { method: 'POST', body: '{"username"', dispatcher: agent });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
  });

  it('leaves no PAN, CVV, fiscal code, token or IBAN in the log lines or in /metrics', async () => {
    const metrics = (await client.get('/metrics')).text;
    expect(logs.length).toBeGreaterThan(20);
    // the store's own metrics are on the same /metrics (group commit of the SQLite default)
    expect(metrics).toMatch(/^picco_db_commits_total \d+/m);
    expect(metrics).toMatch(/^picco_db_writes_total\{outcome="ok"\} [1-9]/m);
    const haystacks = { logs: logs.join('\n'), metrics };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const s of [...secrets.pans, ...secrets.fiscalCodes, ...secrets.tokens, ...secrets.ibans]) {
        expect(text.includes(s), `${where} contains a secret`).toBe(false);
        expect(text.toLowerCase().includes(s.toLowerCase()), `${where} contains a secret`).toBe(false);
      }
      expect(text).not.toMatch(/cvv|securityCode|"pan"|payoffInstr|Bearer/i);
    }
    // the CVV is 4 digits: check it is no log field value and no metric label value
    for (const line of logs) for (const v of Object.values(JSON.parse(line) as Record<string, unknown>)) expect(String(v)).not.toContain(secrets.cvv);
    for (const m of metrics.matchAll(/="([^"]*)"/g)) expect(m[1]).not.toContain(secrets.cvv);
    // and the metrics carry the route patterns and business counters
    expect(metrics).toContain('http_requests_total{method="POST",route="/pp-restapi-CD/v1/wallet/cc",status="200"}');
    expect(metrics).toContain('route="/bpd/io/payment-instruments/{hpan}"');
    expect(metrics).toContain('wallet_cards_added_total{outcome="already_exists"} 1');
    expect(metrics).toContain('bpd_instruments_enabled_total{outcome="conflict"} 1');
    expect(metrics).toContain('bpd_iban_checks_total{outcome="OK"} 1');
    expect(metrics).toMatch(/process_cpu_seconds_total/);
    expect(metrics).toMatch(/downstream_queue_depth\{service="nexi"\} 0/);
  });
});
