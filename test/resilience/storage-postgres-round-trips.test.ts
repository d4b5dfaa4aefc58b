/**
 * Every PostgreSQL storage operation costs one round trip: one statement per API step (plain
 * statements, data-modifying CTEs, INSERT ... ON CONFLICT ... RETURNING, or a migration-3
 * function where a row lock must come before the next read), never BEGIN / SELECT ... FOR
 * UPDATE / ... / COMMIT chains. Counted at the wire (Sync and Query messages the driver writes)
 * against the real PostgreSQL, so a change that adds a round trip to an operation fails here.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage, type PostgresStorage } from '../../reference-server/src/storage/postgres/postgres-storage.ts';
import type { NewTransaction } from '../../reference-server/src/storage/storage.ts';
import { randomFiscalCode, randomHpan } from '../server/storage-contract.ts';
import { createTestDatabase, type TestDatabase } from './pg-database.ts';
import { countRoundTrips } from './pg-round-trips.ts';

let db: TestDatabase;
let s: PostgresStorage;
beforeAll(async () => {
  db = await createTestDatabase();
  s = await openPostgresStorage({ url: db.url, poolSize: 2 });
});
afterAll(async () => {
  await s.close();
  await db.drop();
});

const T0 = new Date('2020-12-07T09:00:00Z');
const later = (ms: number): Date => new Date(T0.getTime() + ms);
const tok = (): string => randomBytes(24).toString('hex');

/** Runs `op` alone and returns its round trips, with the statements for the failure message. */
async function roundTrips(op: () => Promise<unknown>): Promise<{ n: number; statements: string }> {
  const c = countRoundTrips();
  try {
    await op();
  } finally {
    c.stop();
  }
  return { n: c.count, statements: c.statements.join(', ') };
}

async function expectOne(op: () => Promise<unknown>): Promise<void> {
  const r = await roundTrips(op);
  expect(r, `statements sent: ${r.statements}`).toMatchObject({ n: 1 });
}

