/**
 * Access control over a real server: another citizen's token never reads or changes a card, an
 * instrument, an IBAN or a transaction (every route that takes an id or a hpan); tokens of the
 * wrong API, expired and forged tokens are refused; bodies, headers and per-token request
 * rates are bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../reference-server/src/storage/sqlite/sqlite-storage.ts';
import type { Storage, WalletRecord } from '../../reference-server/src/storage/storage.ts';
import { cardBody, call, login, panFor, type Citizen } from './citizen.ts';
import { startServer, type ServerProcess } from './server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'picco-access-'));
const file = join(dir, 'access.sqlite');
let srv: ServerProcess;
let store: Storage;
let a: Citizen;
let b: Citizen;
let wallet: WalletRecord;
const IBAN_A = 'IT60X0542811101000000123456';
const TRX_ID = `trx-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  // Admission off: this suite is about who may touch what, not load shedding (503) on a busy box.
  srv = await startServer(['--db', `sqlite:${file}`], { PICCO_ADMISSION: 'off' });
  store = openSqliteStorage({ path: file });
  a = await login(srv.url, 81_001);
  b = await login(srv.url, 81_002);
  const added = await a.pm('POST', '/v1/wallet/cc', cardBody(panFor(81_001, 0)));
  expect(added.status).toBe(200);
  const idWallet = (added.json as { data: { idWallet: number } }).data.idWallet;
  // Complete the verification as the 3DS step would, so the card is A's visible wallet.
  const v = await store.startVerification(a.fiscalCode, idWallet, { nonce: 'n', amountCents: 1 }, new Date());
  if (v.kind !== 'started') throw new Error(v.kind);
  const done = await store.completeVerification(v.verification.id, 'n', 'authorized', new Date());
  if (done.kind !== 'completed') throw new Error(done.kind);
  wallet = done.wallet;
  for (const c of [a, b]) expect((await c.bpd('PUT', '/bpd/io/citizen')).status).toBe(200);
  const iban = await a.bpd('PATCH', '/bpd/io/citizen', JSON.stringify({ payoffInstr: IBAN_A, payoffInstrType: 'IBAN',
    accountHolderCF: a.fiscalCode, accountHolderName: 'Mario', accountHolderSurname: 'Rossi' }));
  expect(iban.status).toBe(200);
  expect((await a.bpd('PUT', `/bpd/io/payment-instruments/${wallet.hpan}`)).status).toBe(200);
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const ing = await store.ingestTransactions([{ acquirerCode: 'ACQ', idTrxAcquirer: TRX_ID, idTrxIssuer: 'I', hpan: wallet.hpan,
    trxDate: tomorrow, amountCents: 5000, cashbackCents: 500, operationType: '00', circuitType: '01', awardPeriodId: 1,
    correlationId: null, merchantId: 'M', terminalId: 'T' }]);
  expect(ing[0]?.kind).toBe('accepted');
});
afterAll(async () => {
  await store?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const refused = (s: number): boolean => s === 401 || s === 403 || s === 404 || s === 409 || s === 422 || s === 400;

describe("another citizen's token", () => {
  it("never reads or changes the citizen's cards", async () => {
    const id = wallet.idWallet;
    const attempts = await Promise.all([
      b.pm('GET', `/v1/wallet/${id}`),
      b.pm('PUT', `/v1/wallet/${id}`, JSON.stringify({ data: { idPsp: 7, favourite: true } })),
      b.pm('POST', `/v1/wallet/${id}/actions/confirm`),
      b.pm('POST', `/v1/wallet/${id}/actions/favourite`),
      b.pm('POST', '/v1/payments/cc/actions/pay', JSON.stringify({ data: { idWallet: id, tipo: 'web', cvv: '123' } })),
    ]);
    for (const r of attempts) {
      expect(refused(r.status), `${r.status} ${r.text}`).toBe(true);
      expect(r.text).not.toContain(wallet.hpan);
    }
    const del = await b.pm('DELETE', `/v1/wallet/${id}`);
    expect(refused(del.status)).toBe(true);
    const listB = await b.pm('GET', '/v2/wallet');
    expect(listB.text).not.toContain(wallet.hpan);
    const after = await store.getWallet(a.fiscalCode, id);
    expect(after).toMatchObject({ status: 'verified', confirmed: false, idPsp: null, favourite: wallet.favourite });
    expect((await a.pm('GET', '/v2/wallet')).text).toContain(wallet.hpan);
  });

  it("never reads, disables or takes over the citizen's payment instrument", async () => {
    const h = wallet.hpan;
    for (const r of [await b.bpd('GET', `/bpd/io/payment-instruments/${h}`), await b.bpd('PUT', `/bpd/io/payment-instruments/${h}`),
      await b.bpd('DELETE', `/bpd/io/payment-instruments/${h}`)]) {
      expect(r.status).toBe(409);
      expect(r.text).not.toContain(a.fiscalCode);
    }
    const mine = await a.bpd('GET', `/bpd/io/payment-instruments/${h}`);
    expect(mine.status).toBe(200);
    expect((mine.json as { Status?: string; status?: string }).Status ?? (mine.json as { status?: string }).status).toBe('ACTIVE');
  });

  it("never reads the citizen's IBAN or transactions", async () => {
    const cit = await b.bpd('GET', '/bpd/io/citizen');
    expect(cit.text).not.toContain(IBAN_A);
    expect(cit.text).not.toContain(a.fiscalCode);
    const trx = await b.bpd('GET', `/bpd/io/winning-transactions?awardPeriodId=1&hpan=${wallet.hpan}`);
    expect(trx.text).not.toContain(TRX_ID);
    const tot = await b.bpd('GET', '/bpd/io/winning-transactions/total-cashback?awardPeriodId=1');
    expect(tot.status).toBe(404);
    const own = await a.bpd('GET', `/bpd/io/winning-transactions?awardPeriodId=1&hpan=${wallet.hpan}`);
    expect(own.text).toContain(TRX_ID);
    const patch = await b.bpd('PATCH', '/bpd/io/citizen', JSON.stringify({ payoffInstr: 'IT02L1234512345123456789012', payoffInstrType: 'IBAN',
      accountHolderCF: a.fiscalCode, accountHolderName: 'X', accountHolderSurname: 'Y' }));
    expect(patch.status).toBeLessThan(500);
    expect((await store.getCitizen(a.fiscalCode))?.payoffInstr).toBe(IBAN_A);
  });
});

describe('tokens', () => {
  it("refuses a token of another API's kind", async () => {
    expect((await call(srv.url, 'GET', '/pp-restapi-CD/v2/wallet', a.bpdToken)).status).toBe(401);
    expect((await call(srv.url, 'GET', '/bpd/io/citizen', a.pmToken)).status).toBe(401);
    expect((await call(srv.url, 'GET', '/api/v1/session', a.walletToken)).status).toBe(401);
  });

  it('refuses forged and expired tokens', async () => {
    const forged = a.pmToken.slice(0, -2) + (a.pmToken.endsWith('00') ? '11' : '00');
    for (const t of [forged, randomBytes(48).toString('hex'), '', 'null', a.pmToken.toUpperCase()]) {
      const r = await call(srv.url, 'GET', '/pp-restapi-CD/v2/wallet', t);
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ code: 'auth.unauthorized' });
    }
    const tok = () => randomBytes(48).toString('hex');
    const past = new Date(Date.now() - 1000);
    const s = { sessionId: tok(), fiscalCode: a.fiscalCode, spidLevel: 'https://www.spid.gov.it/SpidL2', sessionToken: tok(),
      walletToken: tok(), bpdToken: tok(), myPortalToken: tok(), createdAt: new Date(Date.now() - 60_000), expiresAt: past };
    await store.createSession(s);
    expect((await call(srv.url, 'GET', '/api/v1/session', s.sessionToken)).status).toBe(401);
    expect((await call(srv.url, 'GET', '/bpd/io/citizen', s.bpdToken)).status).toBe(401);
    const pm = tok();
    await store.createPmSession({ token: pm, sessionId: s.sessionId, fiscalCode: a.fiscalCode, createdAt: past, expiresAt: past });
    expect((await call(srv.url, 'GET', '/pp-restapi-CD/v2/wallet', pm)).status).toBe(401);
  });
});

describe('limits', () => {
  it('refuses an oversized body with 413 in the envelope and stores nothing', async () => {
    const big = JSON.stringify({ data: { type: 'CREDIT_CARD', creditCard: { pan: panFor(81_001, 5), holder: 'x'.repeat(200_000),
      expireMonth: '12', expireYear: '30', securityCode: '123' } } });
    const r = await a.pm('POST', '/v1/wallet/cc', big);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ code: 'request.too_large' });
    expect((await store.listWallets(a.fiscalCode)).length).toBe(1);
  });

  it('refuses oversized headers (431)', async () => {
    const r = await call(srv.url, 'GET', '/info', undefined, undefined, { 'x-junk': 'x'.repeat(64 * 1024) });
    // Node's parser answers 431 and closes the connection.
    expect(r.status).toBe(431);
  });

  it('limits the write rate per token with 429 and Retry-After', async () => {
    const c = await login(srv.url, 81_003);
    const rs = await Promise.all(Array.from({ length: 60 }, (_, i) => c.pm('POST', '/v1/wallet/cc', cardBody(panFor(81_003, i % 16)))));
    const limited = rs.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers['retry-after']).toBe('1');
    expect(limited[0]?.json).toMatchObject({ code: 'request.rate_limited' });
    // Another citizen is not limited by it.
    expect((await b.pm('GET', '/v2/wallet')).status).toBe(200);
  });
});
