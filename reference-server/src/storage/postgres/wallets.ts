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
import type { CountedAddCardResult, WriteHit } from '../../idempotency/store.ts';
import { Batcher } from './batcher.ts';

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

type Json = Record<string, unknown>;
/** A row that came back as JSON (to_jsonb): timestamps are ISO strings there. */
function rowOf<T>(j: Json): T {
  return { ...j, created_at: new Date(j['created_at'] as string), updated_at: new Date(j['updated_at'] as string) } as T;
}

const toVerification = (r: VerificationRow): VerificationRecord => ({
  id: r.id, idWallet: r.id_wallet, fiscalCode: r.fiscal_code, nonce: r.nonce, amountCents: r.amount_cents,
  status: r.status as VerificationRecord['status'], createdAt: r.created_at, updatedAt: r.updated_at,
});

// One statement for 1..N card additions (see batcher.ts), each with or without its write hit
// (RateLimitStore.addCardCounted): the hits are added to their windows first (in key order, so
// two statements never lock two windows in opposite orders), each item gets the count it would
// have had alone (the window's new total less the batch's later hits of it), and only the cards
// within their limit are upserted. An item without a hit (s NULL) is always written. One row per
// item comes back, in the items' order, as an array: the count, then what the upsert decided
// (id, created_at as epoch ms, and the two columns an earlier unverified row may carry over), all
// NULL when the card was not written; the rest of the wallet is the request's own card, so the
// driver builds no 19-field rows and parses no timestamps.
const ADD_CARDS = `
  WITH q AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
      $9::bool[], $10::timestamptz[], $11::text[], $12::bigint[], $13::int[]) WITH ORDINALITY AS q(f, h, m, l, b, o, em, ey, fav, t, s, w, lim, i)
  ), hit AS (
    INSERT INTO rate_windows (subject, window_start, hits)
    SELECT s, w, count(*) FROM q WHERE s IS NOT NULL GROUP BY s, w ORDER BY s, w
    ON CONFLICT (subject, window_start) DO UPDATE SET hits = rate_windows.hits + excluded.hits
    RETURNING subject, window_start, hits
  ), counted AS (
    SELECT q.*, hit.hits - count(*) OVER k + row_number() OVER (k ORDER BY q.i) AS n
    FROM q LEFT JOIN hit ON hit.subject = q.s AND hit.window_start = q.w
    WINDOW k AS (PARTITION BY q.s, q.w)
  ), card AS (
    INSERT INTO wallets (fiscal_code, wallet_type, status, hpan, masked_pan, last_four, brand, holder, expire_month,
      expire_year, favourite, created_at, updated_at)
    SELECT f, 'Card', 'temporary', h, m, l, b, o, em, ey, fav, t, t FROM counted WHERE s IS NULL OR n <= lim
    ON CONFLICT (fiscal_code, hpan) DO UPDATE SET status = 'temporary', masked_pan = excluded.masked_pan,
      brand = excluded.brand, holder = excluded.holder, expire_month = excluded.expire_month,
      expire_year = excluded.expire_year, favourite = excluded.favourite, updated_at = excluded.updated_at
    WHERE wallets.status <> 'verified'
    RETURNING fiscal_code, hpan, id_wallet, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms, confirmed, id_psp
  )
  SELECT counted.n, card.id_wallet, card.created_ms, card.confirmed, card.id_psp
  FROM counted LEFT JOIN card ON card.fiscal_code = counted.f AND card.hpan = counted.h ORDER BY counted.i`;

/** A row of ADD_CARDS: the hit's count (NULL without a hit), id_wallet, created_at (epoch ms), confirmed, id_psp. */
type AddedRow = [number | null, number | null, number | null, boolean | null, number | null];

type CardItem = { card: NewCard; now: Date; hit: WriteHit | undefined };
const cardKey = (fiscalCode: string, hpan: string): string => `${fiscalCode}\n${hpan}`;

/** The wallet a card addition created (or reset to temporary): the card as sent, plus what the row held. */
const addedWallet = (c: NewCard, now: Date, r: AddedRow): WalletRecord => ({
  idWallet: r[1]!, fiscalCode: c.fiscalCode, walletType: 'Card', status: 'temporary', hpan: c.hpan, maskedPan: c.maskedPan,
  lastFour: c.lastFour, brand: c.brand, holder: c.holder, expireMonth: c.expireMonth, expireYear: c.expireYear, abi: null,
  productType: null, validityState: null, favourite: c.favourite, confirmed: r[3]!, idPsp: r[4], createdAt: new Date(r[2]!), updatedAt: now,
});

const outcome = (i: CardItem, r: AddedRow): CountedAddCardResult => {
  if (i.hit !== undefined && r[0]! > i.hit.limit) return { kind: 'rate_limited' };
  return r[1] === null ? { kind: 'already_exists' } : { kind: 'created', wallet: addedWallet(i.card, i.now, r) };
};

/**
 * `inFlight`: card-addition statements at PostgreSQL at once (the rest wait and commit as one);
 * `overlapAt`: cards waiting before a statement beyond the first goes (postgres-storage.ts).
 */