describe('postgres storage: one round trip per operation', () => {
  it('counts what goes on the wire: a statement is one, a BEGIN ... COMMIT chain of one statement is three', async () => {
    expect((await roundTrips(() => s.pool.query('SELECT 1'))).n).toBe(1);
    expect((await roundTrips(() => s.pool.query({ name: 'rt_probe', text: 'SELECT $1::int', values: [1] }))).n).toBe(1);
    const c = await s.pool.connect();
    try {
      expect((await roundTrips(async () => {
        await c.query('BEGIN');
        await c.query('SELECT $1::int', [1]);
        await c.query('COMMIT');
      })).n).toBe(3);
    } finally {
      c.release();
    }
  });

  it('sessions and tokens: ensureUser, getUser, createSession, getSession, findToken, createPmSession, deleteSession, purgeExpired', async () => {
    const cf = randomFiscalCode();
    const user = { fiscalCode: cf, name: 'Mario', familyName: 'Rossi', email: 'm@example.com', isEmailValidated: true, createdAt: T0 };
    await expectOne(() => s.ensureUser(user));
    await expectOne(() => s.ensureUser(user));
    await expectOne(() => s.getUser(cf));
    const sess = { sessionId: tok(), fiscalCode: cf, spidLevel: 'L2', sessionToken: tok(), walletToken: tok(), bpdToken: tok(),
      myPortalToken: tok(), createdAt: T0, expiresAt: later(3_600_000) };
    await expectOne(() => s.createSession(sess));
    await expectOne(() => s.getSession(sess.sessionId, T0));
    await expectOne(() => s.findToken(sess.walletToken, 'wallet', T0));
    // Verified once, then served from the process's cache (token-cache.ts): no round trip.
    expect((await roundTrips(() => s.findToken(sess.walletToken, 'wallet', T0))).n).toBe(0);
    await expectOne(() => s.findToken(sess.walletToken, 'pm', T0));
    const pm = tok();
    await expectOne(() => s.createPmSession({ token: pm, sessionId: sess.sessionId, fiscalCode: cf, createdAt: T0, expiresAt: later(60_000) }));
    await expectOne(() => s.deleteSession(sess.sessionId));
    expect(await s.findToken(sess.walletToken, 'wallet', T0)).toBeUndefined();
    expect(await s.findToken(pm, 'pm', T0)).toBeUndefined();
    await expectOne(() => s.purgeExpired(later(7_200_000)));
  });

  it('the credit-card flow: addCard, startVerification, getVerification, completeVerification, listWallets, getWallet', async () => {
    const cf = randomFiscalCode();
    const card = { fiscalCode: cf, hpan: randomHpan(), maskedPan: '************4242', lastFour: '4242', brand: 'VISA',
      holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false };
    let id = 0;
    await expectOne(async () => {
      const r = await s.addCard(card, T0);
      if (r.kind === 'created') id = r.wallet.idWallet;
    });
    let vid = 0;
    await expectOne(async () => {
      const r = await s.startVerification(cf, id, { nonce: 'n1', amountCents: 1 }, T0);
      if (r.kind === 'started') vid = r.verification.id;
    });
    expect(vid).toBeGreaterThan(0);
    await expectOne(() => s.getVerification(vid));
    await expectOne(async () => expect((await s.completeVerification(vid, 'n1', 'authorized', T0)).kind).toBe('completed'));
    await expectOne(async () => expect((await s.completeVerification(vid, 'n1', 'authorized', T0)).kind).toBe('already_completed'));
    await expectOne(async () => expect((await s.startVerification(cf, id, { nonce: 'n2', amountCents: 1 }, T0)).kind).toBe('already_verified'));
    await expectOne(async () => expect((await s.addCard(card, T0)).kind).toBe('already_exists'));
    await expectOne(() => s.listWallets(cf));
    await expectOne(() => s.getWallet(cf, id));
  });

  it('wallet actions: confirmWallet, setFavourite, updateWallet, deleteWallet, addBancomatCards', async () => {
    const cf = randomFiscalCode();
    const [w] = await s.addBancomatCards(cf, [{ hpan: randomHpan(), maskedPan: '1234', lastFour: '1234', abi: '03069',
      productType: 'PP', validityState: 'V', expireMonth: '12', expireYear: '30', brand: 'PAGOBANCOMAT' }], T0);
    const id = w!.idWallet;
    await expectOne(() => s.confirmWallet(cf, id, T0));
    await expectOne(async () => expect((await s.setFavourite(cf, id, T0))?.favourite).toBe(true));
    await expectOne(async () => expect((await s.updateWallet(cf, id, { idPsp: 7, favourite: false }, T0))?.idPsp).toBe(7));
    await expectOne(() => s.addBancomatCards(cf, [w!, { ...w!, hpan: randomHpan() }].map((x) => ({ hpan: x.hpan, maskedPan: '1234',
      lastFour: '1234', abi: '03069', productType: 'PP' as const, validityState: 'V' as const, expireMonth: '12', expireYear: '30',
      brand: 'PAGOBANCOMAT' })), T0));
    await expectOne(async () => expect(await s.deleteWallet(cf, id)).toBe(true));
  });

  it('cashback: enrollCitizen, getCitizen, setIban, enable/get/disableInstrument, ingestTransactions, totals, ranking, opt-out', async () => {
    const cf = randomFiscalCode();
    const hpan = randomHpan();
    await expectOne(() => s.enrollCitizen(cf, T0));
    await expectOne(() => s.enrollCitizen(cf, T0));
    await expectOne(() => s.getCitizen(cf));
    await expectOne(() => s.setIban(cf, { payoffInstr: 'IT60X0542811101000000123456', payoffInstrType: 'IBAN', accountHolderCF: cf,
      accountHolderName: 'Mario', accountHolderSurname: 'Rossi' }, T0));
    await expectOne(async () => expect((await s.enableInstrument(cf, hpan, 'APP', T0)).kind).toBe('enabled'));
    await expectOne(() => s.getInstrument(cf, hpan));
    const period = 9_000 + Math.floor(Math.random() * 1e6);
    const trx = (i: number, op: '00' | '01'): NewTransaction => ({ acquirerCode: 'A', idTrxAcquirer: `${period}-${i}`, idTrxIssuer: 'I',
      hpan, trxDate: '2020-12-09', amountCents: 5000, cashbackCents: op === '00' ? 500 : -500, operationType: op, circuitType: '01',
      awardPeriodId: period, correlationId: null, merchantId: 'M', terminalId: 'T' });
    // A batch of five (with a refund matched to a purchase in the same batch) is still one call.
    await expectOne(() => s.ingestTransactions([trx(1, '00'), trx(2, '00'), trx(3, '00'), trx(4, '00'), trx(5, '01')]));
    await expectOne(() => s.listWinningTransactions(cf, period, hpan));
    await expectOne(() => s.getCashbackTotals(cf, period));
    await expectOne(() => s.getRanking(cf, period, 10));
    await expectOne(async () => expect((await s.disableInstrument(cf, hpan, later(86_400_000))).kind).toBe('disabled'));
    await expectOne(async () => expect((await s.deleteCitizenCascade(cf, later(2 * 86_400_000))).kind).toBe('deleted'));
  });

  it('settings, idempotency keys, write-rate windows and a card addition that counts its own hit', async () => {
    await expectOne(() => s.putSetting('rt', { a: 1 }, T0));
    await expectOne(() => s.getSetting('rt'));
    const scope = tok();
    await expectOne(async () => expect((await s.reserve(scope, 'k', 'h', T0, 30_000)).kind).toBe('reserved'));
    await expectOne(async () => expect((await s.reserve(scope, 'k', 'h', T0, 30_000)).kind).toBe('in_progress'));
    await expectOne(() => s.complete(scope, 'k', { status: 200, body: '{}', contentType: 'application/json' }, T0));
    await expectOne(async () => expect((await s.reserve(scope, 'k', 'h', T0, 30_000)).kind).toBe('replay'));
    await expectOne(() => s.release(scope, 'other'));
    await expectOne(() => s.purge(new Date(0)));
    await expectOne(() => s.hit(tok(), 1));
    await expectOne(async () => expect((await s.addCardCounted({ fiscalCode: randomFiscalCode(), hpan: randomHpan(), maskedPan: '************4242',
      lastFour: '4242', brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false }, T0,
    { subject: tok(), windowStart: 1, limit: 20 })).kind).toBe('created'));
    await expectOne(() => s.purgeWindows(0));
  });

  it('concurrent card additions, token lookups and rate hits share statements (group commit)', async () => {
    const cf = randomFiscalCode();
    const cards = Array.from({ length: 20 }, () => ({ fiscalCode: cf, hpan: randomHpan(), maskedPan: '************4242', lastFour: '4242',
      brand: 'VISA', holder: 'Mario Rossi', expireMonth: '12', expireYear: '30', favourite: false }));
    const r = await roundTrips(() => Promise.all(cards.map((c) => s.addCard(c, T0))));
    // At most `cardInFlight` (3 by default) statements go out at once; the other 17 calls wait and share one.
    expect(r.n).toBeLessThanOrEqual(4);
    const subject = tok();
    const counts = await Promise.all(Array.from({ length: 20 }, () => s.hit(subject, 5)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await s.listWallets(cf)).length).toBe(0);
    const rows = await s.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM wallets WHERE fiscal_code = $1', [cf]);
    expect(rows.rows[0]?.n).toBe(20);
  });
});
