import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, addCreditCard, appTransport, iban, loginCitizen, testApp, type Citizen, type TestServer } from './helpers.ts';

let s: TestServer;
let client: Client;
beforeAll(async () => {
  s = await testApp();
  client = new Client(appTransport(s.app));
});
afterAll(async () => s.close());

const enroll = (c: Citizen) => client.call('PUT', '/bpd/io/citizen', { token: c.bpdToken });
const patchIban = (c: Citizen, value: string) => client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken,
  body: { payoffInstr: value, payoffInstrType: 'IBAN', accountHolderCF: c.fiscalCode, accountHolderName: 'Mario', accountHolderSurname: 'Rossi' } });
const putInstrument = (c: Citizen, hpan: string) => client.call('PUT', `/bpd/io/payment-instruments/${hpan}`, { token: c.bpdToken });
const hpanOf = (n: number) => n.toString(16).padStart(64, 'a');
let hpanSeq = 1;
const newHpan = () => hpanOf(hpanSeq++ + Math.floor(Math.random() * 1e9));

function trx(hpan: string, id: string, day: string, amount: number, extra: Record<string, unknown> = {}) {
  return { acquirerCode: 'ACQ1', idTrxAcquirer: id, idTrxIssuer: `I${id}`, hpan, trxDate: day, amount, operationType: '00',
    circuitType: '01', merchantId: 'M1', terminalId: 'T1', ...extra };
}
const ingest = (transactions: unknown[]) => client.call('POST', '/__picco/acquirer/transactions', { body: { transactions } });

describe('citizen', () => {
  it('is 404 before enrolment, enrolled by PUT, and PUT again leaves it unchanged', async () => {
    const c = await loginCitizen(client);
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).status).toBe(404);
    const a = await enroll(c);
    expect(a.json).toMatchObject({ enabled: true, fiscalCode: c.fiscalCode, payoffInstr: '' });
    s.clock.t = new Date(s.clock.t.getTime() + 60_000);
    const b = await enroll(c);
    expect(b.json.timestampTC).toBe(a.json.timestampTC);
    s.clock.set('2020-12-07T10:00:00Z');
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).json.enabled).toBe(true);
    expect((await client.get('/bpd/io/citizen', c.pmToken)).status).toBe(401);
  });

  it('answers the IBAN PATCH with OK, KO and UNKNOWN_PSP from the check service, and 400 for an invalid IBAN', async () => {
    const c = await loginCitizen(client);
    expect((await patchIban(c, iban())).status).toBe(404); // not enrolled yet
    await enroll(c);
    const good = iban();
    const ok = await patchIban(c, good.toLowerCase().replace(/(.{4})/g, '$1 '));
    expect(ok.json).toEqual({ validationStatus: 'OK' });
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).json.payoffInstr).toBe(good);
    const bad = good.slice(0, 2) + (good.slice(2, 4) === '99' ? '98' : '99') + good.slice(4);
    const invalid = await patchIban(c, bad);
    expect(invalid.status).toBe(400);
    expect(invalid.json.code).toBe('iban.invalid');
    expect(invalid.text).not.toContain(bad);
    expect((await patchIban(c, 'IT60X054')).status).toBe(400);
    const missing = await client.call('PATCH', '/bpd/io/citizen', { token: c.bpdToken, body: { payoffInstr: good } });
    expect(missing.json.detail).toContain('accountHolderCF');

    await client.call('PUT', '/__picco/faults', { body: { downstream: { ibanCheck: { koRate: 1 } } } });
    const ko = await patchIban(c, iban());
    expect(ko.json.validationStatus).toBe('KO');
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).json.payoffInstr).toBe(good); // KO is not saved
    await client.call('PUT', '/__picco/faults', { body: { downstream: { ibanCheck: { unknownPspRate: 1 } } } });
    const unknownIban = iban();
    expect((await patchIban(c, unknownIban)).json.validationStatus).toBe('UNKNOWN_PSP');
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).json.payoffInstr).toBe(unknownIban); // saved
    await client.call('PUT', '/__picco/faults', { body: { downstream: { ibanCheck: { errorRate: 1 } } } });
    expect((await patchIban(c, iban())).json.validationStatus).toBe('UNKNOWN_PSP'); // a 501/502 of the bank API
    await client.call('PUT', '/__picco/faults', { body: {} });
  });

  it('opts out with DELETE: instruments deactivated, transactions gone, IBAN cleared; 404 afterwards', async () => {
    const c = await loginCitizen(client);
    await enroll(c);
    await patchIban(c, iban());
    const hpan = newHpan();
    await putInstrument(c, hpan);
    s.clock.set('2020-12-09T10:00:00Z');
    await ingest([trx(hpan, `del-${hpan.slice(0, 16)}`, '2020-12-10', 20)]);
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).status).toBe(200);
    expect((await client.call('DELETE', '/bpd/io/citizen', { token: c.bpdToken })).status).toBe(204);
    const after = await client.get('/bpd/io/citizen', c.bpdToken);
    expect(after.json).toMatchObject({ enabled: false, payoffInstr: '' });
    expect((await client.get(`/bpd/io/payment-instruments/${hpan}`, c.bpdToken)).json.Status).toBe('INACTIVE');
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).status).toBe(404);
    expect((await client.call('DELETE', '/bpd/io/citizen', { token: c.bpdToken })).status).toBe(404);
    expect((await patchIban(c, iban())).json.code).toBe('citizen.disabled');
    expect((await putInstrument(c, newHpan())).json.code).toBe('user.not-enabled.error');
    s.clock.set('2020-12-07T10:00:00Z');
  });

  it('rolls the whole opt-out back when a step fails, answering 503', async () => {
    const c = await loginCitizen(client);
    await enroll(c);
    const hpan = newHpan();
    await putInstrument(c, hpan);
    await client.call('PUT', '/__picco/faults', { body: { routes: { 'DELETE /bpd/io/citizen': { cascadeFailureRate: 1 } } } });
    const r = await client.call('DELETE', '/bpd/io/citizen', { token: c.bpdToken });
    await client.call('PUT', '/__picco/faults', { body: {} });
    expect(r.status).toBe(503);
    expect(r.json.code).toBe('downstream.unavailable');
    expect((await client.get('/bpd/io/citizen', c.bpdToken)).json.enabled).toBe(true);
    expect((await client.get(`/bpd/io/payment-instruments/${hpan}`, c.bpdToken)).json.Status).toBe('ACTIVE');
  });
});

