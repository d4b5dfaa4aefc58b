/**
 * Payment-manager wallets on PostgreSQL: the credit-card flow (temporary → verifying →
 * verified) and PagoBancomat cards. Duplicate detection is the UNIQUE (fiscal_code, hpan)
 * constraint used by one upsert, so two workers adding the same card at once cannot both get
 * `created` for a verified card, and never produce two rows.
 */
import type pg from 'pg';
import type {
  AddCardResult, CompleteVerificationResult, NewBancomatCard, NewCard, StartVerificationResult,
  VerificationRecord, WalletPatch, WalletRecord,
} from '../storage.ts';
import { Batcher } from './batcher.ts';
import { tx } from './pool.ts';

interface WalletRow {
  id_wallet: number; fiscal_code: string; wallet_type: string; status: string; hpan: string; masked_pan: string;
  last_four: string; brand: string; holder: string; expire_month: string; expire_year: string; abi: string | null;
  product_type: string | null; validity_state: string | null; favourite: boolean; confirmed: boolean;
  id_psp: number | null; created_at: Date; updated_at: Date;
}
interface VerificationRow {
  id: number; id_wallet: number; fiscal_code: string; nonce: string; amount_cents: number; status: string;
  created_at: Date; updated_at: Date;
}

const toWallet = (r: WalletRow): WalletRecord => ({
  idWallet: r.id_wallet, fiscalCode: r.fiscal_code, walletType: r.wallet_type as WalletRecord['walletType'],
  status: r.status as WalletRecord['status'], hpan: r.hpan, maskedPan: r.masked_pan, lastFour: r.last_four,
  brand: r.brand, holder: r.holder, expireMonth: r.expire_month, expireYear: r.expire_year, abi: r.abi,
  productType: r.product_type as WalletRecord['productType'], validityState: r.validity_state as WalletRecord['validityState'],
  favourite: r.favourite, confirmed: r.confirmed, idPsp: r.id_psp, createdAt: r.created_at, updatedAt: r.updated_at,
});

const toVerification = (r: VerificationRow): VerificationRecord => ({
  id: r.id, idWallet: r.id_wallet, fiscalCode: r.fiscal_code, nonce: r.nonce, amountCents: r.amount_cents,
  status: r.status as VerificationRecord['status'], createdAt: r.created_at, updatedAt: r.updated_at,
});

// One statement for 1..N card additions (see batcher.ts): the rows come back by (fiscal_code, hpan).
const UPSERT_CARDS = `
  INSERT INTO wallets (fiscal_code, wallet_type, status, hpan, masked_pan, last_four, brand, holder, expire_month,
    expire_year, favourite, created_at, updated_at)
  SELECT f, 'Card', 'temporary', h, m, l, b, o, em, ey, fav, t, t
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::bool[], $10::timestamptz[]) AS q(f, h, m, l, b, o, em, ey, fav, t)
  ON CONFLICT (fiscal_code, hpan) DO UPDATE SET status = 'temporary', masked_pan = excluded.masked_pan,
    brand = excluded.brand, holder = excluded.holder, expire_month = excluded.expire_month,
    expire_year = excluded.expire_year, favourite = excluded.favourite, updated_at = excluded.updated_at
  WHERE wallets.status <> 'verified'
  RETURNING *`;

type CardItem = { card: NewCard; now: Date };
const cardKey = (fiscalCode: string, hpan: string): string => `${fiscalCode}\n${hpan}`;

