/**
 * The storage contract: one suite every Storage implementation must pass (SQLite today,
 * PostgreSQL next: add one line `storageContract('postgres', () => ...)` in its own test file).
 * Every test uses fresh random fiscal codes, hpans and award-period ids, so an implementation
 * may hand out the same database to every test (no truncation needed between them).
 *
 * @example
 * storageContract('sqlite', async () => openSqliteStorage({ path: tmpFile() }));
 */
import { randomBytes, randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageFailure, type NewCard, type NewTransaction, type Storage } from '../../reference-server/src/storage/storage.ts';

const T0 = new Date('2020-12-07T09:00:00Z');
const later = (d: Date, ms: number): Date => new Date(d.getTime() + ms);
const DAY = 86_400_000;

/** A random, well-formed fiscal code (the storage does not check the control character). */
export function randomFiscalCode(): string {
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const l = (n: number) => Array.from({ length: n }, () => L[randomInt(26)]).join('');
  const d = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');
  return `${l(6)}${d(2)}${L[randomInt(12)]}${d(2)}${l(1)}${d(3)}${l(1)}`;
}
export const randomHpan = (): string => randomBytes(32).toString('hex');

function card(fiscalCode: string, hpan = randomHpan()): NewCard {
  return { fiscalCode, hpan, maskedPan: '************4242', lastFour: '4242', brand: 'VISA', holder: 'Mario Rossi',
    expireMonth: '12', expireYear: '30', favourite: false };
}