describe('payment instruments', () => {
  it('answers 403 user.not-enabled.error when the citizen is not enrolled', async () => {
    const c = await loginCitizen(client);
    const r = await putInstrument(c, newHpan());
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ code: 'user.not-enabled.error', message: 'user.not-enabled.error' });
  });

  it('enables an instrument, is idempotent for the owner and 409 for anyone else', async () => {
    const a = await loginCitizen(client);
    const b = await loginCitizen(client);
    await enroll(a);
    await enroll(b);
    const { hpan } = await addCreditCard(client, a);
    expect((await client.get(`/bpd/io/payment-instruments/${hpan}`, a.bpdToken)).status).toBe(404);
    const on = await putInstrument(a, hpan);
    expect(on.status).toBe(200);
    expect(on.json.activationDate).toBe('2020-12-07T10:00:00.000Z');
    s.clock.t = new Date(s.clock.t.getTime() + 5000);
    expect((await putInstrument(a, hpan)).json.activationDate).toBe('2020-12-07T10:00:00.000Z');
    s.clock.set('2020-12-07T10:00:00Z');
    const conflict = await putInstrument(b, hpan);
    expect(conflict.status).toBe(409);
    expect(conflict.json.code).toBe('paymentinstrument.conflict');
    expect((await client.get(`/bpd/io/payment-instruments/${hpan}`, b.bpdToken)).status).toBe(409);
    expect((await client.call('DELETE', `/bpd/io/payment-instruments/${hpan}`, { token: b.bpdToken })).status).toBe(409);
    const got = await client.get(`/bpd/io/payment-instruments/${hpan}`, a.bpdToken);
    expect(got.json).toMatchObject({ hpan, fiscalCode: a.fiscalCode, Status: 'ACTIVE' });
    expect((await client.call('DELETE', `/bpd/io/payment-instruments/${hpan}`, { token: a.bpdToken })).status).toBe(204);
    expect((await client.get(`/bpd/io/payment-instruments/${hpan}`, a.bpdToken)).json.Status).toBe('INACTIVE');
    expect((await putInstrument(b, hpan)).status).toBe(200); // free again
    expect((await client.call('DELETE', `/bpd/io/payment-instruments/${newHpan()}`, { token: a.bpdToken })).status).toBe(404);
    expect((await client.get('/bpd/io/payment-instruments/not-a-hash', a.bpdToken)).status).toBe(400);
  });
});