export function walletOps(pool: pg.Pool, inFlight = 1, overlapAt = 1) {
  const cards = new Batcher<CardItem, CountedAddCardResult>(async (items) => {
    const col = <T>(f: (c: NewCard) => T): T[] => items.map((i) => f(i.card));
    const r = await pool.query<AddedRow>({
      name: 'add_cards',
      text: ADD_CARDS,
      rowMode: 'array',
      values: [col((c) => c.fiscalCode), col((c) => c.hpan), col((c) => c.maskedPan), col((c) => c.lastFour), col((c) => c.brand),
        col((c) => c.holder), col((c) => c.expireMonth), col((c) => c.expireYear), col((c) => c.favourite),
        // ISO strings: the driver's Date formatting costs more than toISOString, per item.
        items.map((i) => i.now.toISOString()),
        items.map((i) => i.hit?.subject ?? null), items.map((i) => i.hit?.windowStart ?? null), items.map((i) => i.hit?.limit ?? null)],
    });
    return items.map((i, k) => outcome(i, r.rows[k]!));
  }, { maxInFlight: inFlight, overlapAt, key: (i) => cardKey(i.card.fiscalCode, i.card.hpan) });

  const one = async (idWallet: number, fiscalCode: string): Promise<WalletRow | undefined> =>
    (await pool.query<WalletRow>({ name: 'get_wallet', text: 'SELECT * FROM wallets WHERE id_wallet = $1 AND fiscal_code = $2',
      values: [idWallet, fiscalCode] })).rows[0];

  return {
    addCard(card: NewCard, now: Date): Promise<AddCardResult> {
      return cards.call({ card, now, hit: undefined }) as Promise<AddCardResult>;
    },
    addCardCounted(card: NewCard, now: Date, hit: WriteHit): Promise<CountedAddCardResult> {
      return cards.call({ card, now, hit });
    },
    async getWallet(fiscalCode: string, idWallet: number): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      const r = await one(idWallet, fiscalCode);
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
      // One statement: the guarded UPDATE moves the wallet to `verifying` (its row lock orders
      // concurrent attempts), the INSERT records the payment only if it did; `w` (the statement's
      // snapshot) says why nothing happened.
      const r = (await pool.query<VerificationRow & { w_type: string | null }>({
        name: 'start_verification',
        text: `WITH w AS (SELECT wallet_type FROM wallets WHERE id_wallet = $1 AND fiscal_code = $2),
               u AS (UPDATE wallets SET status = 'verifying', updated_at = $5
                     WHERE id_wallet = $1 AND fiscal_code = $2 AND wallet_type = 'Card' AND status <> 'verified' RETURNING id_wallet),
               v AS (INSERT INTO verifications (id_wallet, fiscal_code, nonce, amount_cents, status, created_at, updated_at)
                     SELECT id_wallet, $2, $3, $4, 'pending', $5, $5 FROM u RETURNING *)
               SELECT (SELECT wallet_type FROM w) AS w_type, v.* FROM (SELECT 1) AS one LEFT JOIN v ON true`,
        values: [idWallet, fiscalCode, v.nonce, v.amountCents, now],
      })).rows[0]!;
      if (r.id !== null && r.id !== undefined) return { kind: 'started', verification: toVerification(r) };
      if (r.w_type !== 'Card') return { kind: 'wallet_not_found' };
      return { kind: 'already_verified' };
    },
    async getVerification(id: number): Promise<VerificationRecord | undefined> {
      if (!isId(id)) return undefined;
      const r = await pool.query<VerificationRow>({ name: 'get_verification', text: 'SELECT * FROM verifications WHERE id = $1', values: [id] });
      return r.rows[0] === undefined ? undefined : toVerification(r.rows[0]);
    },
    async completeVerification(id: number, nonce: string, outcome: 'authorized' | 'denied', now: Date): Promise<CompleteVerificationResult> {
      if (!isId(id)) return { kind: 'not_found' };
      const r = (await pool.query<{ out: { kind: string; verification?: Json; wallet?: Json } }>({
        name: 'complete_verification',
        text: 'SELECT picco_complete_verification($1, $2, $3, $4) AS out',
        values: [id, nonce, outcome, now],
      })).rows[0]!.out;
      if (r.kind === 'completed') {
        return { kind: 'completed', verification: toVerification(rowOf<VerificationRow>(r.verification!)), wallet: toWallet(rowOf<WalletRow>(r.wallet!)) };
      }
      if (r.kind === 'already_completed') return { kind: 'already_completed', verification: toVerification(rowOf<VerificationRow>(r.verification!)) };
      return { kind: 'not_found' };
    },
    async confirmWallet(fiscalCode: string, idWallet: number, now: Date): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      const r = await pool.query<WalletRow>({
        name: 'confirm_wallet',
        text: "UPDATE wallets SET confirmed = true, updated_at = $1 WHERE id_wallet = $2 AND fiscal_code = $3 AND status = 'verified' RETURNING *",
        values: [now, idWallet, fiscalCode],
      });
      return r.rows[0] === undefined ? undefined : toWallet(r.rows[0]);
    },
    async setFavourite(fiscalCode: string, idWallet: number, now: Date): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      const r = await pool.query<WalletRow>({
        name: 'set_favourite',
        text: `UPDATE wallets SET favourite = (id_wallet = $1), updated_at = $2 WHERE fiscal_code = $3
               AND EXISTS (SELECT 1 FROM wallets t WHERE t.id_wallet = $1 AND t.fiscal_code = $3 AND t.status = 'verified') RETURNING *`,
        values: [idWallet, now, fiscalCode],
      });
      const row = r.rows.find((w) => w.id_wallet === idWallet);
      return row === undefined ? undefined : toWallet(row);
    },
    async updateWallet(fiscalCode: string, idWallet: number, patch: WalletPatch, now: Date): Promise<WalletRecord | undefined> {
      if (!isId(idWallet)) return undefined;
      // One UPDATE over the citizen's wallets: idPsp on this one; favourite true makes it the only
      // favourite, false clears it on this one. An empty patch touches nothing but still finds the wallet.
      const psp = patch.idPsp ?? null;
      const fav = patch.favourite ?? null;
      const r = await pool.query<WalletRow>({
        name: 'update_wallet',
        text: `UPDATE wallets SET
                 id_psp = CASE WHEN id_wallet = $1 AND $4::bigint IS NOT NULL THEN $4::bigint ELSE id_psp END,
                 favourite = CASE WHEN $5::boolean IS TRUE THEN (id_wallet = $1)
                                  WHEN $5::boolean IS FALSE AND id_wallet = $1 THEN false ELSE favourite END,
                 updated_at = CASE WHEN $4::bigint IS NULL AND $5::boolean IS NULL THEN updated_at
                                   WHEN id_wallet = $1 OR $5::boolean IS TRUE THEN $2 ELSE updated_at END
               WHERE fiscal_code = $3 AND (id_wallet = $1 OR $5::boolean IS TRUE)
                 AND EXISTS (SELECT 1 FROM wallets t WHERE t.id_wallet = $1 AND t.fiscal_code = $3)
               RETURNING *`,
        values: [idWallet, now, fiscalCode, psp, fav],
      });
      const row = r.rows.find((w) => w.id_wallet === idWallet);
      return row === undefined ? undefined : toWallet(row);
    },
    async deleteWallet(fiscalCode: string, idWallet: number): Promise<boolean> {
      if (!isId(idWallet)) return false;
      const r = await pool.query<{ n: number }>({
        name: 'delete_wallet',
        text: `WITH w AS (DELETE FROM wallets WHERE id_wallet = $1 AND fiscal_code = $2 RETURNING id_wallet),
               v AS (DELETE FROM verifications WHERE id_wallet IN (SELECT id_wallet FROM w))
               SELECT count(*)::int AS n FROM w`,
        values: [idWallet, fiscalCode],
      });
      return (r.rows[0]?.n ?? 0) > 0;
    },
    async addBancomatCards(fiscalCode: string, cards: NewBancomatCard[], now: Date): Promise<WalletRecord[]> {
      if (cards.length === 0) return [];
      const col = <T>(f: (c: NewBancomatCard) => T): T[] => cards.map(f);
      // New rows come from the INSERT's RETURNING, existing ones from the statement's snapshot.
      // A row another request inserted after that snapshot is in neither: then the statement
      // runs again (it inserts nothing the second time) and finds it.
      for (let attempt = 0; ; attempt++) {
        const r = await pool.query<WalletRow & { i: number }>({
          name: 'add_bancomat_cards',
          text: `WITH q AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[]) WITH ORDINALITY AS q(h, m, l, b, em, ey, abi, pt, vs, i)),
                 ins AS (INSERT INTO wallets (fiscal_code, wallet_type, status, hpan, masked_pan, last_four, brand, holder, expire_month,
                   expire_year, abi, product_type, validity_state, favourite, created_at, updated_at)
                   SELECT $1, 'Bancomat', 'verified', h, m, l, b, '', em, ey, abi, pt, vs, false, $11, $11 FROM q ORDER BY i
                   ON CONFLICT (fiscal_code, hpan) DO NOTHING RETURNING *),
                 x AS (SELECT * FROM ins UNION ALL SELECT * FROM wallets WHERE fiscal_code = $1 AND hpan IN (SELECT h FROM q))
               SELECT q.i, x.* FROM q JOIN x ON x.hpan = q.h ORDER BY q.i`,
          values: [fiscalCode, col((k) => k.hpan), col((k) => k.maskedPan), col((k) => k.lastFour), col((k) => k.brand),
            col((k) => k.expireMonth), col((k) => k.expireYear), col((k) => k.abi), col((k) => k.productType), col((k) => k.validityState), now],
        });
        if (r.rows.length === cards.length || attempt >= 2) return r.rows.map(toWallet);
      }
    },
  };
}

/** Ids outside BIGINT range (or not integers) can never match; checked before PostgreSQL would throw. */
function isId(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}