export function storageContract(name: string, factory: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    const open: Storage[] = [];
    const fresh = async (): Promise<Storage> => {
      const s = await factory();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it('creates a user once and returns the stored one afterwards', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const u = { fiscalCode: cf, name: 'Mario', familyName: 'Rossi', email: 'm@example.com', isEmailValidated: true, createdAt: T0 };
      expect((await s.ensureUser(u)).name).toBe('Mario');
      expect((await s.ensureUser({ ...u, name: 'Other' })).name).toBe('Mario');
      expect((await s.getUser(cf))?.familyName).toBe('Rossi');
      expect(await s.getUser(randomFiscalCode())).toBeUndefined();
    });

    it('resolves each token kind of a session until it expires, and forgets them at logout', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const tok = () => randomBytes(48).toString('hex');
      const sess = { sessionId: tok(), fiscalCode: cf, spidLevel: 'https://www.spid.gov.it/SpidL2', sessionToken: tok(),
        walletToken: tok(), bpdToken: tok(), myPortalToken: tok(), createdAt: T0, expiresAt: later(T0, 3600_000) };
      await s.createSession(sess);
      expect((await s.findToken(sess.sessionToken, 'session', T0))?.fiscalCode).toBe(cf);
      expect((await s.findToken(sess.walletToken, 'wallet', T0))?.sessionId).toBe(sess.sessionId);
      expect(await s.findToken(sess.walletToken, 'bpd', T0)).toBeUndefined();
      expect(await s.findToken(sess.bpdToken, 'bpd', later(T0, 3600_000))).toBeUndefined();
      expect((await s.getSession(sess.sessionId, T0))?.bpdToken).toBe(sess.bpdToken);
      const pm = tok();
      await s.createPmSession({ token: pm, sessionId: sess.sessionId, fiscalCode: cf, createdAt: T0, expiresAt: later(T0, 1000) });
      expect((await s.findToken(pm, 'pm', T0))?.kind).toBe('pm');
      expect(await s.deleteSession(sess.sessionId)).toBe(true);
      expect(await s.findToken(sess.sessionToken, 'session', T0)).toBeUndefined();
      expect(await s.findToken(pm, 'pm', T0)).toBeUndefined();
      expect(await s.getSession(sess.sessionId, T0)).toBeUndefined();
    });

    it('purges expired tokens', async () => {
      const s = await fresh();
      const t = randomBytes(48).toString('hex');
      await s.createPmSession({ token: t, sessionId: 'x', fiscalCode: randomFiscalCode(), createdAt: T0, expiresAt: later(T0, 10) });
      expect(await s.purgeExpired(later(T0, 20))).toBeGreaterThanOrEqual(1);
      expect(await s.findToken(t, 'pm', T0)).toBeUndefined();
    });

    it('walks a card through temporary, verifying and verified, listing it only when verified', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const r = await s.addCard(card(cf), T0);
      if (r.kind !== 'created') throw new Error('expected created');
      expect(r.wallet.status).toBe('temporary');
      expect(await s.listWallets(cf)).toEqual([]);
      const v = await s.startVerification(cf, r.wallet.idWallet, { nonce: 'n1', amountCents: 1 }, T0);
      if (v.kind !== 'started') throw new Error('expected started');
      expect((await s.getWallet(cf, r.wallet.idWallet))?.status).toBe('verifying');
      expect((await s.completeVerification(v.verification.id, 'wrong', 'authorized', T0)).kind).toBe('not_found');
      const done = await s.completeVerification(v.verification.id, 'n1', 'authorized', T0);
      expect(done.kind).toBe('completed');
      expect((await s.completeVerification(v.verification.id, 'n1', 'authorized', T0)).kind).toBe('already_completed');
      const list = await s.listWallets(cf);
      expect(list.map((w) => w.idWallet)).toEqual([r.wallet.idWallet]);
      expect((await s.startVerification(cf, r.wallet.idWallet, { nonce: 'n2', amountCents: 1 }, T0)).kind).toBe('already_verified');
      expect((await s.startVerification(randomFiscalCode(), r.wallet.idWallet, { nonce: 'n3', amountCents: 1 }, T0)).kind).toBe('wallet_not_found');
    });

    it('refuses a card the citizen already has verified, but restarts an unfinished one with the same idWallet', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const c = card(cf);
      const a = await s.addCard(c, T0);
      const b = await s.addCard(c, T0);
      if (a.kind !== 'created' || b.kind !== 'created') throw new Error('expected created twice');
      expect(b.wallet.idWallet).toBe(a.wallet.idWallet);
      expect(a.wallet).toEqual({ ...(await s.getWallet(cf, a.wallet.idWallet)), updatedAt: T0 });
      // A restart answers the stored row: created at the first addition, carrying a PSP chosen since.
      await s.updateWallet(cf, a.wallet.idWallet, { idPsp: 7 }, T0);
      const later = new Date(T0.getTime() + 1_000);
      const again = await s.addCard({ ...c, holder: 'Maria Rossi' }, later);
      if (again.kind !== 'created') throw new Error('expected created');
      expect(again.wallet).toEqual(await s.getWallet(cf, a.wallet.idWallet));
      expect(again.wallet).toMatchObject({ idPsp: 7, holder: 'Maria Rossi', createdAt: T0, updatedAt: later });
      const v = await s.startVerification(cf, a.wallet.idWallet, { nonce: 'n', amountCents: 1 }, T0);
      if (v.kind !== 'started') throw new Error('expected started');
      await s.completeVerification(v.verification.id, 'n', 'authorized', T0);
      expect((await s.addCard(c, T0)).kind).toBe('already_exists');
      // another citizen may hold the same card
      expect((await s.addCard({ ...c, fiscalCode: randomFiscalCode() }, T0)).kind).toBe('created');
    });

    it('lets only one of many concurrent adds of the same verified-later card create a wallet', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const c = card(cf);
      const results = await Promise.all(Array.from({ length: 8 }, () => s.addCard(c, T0)));
      const ids = new Set(results.map((r) => (r.kind === 'created' ? r.wallet.idWallet : -1)));
      expect(ids.size).toBe(1);
    });

    it('keeps a denied verification out of the wallet list', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const r = await s.addCard(card(cf), T0);
      if (r.kind !== 'created') throw new Error('expected created');
      const v = await s.startVerification(cf, r.wallet.idWallet, { nonce: 'n', amountCents: 1 }, T0);
      if (v.kind !== 'started') throw new Error('expected started');
      expect((await s.completeVerification(v.verification.id, 'n', 'denied', T0)).kind).toBe('completed');
      expect(await s.listWallets(cf)).toEqual([]);
    });

    it('confirms, favours, updates and deletes only the citizen\'s own wallets', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const [a, b] = await s.addBancomatCards(cf, [bancomat(), bancomat()], T0);
      if (a === undefined || b === undefined) throw new Error('expected two wallets');
      expect((await s.confirmWallet(cf, a.idWallet, T0))?.confirmed).toBe(true);
      expect(await s.confirmWallet(randomFiscalCode(), a.idWallet, T0)).toBeUndefined();
      await s.setFavourite(cf, a.idWallet, T0);
      await s.setFavourite(cf, b.idWallet, T0);
      const list = await s.listWallets(cf);
      expect(list.filter((w) => w.favourite).map((w) => w.idWallet)).toEqual([b.idWallet]);
      expect((await s.updateWallet(cf, a.idWallet, { idPsp: 42 }, T0))?.idPsp).toBe(42);
      expect(await s.updateWallet(randomFiscalCode(), a.idWallet, { idPsp: 1 }, T0)).toBeUndefined();
      expect(await s.deleteWallet(randomFiscalCode(), a.idWallet)).toBe(false);
      expect(await s.deleteWallet(cf, a.idWallet)).toBe(true);
      expect((await s.listWallets(cf)).map((w) => w.idWallet)).toEqual([b.idWallet]);
    });

    it('does not duplicate a PagoBancomat card added twice', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const c = bancomat();
      const [first] = await s.addBancomatCards(cf, [c], T0);
      const [again] = await s.addBancomatCards(cf, [c], later(T0, 1000));
      expect(again?.idWallet).toBe(first?.idWallet);
      expect((await s.listWallets(cf)).length).toBe(1);
      expect(first?.walletType).toBe('Bancomat');
      expect(first?.hpan).toBe(c.hpan);
    });

    it('enrols idempotently, re-enables a disabled citizen with a new timestampTC', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      expect(await s.getCitizen(cf)).toBeUndefined();
      const a = await s.enrollCitizen(cf, T0);
      expect(a.enabled).toBe(true);
      const b = await s.enrollCitizen(cf, later(T0, 1000));
      expect(b.timestampTC.getTime()).toBe(T0.getTime());
      await s.deleteCitizenCascade(cf, later(T0, 2000));
      expect((await s.getCitizen(cf))?.enabled).toBe(false);
      const c = await s.enrollCitizen(cf, later(T0, 3000));
      expect(c.enabled).toBe(true);
      expect(c.timestampTC.getTime()).toBe(later(T0, 3000).getTime());
    });

    it('saves an IBAN for an enabled citizen only', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const iban = { payoffInstr: 'IT60X0542811101000000123456', payoffInstrType: 'IBAN' as const, accountHolderCF: cf,
        accountHolderName: 'Mario', accountHolderSurname: 'Rossi' };
      expect((await s.setIban(cf, iban, T0)).kind).toBe('not_found');
      await s.enrollCitizen(cf, T0);
      const r = await s.setIban(cf, iban, T0);
      expect(r.kind === 'updated' && r.citizen.payoffInstr).toBe(iban.payoffInstr);
      await s.deleteCitizenCascade(cf, T0);
      expect((await s.setIban(cf, iban, T0)).kind).toBe('disabled');
      expect((await s.getCitizen(cf))?.payoffInstr).toBeNull();
    });

    it('gives an hpan one active owner: 409 for another citizen, no-op for the same, 403 when not enrolled', async () => {
      const s = await fresh();
      const [a, b, stranger] = [randomFiscalCode(), randomFiscalCode(), randomFiscalCode()];
      const hpan = randomHpan();
      await s.enrollCitizen(a, T0);
      await s.enrollCitizen(b, T0);
      expect((await s.enableInstrument(stranger, hpan, 'IO', T0)).kind).toBe('citizen_not_enabled');
      expect((await s.getInstrument(a, hpan)).kind).toBe('not_found');
      expect((await s.enableInstrument(a, hpan, 'IO', T0)).kind).toBe('enabled');
      expect((await s.enableInstrument(a, hpan, 'IO', later(T0, 5))).kind).toBe('unchanged');
      expect((await s.enableInstrument(b, hpan, 'IO', T0)).kind).toBe('conflict');
      expect((await s.getInstrument(b, hpan)).kind).toBe('conflict');
      expect((await s.disableInstrument(b, hpan, T0)).kind).toBe('conflict');
      const got = await s.getInstrument(a, hpan);
      expect(got.kind === 'found' && got.instrument.status).toBe('ACTIVE');
      const off = await s.disableInstrument(a, hpan, later(T0, DAY));
      expect(off.kind === 'disabled' && off.instrument.status).toBe('INACTIVE');
      expect(off.kind === 'disabled' && off.instrument.deactivationDate?.getTime()).toBe(later(T0, DAY).getTime());
      // now b may take it, and a re-enable gets a new activation date
      expect((await s.enableInstrument(b, hpan, 'IO', later(T0, 2 * DAY))).kind).toBe('enabled');
      expect((await s.disableInstrument(randomFiscalCode(), randomHpan(), T0)).kind).toBe('not_found');
    });

    it('lets exactly one of two citizens racing for the same hpan win', async () => {
      const s = await fresh();
      const cfs = Array.from({ length: 6 }, randomFiscalCode);
      for (const cf of cfs) await s.enrollCitizen(cf, T0);
      const hpan = randomHpan();
      const rs = await Promise.all(cfs.map((cf) => s.enableInstrument(cf, hpan, 'IO', T0)));
      expect(rs.filter((r) => r.kind === 'enabled').length).toBe(1);
      expect(rs.filter((r) => r.kind === 'conflict').length).toBe(5);
    });

    it('scores transactions only from the day after activation, matches refunds, and totals per period', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const period = 1000 + randomInt(1_000_000);
      const hpan = randomHpan();
      await s.enrollCitizen(cf, T0);
      await s.enableInstrument(cf, hpan, 'IO', new Date('2020-12-08T10:00:00Z'));
      const trx = (i: number, day: string, amountCents: number, op: '00' | '01' = '00', corr: string | null = null): NewTransaction => ({
        acquirerCode: 'ACQ1', idTrxAcquirer: `T${period}-${i}`, idTrxIssuer: `I${i}`, hpan, trxDate: day, amountCents,
        cashbackCents: (op === '01' ? -1 : 1) * Math.min(Math.round(amountCents / 10), 1500), operationType: op,
        circuitType: '01', awardPeriodId: period, correlationId: corr, merchantId: 'M1', terminalId: 'TERM1' });
      const out = await s.ingestTransactions([
        trx(1, '2020-12-08', 5000), // activation day: does not count
        trx(2, '2020-12-09', 5000),
        trx(3, '2020-12-10', 30000), // capped at 15 EUR by the scorer
        trx(4, '2020-12-10', 2000, '00', 'C4'),
        trx(5, '2020-12-11', 2000, '01', 'C4'), // refund of 4
      ]);
      expect(out.map((o) => o.kind)).toEqual(['not_active', 'accepted', 'accepted', 'accepted', 'accepted']);
      expect(out[4]).toEqual({ kind: 'accepted', fiscalCode: cf, refundMatched: true });
      expect((await s.ingestTransactions([trx(2, '2020-12-09', 5000)]))[0]?.kind).toBe('duplicate');
      const tot = await s.getCashbackTotals(cf, period);
      expect(tot).toMatchObject({ cashbackCents: 500 + 1500 + 200 - 200, purchases: 3, matchedRefunds: 1, transactionNumber: 2 });
      expect(await s.getCashbackTotals(cf, period + 1)).toBeUndefined();
      const list = await s.listWinningTransactions(cf, period, hpan);
      expect(list.map((t) => t.idTrxAcquirer)).toEqual([`T${period}-2`, `T${period}-3`, `T${period}-4`, `T${period}-5`]);
      expect(list[3]?.cashbackCents).toBe(-200);
    });

    it('ranks citizens by transaction number then fiscal code', async () => {
      const s = await fresh();
      const period = 1000 + randomInt(1_000_000);
      const cfs = ['AAAAAA00A00A000A', 'BBBBBB00A00A000B', 'CCCCCC00A00A000C'].map((p) => p.slice(0, 15) + String(randomInt(10)));
      const counts = [2, 5, 2];
      for (const [i, cf] of cfs.entries()) {
        const hpan = randomHpan();
        await s.enrollCitizen(cf, T0);
        await s.enableInstrument(cf, hpan, 'IO', T0);
        await s.ingestTransactions(Array.from({ length: counts[i] ?? 0 }, (_, k) => ({
          acquirerCode: 'ACQ', idTrxAcquirer: `${period}-${i}-${k}`, idTrxIssuer: 'X', hpan, trxDate: '2020-12-20',
          amountCents: 1000, cashbackCents: 100, operationType: '00' as const, circuitType: '01', awardPeriodId: period,
          correlationId: null, merchantId: 'M', terminalId: 'T' })));
      }
      const r1 = await s.getRanking(cfs[1] as string, period, 0);
      expect(r1).toMatchObject({ ranking: 1, totalParticipants: 3, transactionNumber: 5, maxTransactionNumber: 5, minTransactionNumber: 2 });
      expect((await s.getRanking(cfs[0] as string, period, 0))?.ranking).toBe(2);
      expect((await s.getRanking(cfs[2] as string, period, 0))?.ranking).toBe(3);
      expect((await s.getRanking(cfs[2] as string, period, 1))?.minTransactionNumber).toBe(5);
      expect(await s.getRanking(randomFiscalCode(), period, 0)).toBeUndefined();
    });

    it('opts a citizen out in one transaction, and rolls everything back when a step fails', async () => {
      const s = await fresh();
      const cf = randomFiscalCode();
      const period = 1000 + randomInt(1_000_000);
      const hpan = randomHpan();
      await s.enrollCitizen(cf, T0);
      await s.setIban(cf, { payoffInstr: 'IT60X0542811101000000123456', payoffInstrType: 'IBAN', accountHolderCF: cf,
        accountHolderName: 'M', accountHolderSurname: 'R' }, T0);
      await s.enableInstrument(cf, hpan, 'IO', T0);
      await s.ingestTransactions([{ acquirerCode: 'A', idTrxAcquirer: `${period}`, idTrxIssuer: 'I', hpan, trxDate: '2020-12-20',
        amountCents: 1000, cashbackCents: 100, operationType: '00', circuitType: '01', awardPeriodId: period,
        correlationId: null, merchantId: 'M', terminalId: 'T' }]);
      for (const step of ['instruments', 'transactions', 'citizen'] as const) {
        await expect(s.deleteCitizenCascade(cf, later(T0, DAY), { failAt: step })).rejects.toBeInstanceOf(StorageFailure);
        expect((await s.getCitizen(cf))?.enabled).toBe(true);
        expect((await s.getCitizen(cf))?.payoffInstr).toBe('IT60X0542811101000000123456');
        const i = await s.getInstrument(cf, hpan);
        expect(i.kind === 'found' && i.instrument.status).toBe('ACTIVE');
        expect((await s.getCashbackTotals(cf, period))?.transactionNumber).toBe(1);
      }
      expect(await s.deleteCitizenCascade(cf, later(T0, DAY))).toEqual({ kind: 'deleted', instrumentsDeactivated: 1 });
      const c = await s.getCitizen(cf);
      expect(c?.enabled).toBe(false);
      expect(c?.payoffInstr).toBeNull();
      const i = await s.getInstrument(cf, hpan);
      expect(i.kind === 'found' && i.instrument.status).toBe('INACTIVE');
      expect(await s.getCashbackTotals(cf, period)).toBeUndefined();
      expect((await s.deleteCitizenCascade(cf, T0)).kind).toBe('not_found');
      expect((await s.deleteCitizenCascade(randomFiscalCode(), T0)).kind).toBe('not_found');
    });

    it('stores and replaces settings as JSON', async () => {
      const s = await fresh();
      const key = `k${randomInt(1e9)}`;
      expect(await s.getSetting(key)).toBeUndefined();
      await s.putSetting(key, { a: 1 }, T0);
      await s.putSetting(key, { a: 2, b: ['x'] }, T0);
      expect(await s.getSetting(key)).toEqual({ a: 2, b: ['x'] });
    });
  });
}

function bancomat() {
  return { hpan: randomHpan(), maskedPan: '*************1111', lastFour: '1111', abi: '03069', productType: 'PP' as const,
    validityState: 'V' as const, expireMonth: '12', expireYear: '25', brand: 'PAGOBANCOMAT' };
}
