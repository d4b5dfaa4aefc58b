/**
 * Payment-manager wallets on SQLite: the credit-card flow (temporary → verifying → verified) and
 * PagoBancomat cards. Duplicate detection is the UNIQUE(fiscal_code, hpan) constraint used by an
 * upsert, so two processes adding the same card at once cannot both succeed.
 */
import type Database from 'better-sqlite3';
import type {
  AddCardResult, CompleteVerificationResult, NewBancomatCard, NewCard, StartVerificationResult,
  VerificationRecord, WalletPatch, WalletRecord,
} from '../storage.ts';

interface WalletRow {
  id_wallet: number; fiscal_code: string; wallet_type: string; status: string; hpan: string; masked_pan: string;
  last_four: string; brand: string; holder: string; expire_month: string; expire_year: string; abi: string | null;
  product_type: string | null; validity_state: string | null; favourite: number; confirmed: number;
  id_psp: number | null; created_at: number; updated_at: number;
}
interface VerificationRow {
  id: number; id_wallet: number; fiscal_code: string; nonce: string; amount_cents: number; status: string;
  created_at: number; updated_at: number;
}

export const toWallet = (r: WalletRow): WalletRecord => ({
  idWallet: r.id_wallet, fiscalCode: r.fiscal_code, walletType: r.wallet_type as WalletRecord['walletType'],
  status: r.status as WalletRecord['status'], hpan: r.hpan, maskedPan: r.masked_pan, lastFour: r.last_four,
  brand: r.brand, holder: r.holder, expireMonth: r.expire_month, expireYear: r.expire_year, abi: r.abi,
  productType: r.product_type as WalletRecord['productType'], validityState: r.validity_state as WalletRecord['validityState'],
  favourite: r.favourite === 1, confirmed: r.confirmed === 1, idPsp: r.id_psp,
  createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

const toVerification = (r: VerificationRow): VerificationRecord => ({
  id: r.id, idWallet: r.id_wallet, fiscalCode: r.fiscal_code, nonce: r.nonce, amountCents: r.amount_cents,
  status: r.status as VerificationRecord['status'], createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});

export function walletOps(db: Database.Database) {
  const upsertCard = db.prepare<Record<string, unknown>, Pick<WalletRow, 'id_wallet' | 'confirmed' | 'id_psp' | 'created_at'>>(`
    INSERT INTO wallets (fiscal_code, wallet_type, status, hpan, masked_pan, last_four, brand, holder, expire_month,
      expire_year, favourite, created_at, updated_at)
    VALUES (@fiscalCode, 'Card', 'temporary', @hpan, @maskedPan, @lastFour, @brand, @holder, @expireMonth, @expireYear,
      @favourite, @now, @now)
    ON CONFLICT (fiscal_code, hpan) DO UPDATE SET status = 'temporary', masked_pan = excluded.masked_pan,
      brand = excluded.brand, holder = excluded.holder, expire_month = excluded.expire_month,
      expire_year = excluded.expire_year, favourite = excluded.favourite, updated_at = excluded.updated_at
    WHERE wallets.status <> 'verified'
    RETURNING id_wallet, confirmed, id_psp, created_at`);
  const selectWallet = db.prepare<[number, string], WalletRow>('SELECT * FROM wallets WHERE id_wallet = ? AND fiscal_code = ?');
  const selectVisible = db.prepare<[string], WalletRow>(
    "SELECT * FROM wallets WHERE fiscal_code = ? AND status = 'verified' ORDER BY id_wallet");
  const setWalletStatus = db.prepare('UPDATE wallets SET status = ?, updated_at = ? WHERE id_wallet = ?');
  const insertVerification = db.prepare<unknown[], VerificationRow>(`INSERT INTO verifications
    (id_wallet, fiscal_code, nonce, amount_cents, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING *`);
  const selectVerification = db.prepare<[number], VerificationRow>('SELECT * FROM verifications WHERE id = ?');
  const setVerificationStatus = db.prepare<[string, number, number], VerificationRow>(
    'UPDATE verifications SET status = ?, updated_at = ? WHERE id = ? RETURNING *');
  const confirm = db.prepare("UPDATE wallets SET confirmed = 1, updated_at = ? WHERE id_wallet = ? AND fiscal_code = ? AND status = 'verified'");
  const favouriteAll = db.prepare('UPDATE wallets SET favourite = (id_wallet = ?), updated_at = ? WHERE fiscal_code = ?');
  const updatePsp = db.prepare('UPDATE wallets SET id_psp = ?, updated_at = ? WHERE id_wallet = ? AND fiscal_code = ?');
  const updateFav = db.prepare('UPDATE wallets SET favourite = ?, updated_at = ? WHERE id_wallet = ? AND fiscal_code = ?');
  const deleteRow = db.prepare('DELETE FROM wallets WHERE id_wallet = ? AND fiscal_code = ?');
  const deleteVerifications = db.prepare('DELETE FROM verifications WHERE id_wallet = ?');
  const insertBancomat = db.prepare(`
    INSERT INTO wallets (fiscal_code, wallet_type, status, hpan, masked_pan, last_four, brand, holder, expire_month,
      expire_year, abi, product_type, validity_state, favourite, created_at, updated_at)
    VALUES (@fiscalCode, 'Bancomat', 'verified', @hpan, @maskedPan, @lastFour, @brand, '', @expireMonth, @expireYear,
      @abi, @productType, @validityState, 0, @now, @now)
    ON CONFLICT (fiscal_code, hpan) DO NOTHING`);
  const selectByHpan = db.prepare<[string, string], WalletRow>('SELECT * FROM wallets WHERE fiscal_code = ? AND hpan = ?');

  const visibleWallet = (fiscalCode: string, idWallet: number): WalletRow | undefined => {
    const r = selectWallet.get(idWallet, fiscalCode);
    return r?.status === 'verified' ? r : undefined;
  };

  return {
    addCard(c: NewCard, now: Date): AddCardResult {
      const t = now.getTime();
      const row = upsertCard.get({ fiscalCode: c.fiscalCode, hpan: c.hpan, maskedPan: c.maskedPan, lastFour: c.lastFour,
        brand: c.brand, holder: c.holder, expireMonth: c.expireMonth, expireYear: c.expireYear,
        favourite: c.favourite ? 1 : 0, now: t });
      if (row === undefined) return { kind: 'already_exists' };
      // The row as written: the card's own fields are what was just stored (an update of a
      // not-yet-verified row sets them all; last_four follows the hpan); only these four come back.
      return { kind: 'created', wallet: {
        idWallet: row.id_wallet, fiscalCode: c.fiscalCode, walletType: 'Card', status: 'temporary', hpan: c.hpan,
        maskedPan: c.maskedPan, lastFour: c.lastFour, brand: c.brand, holder: c.holder, expireMonth: c.expireMonth,
        expireYear: c.expireYear, abi: null, productType: null, validityState: null, favourite: c.favourite,
        confirmed: row.confirmed === 1, idPsp: row.id_psp, createdAt: new Date(row.created_at), updatedAt: now,
      } };
    },
    getWallet(fiscalCode: string, idWallet: number): WalletRecord | undefined {
      const r = selectWallet.get(idWallet, fiscalCode);
      return r === undefined ? undefined : toWallet(r);
    },
    listWallets(fiscalCode: string): WalletRecord[] {
      return selectVisible.all(fiscalCode).map(toWallet);
    },
    startVerification(fiscalCode: string, idWallet: number, v: { nonce: string; amountCents: number }, now: Date): StartVerificationResult {
      const w = selectWallet.get(idWallet, fiscalCode);
      if (w === undefined || w.wallet_type !== 'Card') return { kind: 'wallet_not_found' };
      if (w.status === 'verified') return { kind: 'already_verified' };
      const t = now.getTime();
      const row = insertVerification.get(idWallet, fiscalCode, v.nonce, v.amountCents, t, t) as VerificationRow;
      setWalletStatus.run('verifying', t, idWallet);
      return { kind: 'started', verification: toVerification(row) };
    },
    getVerification(id: number): VerificationRecord | undefined {
      const r = selectVerification.get(id);
      return r === undefined ? undefined : toVerification(r);
    },
    completeVerification(id: number, nonce: string, outcome: 'authorized' | 'denied', now: Date): CompleteVerificationResult {
      const v = selectVerification.get(id);
      if (v === undefined || v.nonce !== nonce) return { kind: 'not_found' };
      if (v.status !== 'pending') return { kind: 'already_completed', verification: toVerification(v) };
      const w = selectWallet.get(v.id_wallet, v.fiscal_code);
      if (w === undefined) return { kind: 'not_found' };
      const t = now.getTime();
      const updated = setVerificationStatus.get(outcome, t, id) as VerificationRow;
      if (outcome === 'authorized') setWalletStatus.run('verified', t, w.id_wallet);
      return { kind: 'completed', verification: toVerification(updated), wallet: toWallet(selectWallet.get(w.id_wallet, w.fiscal_code) as WalletRow) };
    },
    confirmWallet(fiscalCode: string, idWallet: number, now: Date): WalletRecord | undefined {
      if (confirm.run(now.getTime(), idWallet, fiscalCode).changes === 0) return undefined;
      return toWallet(selectWallet.get(idWallet, fiscalCode) as WalletRow);
    },
    setFavourite(fiscalCode: string, idWallet: number, now: Date): WalletRecord | undefined {
      if (visibleWallet(fiscalCode, idWallet) === undefined) return undefined;
      favouriteAll.run(idWallet, now.getTime(), fiscalCode);
      return toWallet(selectWallet.get(idWallet, fiscalCode) as WalletRow);
    },
    updateWallet(fiscalCode: string, idWallet: number, patch: WalletPatch, now: Date): WalletRecord | undefined {
      if (selectWallet.get(idWallet, fiscalCode) === undefined) return undefined;
      const t = now.getTime();
      if (patch.idPsp !== undefined) updatePsp.run(patch.idPsp, t, idWallet, fiscalCode);
      if (patch.favourite === true) favouriteAll.run(idWallet, t, fiscalCode);
      else if (patch.favourite === false) updateFav.run(0, t, idWallet, fiscalCode);
      return toWallet(selectWallet.get(idWallet, fiscalCode) as WalletRow);
    },
    deleteWallet(fiscalCode: string, idWallet: number): boolean {
      const gone = deleteRow.run(idWallet, fiscalCode).changes > 0;
      if (gone) deleteVerifications.run(idWallet);
      return gone;
    },
    addBancomatCards(fiscalCode: string, cards: NewBancomatCard[], now: Date): WalletRecord[] {
      const out: WalletRecord[] = [];
      for (const c of cards) {
        insertBancomat.run({ fiscalCode, hpan: c.hpan, maskedPan: c.maskedPan, lastFour: c.lastFour, brand: c.brand,
          expireMonth: c.expireMonth, expireYear: c.expireYear, abi: c.abi, productType: c.productType,
          validityState: c.validityState, now: now.getTime() });
        out.push(toWallet(selectByHpan.get(fiscalCode, c.hpan) as WalletRow));
      }
      return out;
    },
  };
}