describe('award periods, transactions, totals and ranking', () => {
  it('lists the real December 2020 periods with their rules and a status by date', async () => {
    const c = await loginCitizen(client);
    s.clock.set('2020-12-10T10:00:00Z');
    const r = await client.get('/bpd/io/award-periods', c.bpdToken);
    s.clock.set('2020-12-07T10:00:00Z');
    const p1 = r.json.find((p: { awardPeriodId: number }) => p.awardPeriodId === 1);
    expect(p1).toMatchObject({ startDate: '2020-12-08', endDate: '2020-12-31', cashbackPercentage: 10, minTransactionNumber: 10,
      maxTransactionCashback: 15, maxPeriodCashback: 150, status: 'ACTIVE' });
    expect(r.json.find((p: { awardPeriodId: number }) => p.awardPeriodId === 2).status).toBe('INACTIVE');
  });

  it('scores from the day after activation, caps each transaction at 15 EUR, matches refunds and totals per period', async () => {
    const c = await loginCitizen(client);
    await enroll(c);
    const hpan = newHpan();
    s.clock.set('2020-12-08T09:00:00Z');
    await putInstrument(c, hpan);
    s.clock.set('2020-12-07T10:00:00Z');
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken)).json.code).toBe('cashback.no_transactions');
    const k = hpan.slice(0, 8);
    const r = await ingest([
      trx(hpan, `${k}-0`, '2020-12-08', 50), // activation day: not counted
      trx(hpan, `${k}-1`, '2020-12-09', 40), // 4.00
      trx(hpan, `${k}-2`, '2020-12-09', 300), // 15.00 (cap)
      trx(hpan, `${k}-3`, '2020-12-10', 12.34, { correlationId: 'C3' }), // 1.23
      trx(hpan, `${k}-4`, '2020-12-11', 12.34, { operationType: '01', correlationId: 'C3' }), // -1.23, matched
      trx(hpan, `${k}-5`, '2020-11-30', 10), // before any period
      trx(newHpan(), `${k}-6`, '2020-12-10', 10), // nobody's instrument
    ]);
    expect(r.json.results.map((x: { outcome: string }) => x.outcome)).toEqual(['not_active', 'accepted', 'accepted', 'accepted', 'accepted', 'no_award_period', 'not_active']);
    expect((await ingest([trx(hpan, `${k}-1`, '2020-12-09', 40)])).json.duplicates).toBe(1);
    const total = await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=1', c.bpdToken);
    expect(total.json).toEqual({ totalCashback: 19, transactionNumber: 2 });
    const list = await client.get(`/bpd/io/winning-transactions?awardPeriodId=1&hpan=${hpan}`, c.bpdToken);
    expect(list.json.map((t: { cashback: number }) => t.cashback)).toEqual([4, 15, 1.23, -1.23]);
    const award = await client.get('/__picco/bpd/award?awardPeriodId=1', c.bpdToken);
    expect(award.json).toMatchObject({ transactionNumber: 2, minTransactionNumber: 10, eligible: false, award: 0, totalCashback: 19 });
    const ranking = await client.get('/bpd/io/citizen/ranking?awardPeriodId=1', c.bpdToken);
    expect(ranking.json).toMatchObject({ awardPeriodId: 1, transactionNumber: 2 });
    expect(ranking.json.ranking).toBeGreaterThanOrEqual(1);
    expect((await client.get('/bpd/io/citizen/ranking?awardPeriodId=2', c.bpdToken)).status).toBe(404);
    expect((await client.get('/bpd/io/winning-transactions/total-cashback?awardPeriodId=9', c.bpdToken)).json.code).toBe('awardperiod.not_found');
    expect((await client.get('/bpd/io/winning-transactions/total-cashback', c.bpdToken)).status).toBe(400);
  });

  it('rejects malformed transactions naming the field, storing none of the batch', async () => {
    const hpan = newHpan();
    const r = await ingest([trx(hpan, 'x1', '2020-12-10', 10), trx(hpan, 'x2', 'yesterday', -5)]);
    expect(r.status).toBe(400);
    expect(r.json.detail).toContain('transactions.1.trxDate');
    expect(r.json.detail).toContain('transactions.1.amount');
    expect((await client.call('POST', '/__picco/acquirer/transactions', { body: { transactions: [] } })).status).toBe(400);
  });
});