/** `inFlight`: card-addition statements at PostgreSQL at once (the rest wait and commit as one). */
export function walletOps(pool: pg.Pool, inFlight = 2) {
  const cards = new Batcher<CardItem, AddCardResult>(async (items) => {
    const col = <T>(f: (c: NewCard) => T): T[] => items.map((i) => f(i.card));
    const r = await pool.query<WalletRow>({
      name: 'upsert_cards',
      text: UPSERT_CARDS,
      values: [col((c) => c.fiscalCode), col((c) => c.hpan), col((c) => c.maskedPan), col((c) => c.lastFour), col((c) => c.brand),
        col((c) => c.holder), col((c) => c.expireMonth), col((c) => c.expireYear), col((c) => c.favourite), items.map((i) => i.now)],
    });
    const byKey = new Map<string, WalletRow>();
    for (const row of r.rows) byKey.set(cardKey(row.fiscal_code, row.hpan), row);
    return items.map((i): AddCardResult => {
      const row = byKey.get(cardKey(i.card.fiscalCode, i.card.hpan));
      return row === undefined ? { kind: 'already_exists' } : { kind: 'created', wallet: toWallet(row) };
    });
  }, { maxInFlight: inFlight, key: (i) => cardKey(i.card.fiscalCode, i.card.hpan) });

  const one = async (c: pg.Pool | pg.PoolClient, idWallet: number, fiscalCode: string, lock = false): Promise<WalletRow | undefined> =>
    (await c.query<WalletRow>(`SELECT * FROM wallets WHERE id_wallet = $1 AND fiscal_code = $2${lock ? ' FOR UPDATE' : ''}`,
      [idWallet, fiscalCode])).rows[0];

  return {
    addCard(card: NewCard, now: Date): Promise<AddCardResult> {
      return cards.call({ card, now });
    },
    async getWallet(fiscalCode: string, idWallet: number): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      const r = await one(pool, idWallet, fiscalCode);
      return r === undefined ? undefined : toWallet(r);
    },
    async listWallets(fiscalCode: string): Promise<WalletRecord[]> {
      const r = await pool.query<WalletRow>({
        name: 'list_wallets',
        text: "SELECT * FROM wallets WHERE fiscal_code = $1 AND status = 'verified' ORDER BY id_wallet",
        values: [fiscalCode],
      });
      return r.rows.map(toWallet);
    },
    async startVerification(fiscalCode: string, idWallet: number, v: { nonce: string; amountCents: number }, now: Date): Promise<StartVerificationResult> {
      if (!isId(idWallet)) return { kind: 'wallet_not_found' };
      return tx(pool, async (c) => {
        const w = await one(c, idWallet, fiscalCode, true);
        if (w === undefined || w.wallet_type !== 'Card') return { kind: 'wallet_not_found' } as const;
        if (w.status === 'verified') return { kind: 'already_verified' } as const;
        const row = (await c.query<VerificationRow>(
          `INSERT INTO verifications (id_wallet, fiscal_code, nonce, amount_cents, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'pending', $5, $5) RETURNING *`, [idWallet, fiscalCode, v.nonce, v.amountCents, now])).rows[0]!;
        await c.query("UPDATE wallets SET status = 'verifying', updated_at = $1 WHERE id_wallet = $2", [now, idWallet]);
        return { kind: 'started', verification: toVerification(row) } as const;
      });
    },
    async getVerification(id: number): Promise<VerificationRecord | undefined> {
      if (!isId(id)) return undefined;
      const r = await pool.query<VerificationRow>('SELECT * FROM verifications WHERE id = $1', [id]);
      return r.rows[0] === undefined ? undefined : toVerification(r.rows[0]);
    },
    async completeVerification(id: number, nonce: string, outcome: 'authorized' | 'denied', now: Date): Promise<CompleteVerificationResult> {
      if (!isId(id)) return { kind: 'not_found' };
      return tx(pool, async (c) => {
        const v = (await c.query<VerificationRow>('SELECT * FROM verifications WHERE id = $1 FOR UPDATE', [id])).rows[0];
        if (v === undefined || v.nonce !== nonce) return { kind: 'not_found' } as const;
        if (v.status !== 'pending') return { kind: 'already_completed', verification: toVerification(v) } as const;
        const w = await one(c, v.id_wallet, v.fiscal_code, true);
        if (w === undefined) return { kind: 'not_found' } as const;
        const updated = (await c.query<VerificationRow>(
          'UPDATE verifications SET status = $1, updated_at = $2 WHERE id = $3 RETURNING *', [outcome, now, id])).rows[0]!;
        if (outcome === 'authorized') {
          await c.query("UPDATE wallets SET status = 'verified', updated_at = $1 WHERE id_wallet = $2", [now, w.id_wallet]);
        }
        const after = await one(c, w.id_wallet, w.fiscal_code);
        return { kind: 'completed', verification: toVerification(updated), wallet: toWallet(after!) } as const;
      });
    },
    async confirmWallet(fiscalCode: string, idWallet: number, now: Date): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      const r = await pool.query<WalletRow>(
        "UPDATE wallets SET confirmed = true, updated_at = $1 WHERE id_wallet = $2 AND fiscal_code = $3 AND status = 'verified' RETURNING *",
        [now, idWallet, fiscalCode]);
      return r.rows[0] === undefined ? undefined : toWallet(r.rows[0]);
    },
    async setFavourite(fiscalCode: string, idWallet: number, now: Date): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      return tx(pool, async (c) => {
        const w = await one(c, idWallet, fiscalCode, true);
        if (w?.status !== 'verified') return undefined;
        await c.query('UPDATE wallets SET favourite = (id_wallet = $1), updated_at = $2 WHERE fiscal_code = $3', [idWallet, now, fiscalCode]);
        return toWallet((await one(c, idWallet, fiscalCode))!);
      });
    },
    async updateWallet(fiscalCode: string, idWallet: number, patch: WalletPatch, now: Date): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      return tx(pool, async (c) => {
        if ((await one(c, idWallet, fiscalCode, true)) === undefined) return undefined;
        if (patch.idPsp !== undefined) {
          await c.query('UPDATE wallets SET id_psp = $1, updated_at = $2 WHERE id_wallet = $3 AND fiscal_code = $4', [patch.idPsp, now, idWallet, fiscalCode]);
        }
        if (patch.favourite === true) {
          await c.query('UPDATE wallets SET favourite = (id_wallet = $1), updated_at = $2 WHERE fiscal_code = $3', [idWallet, now, fiscalCode]);
        } else if (patch.favourite === false) {
          await c.query('UPDATE wallets SET favourite = false, updated_at = $1 WHERE id_wallet = $2 AND fiscal_code = $3', [now, idWallet, fiscalCode]);
        }
        return toWallet((await one(c, idWallet, fiscalCode))!);
      });
    },
    async deleteWallet(fiscalCode: string, idWallet: number): Promise<boolean> {
      if (!isId(idWallet)) return false;
      return tx(pool, async (c) => {
        const r = await c.query('DELETE FROM wallets WHERE id_wallet = $1 AND fiscal_code = $2', [idWallet, fiscalCode]);
        const gone = (r.rowCount ?? 0) > 0;
        if (gone) await c.query('DELETE FROM verifications WHERE id_wallet = $1', [idWallet]);
        return gone;
      });
    },
    async addBancomatCards(fiscalCode: string, cards: NewBancomatCard[], now: Date): Promise<WalletRecord[]> {
      return tx(pool, async (c) => {
        const out: WalletRecord[] = [];
        for (const k of cards) {
          await c.query(
            `INSERT INTO wallets (fiscal_code, wallet_type, status, hpan, masked_pan, last_four, brand, holder, expire_month,
               expire_year, abi, product_type, validity_state, favourite, created_at, updated_at)
             VALUES ($1, 'Bancomat', 'verified', $2, $3, $4, $5, '', $6, $7, $8, $9, $10, false, $11, $11)
             ON CONFLICT (fiscal_code, hpan) DO NOTHING`,
            [fiscalCode, k.hpan, k.maskedPan, k.lastFour, k.brand, k.expireMonth, k.expireYear, k.abi, k.productType, k.validityState, now]);
          const row = (await c.query<WalletRow>('SELECT * FROM wallets WHERE fiscal_code = $1 AND hpan = $2', [fiscalCode, k.hpan])).rows[0]!;
          out.push(toWallet(row));
        }
        return out;
      });
    },
  };
}

/** Ids outside BIGINT range (or not integers) can never match; checked before PostgreSQL would throw. */
function isId(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}
