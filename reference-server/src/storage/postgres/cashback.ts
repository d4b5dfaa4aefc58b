/**
 * BPD state on PostgreSQL: citizens, payment instruments with their activation history,
 * winning transactions, totals and ranking — the same rules, queries and outcomes as the
 * SQLite store (the contract suite runs on both). One active owner per hpan is the partial
 * unique index `instruments_one_active`: when two workers race, PostgreSQL lets one insert win
 * and the other's transaction fails with 23505, which becomes `conflict`. Citizen rows are
 * locked (`FOR UPDATE`) for read-modify-write operations, so a concurrent opt-out and
 * instrument enrolment serialise instead of interleaving.
 */
import type pg from 'pg';
import {
  StorageFailure,
  type CascadeStep, type CashbackTotals, type CitizenRecord, type DeleteCitizenResult, type DisableInstrumentResult,
  type EnableInstrumentResult, type GetInstrumentResult, type IbanUpdate, type IngestOutcome, type InstrumentRecord,
  type NewTransaction, type RankingRecord, type SetIbanResult, type WinningTransactionRecord,
} from '../storage.ts';
import { isUniqueViolation, tx } from './pool.ts';

interface CitizenRow {
  fiscal_code: string; enabled: boolean; payoff_instr: string | null; payoff_instr_type: string | null;
  account_holder_cf: string | null; account_holder_name: string | null; account_holder_surname: string | null;
  timestamp_tc: Date; updated_at: Date;
}
interface InstrumentRow {
  hpan: string; fiscal_code: string; status: string; channel: string; activation_date: Date; deactivation_date: Date | null;
}
interface TrxRow {
  id: number; hpan: string; fiscal_code: string; acquirer_code: string; id_trx_acquirer: string; id_trx_issuer: string;
  trx_date: string; amount_cents: number; cashback_cents: number; operation_type: string; circuit_type: string;
  award_period_id: number;
}

const toCitizen = (r: CitizenRow): CitizenRecord => ({
  fiscalCode: r.fiscal_code, enabled: r.enabled, payoffInstr: r.payoff_instr,
  payoffInstrType: r.payoff_instr_type === 'IBAN' ? 'IBAN' : null, accountHolderCF: r.account_holder_cf,
  accountHolderName: r.account_holder_name, accountHolderSurname: r.account_holder_surname,
  timestampTC: r.timestamp_tc, updatedAt: r.updated_at,
});
const toInstrument = (r: InstrumentRow): InstrumentRecord => ({
  hpan: r.hpan, fiscalCode: r.fiscal_code, status: r.status as InstrumentRecord['status'], channel: r.channel,
  activationDate: r.activation_date, deactivationDate: r.deactivation_date,
});
const toTrx = (r: TrxRow): WinningTransactionRecord => ({
  hpan: r.hpan, fiscalCode: r.fiscal_code, acquirerCode: r.acquirer_code, idTrxAcquirer: r.id_trx_acquirer,
  idTrxIssuer: r.id_trx_issuer, trxDate: r.trx_date, amountCents: r.amount_cents, cashbackCents: r.cashback_cents,
  operationType: r.operation_type as WinningTransactionRecord['operationType'], circuitType: r.circuit_type,
  awardPeriodId: r.award_period_id,
});

/** Calendar day (UTC) of an instant, `YYYY-MM-DD` (as the SQLite store). */
const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

const AGG = `SELECT fiscal_code,
    (SUM(CASE WHEN operation_type = '00' AND cashback_cents > 0 THEN 1 ELSE 0 END)
      - SUM(CASE WHEN operation_type = '01' AND refund_matched THEN 1 ELSE 0 END))::bigint AS n,
    SUM(CASE WHEN operation_type = '00' AND cashback_cents > 0 THEN 1 ELSE 0 END)::bigint AS purchases,
    SUM(CASE WHEN operation_type = '01' AND refund_matched THEN 1 ELSE 0 END)::bigint AS matched,
    SUM(cashback_cents)::bigint AS cashback
  FROM transactions WHERE award_period_id = $1`;

type Q = pg.Pool | pg.PoolClient;

export function cashbackOps(pool: pg.Pool) {
  const citizen = async (c: Q, cf: string, lock = false): Promise<CitizenRow | undefined> =>
    (await c.query<CitizenRow>(`SELECT * FROM citizens WHERE fiscal_code = $1${lock ? ' FOR UPDATE' : ''}`, [cf])).rows[0];
  const active = async (c: Q, hpan: string): Promise<InstrumentRow | undefined> =>
    (await c.query<InstrumentRow>({ name: 'active_instrument', text: "SELECT * FROM instruments WHERE hpan = $1 AND status = 'ACTIVE'", values: [hpan] })).rows[0];
  const own = async (c: Q, hpan: string, cf: string): Promise<InstrumentRow | undefined> =>
    (await c.query<InstrumentRow>('SELECT * FROM instruments WHERE hpan = $1 AND fiscal_code = $2', [hpan, cf])).rows[0];

  return {
    async getCitizen(fiscalCode: string): Promise<CitizenRecord | undefined> {
      const r = await citizen(pool, fiscalCode);
      return r === undefined ? undefined : toCitizen(r);
    },
    async enrollCitizen(fiscalCode: string, now: Date): Promise<CitizenRecord> {
      return tx(pool, async (c) => {
        await c.query(
          `INSERT INTO citizens (fiscal_code, enabled, timestamp_tc, updated_at) VALUES ($1, true, $2, $2)
           ON CONFLICT (fiscal_code) DO UPDATE SET enabled = true, timestamp_tc = excluded.timestamp_tc, updated_at = excluded.updated_at
           WHERE NOT citizens.enabled`, [fiscalCode, now]);
        return toCitizen((await citizen(c, fiscalCode))!);
      });
    },
    async setIban(fiscalCode: string, iban: IbanUpdate, now: Date): Promise<SetIbanResult> {
      return tx(pool, async (c) => {
        const r = await citizen(c, fiscalCode, true);
        if (r === undefined) return { kind: 'not_found' } as const;
        if (!r.enabled) return { kind: 'disabled' } as const;
        const u = await c.query<CitizenRow>(
          `UPDATE citizens SET payoff_instr = $1, payoff_instr_type = $2, account_holder_cf = $3, account_holder_name = $4,
             account_holder_surname = $5, updated_at = $6 WHERE fiscal_code = $7 RETURNING *`,
          [iban.payoffInstr, iban.payoffInstrType, iban.accountHolderCF, iban.accountHolderName, iban.accountHolderSurname, now, fiscalCode]);
        return { kind: 'updated', citizen: toCitizen(u.rows[0]!) } as const;
      });
    },
    async deleteCitizenCascade(fiscalCode: string, now: Date, failAt?: CascadeStep): Promise<DeleteCitizenResult> {
      return tx(pool, async (c) => {
        const r = await citizen(c, fiscalCode, true);
        if (r === undefined || !r.enabled) return { kind: 'not_found' } as const;
        const fail = (step: CascadeStep): void => {
          if (failAt === step) throw new StorageFailure(`injected failure at cascade step '${step}'`, true);
        };
        const d = await c.query("UPDATE instruments SET status = 'INACTIVE', deactivation_date = $1 WHERE fiscal_code = $2 AND status = 'ACTIVE'", [now, fiscalCode]);
        await c.query('UPDATE instrument_activations SET deactivation_day = $1 WHERE fiscal_code = $2 AND deactivation_day IS NULL', [dayOf(now), fiscalCode]);
        fail('instruments');
        await c.query('DELETE FROM transactions WHERE fiscal_code = $1', [fiscalCode]);
        fail('transactions');
        await c.query(
          `UPDATE citizens SET enabled = false, payoff_instr = NULL, payoff_instr_type = NULL, account_holder_cf = NULL,
             account_holder_name = NULL, account_holder_surname = NULL, updated_at = $1 WHERE fiscal_code = $2`, [now, fiscalCode]);
        fail('citizen');
        return { kind: 'deleted', instrumentsDeactivated: d.rowCount ?? 0 } as const;
      });
    },
    async getInstrument(fiscalCode: string, hpan: string): Promise<GetInstrumentResult> {
      const a = await active(pool, hpan);
      if (a !== undefined && a.fiscal_code !== fiscalCode) return { kind: 'conflict' };
      const o = a ?? (await own(pool, hpan, fiscalCode));
      return o === undefined ? { kind: 'not_found' } : { kind: 'found', instrument: toInstrument(o) };
    },
    async enableInstrument(fiscalCode: string, hpan: string, channel: string, now: Date): Promise<EnableInstrumentResult> {
      try {
        return await tx(pool, async (c): Promise<EnableInstrumentResult> => {
          // FOR SHARE: an opt-out (FOR UPDATE on the citizen) cannot interleave with this enrolment.
          const cit = (await c.query<CitizenRow>('SELECT * FROM citizens WHERE fiscal_code = $1 FOR SHARE', [fiscalCode])).rows[0];
          if (cit === undefined || !cit.enabled) return { kind: 'citizen_not_enabled' };
          const a = await active(c, hpan);
          if (a !== undefined) {
            return a.fiscal_code === fiscalCode ? { kind: 'unchanged', instrument: toInstrument(a) } : { kind: 'conflict' };
          }
          const up = await c.query<InstrumentRow>(
            `INSERT INTO instruments (hpan, fiscal_code, status, channel, activation_date, deactivation_date)
             VALUES ($1, $2, 'ACTIVE', $3, $4, NULL)
             ON CONFLICT (hpan, fiscal_code) DO UPDATE SET status = 'ACTIVE', channel = excluded.channel,
               activation_date = excluded.activation_date, deactivation_date = NULL
             WHERE instruments.status <> 'ACTIVE' RETURNING *`, [hpan, fiscalCode, channel, now]);
          const row = up.rows[0];
          if (row === undefined) {
            // The same citizen enabled it concurrently: already active for them.
            const mine = await own(c, hpan, fiscalCode);
            return { kind: 'unchanged', instrument: toInstrument(mine!) };
          }
          await c.query('INSERT INTO instrument_activations (hpan, fiscal_code, activation_day) VALUES ($1, $2, $3)', [hpan, fiscalCode, dayOf(now)]);
          return { kind: 'enabled', instrument: toInstrument(row) };
        });
      } catch (err) {
        // Another worker activated it between our read and write: the unique index decided.
        if (isUniqueViolation(err)) return { kind: 'conflict' };
        throw err;
      }
    },
    async disableInstrument(fiscalCode: string, hpan: string, now: Date): Promise<DisableInstrumentResult> {
      return tx(pool, async (c): Promise<DisableInstrumentResult> => {
        const a = (await c.query<InstrumentRow>("SELECT * FROM instruments WHERE hpan = $1 AND status = 'ACTIVE' FOR UPDATE", [hpan])).rows[0];
        if (a !== undefined && a.fiscal_code !== fiscalCode) return { kind: 'conflict' };
        if (a === undefined) {
          const o = await own(c, hpan, fiscalCode);
          return o === undefined ? { kind: 'not_found' } : { kind: 'disabled', instrument: toInstrument(o) };
        }
        const u = await c.query<InstrumentRow>(
          "UPDATE instruments SET status = 'INACTIVE', deactivation_date = $1 WHERE hpan = $2 AND fiscal_code = $3 RETURNING *", [now, hpan, fiscalCode]);
        await c.query('UPDATE instrument_activations SET deactivation_day = $1 WHERE hpan = $2 AND fiscal_code = $3 AND deactivation_day IS NULL', [dayOf(now), hpan, fiscalCode]);
        return { kind: 'disabled', instrument: toInstrument(u.rows[0]!) };
      });
    },
    async ingestTransactions(trxs: NewTransaction[]): Promise<IngestOutcome[]> {
      return tx(pool, async (c) => {
        const out: IngestOutcome[] = [];
        for (const t of trxs) {
          const owner = (await c.query<{ fiscal_code: string }>(
            `SELECT fiscal_code FROM instrument_activations WHERE hpan = $1 AND activation_day < $2
               AND (deactivation_day IS NULL OR $2 <= deactivation_day) ORDER BY id DESC LIMIT 1`, [t.hpan, t.trxDate])).rows[0];
          if (owner === undefined) { out.push({ kind: 'not_active' }); continue; }
          const ins = await c.query<{ id: number }>(
            `INSERT INTO transactions (acquirer_code, id_trx_acquirer, id_trx_issuer, hpan, fiscal_code, trx_date, amount_cents,
               cashback_cents, operation_type, circuit_type, award_period_id, correlation_id, merchant_id, terminal_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (acquirer_code, id_trx_acquirer, trx_date, operation_type) DO NOTHING RETURNING id`,
            [t.acquirerCode, t.idTrxAcquirer, t.idTrxIssuer, t.hpan, owner.fiscal_code, t.trxDate, t.amountCents, t.cashbackCents,
              t.operationType, t.circuitType, t.awardPeriodId, t.correlationId, t.merchantId, t.terminalId]);
          const id = ins.rows[0]?.id;
          if (id === undefined) { out.push({ kind: 'duplicate' }); continue; }
          let refundMatched = false;
          if (t.operationType === '01') {
            const p = t.correlationId !== null
              ? await c.query<{ id: number }>(`SELECT id FROM transactions WHERE hpan = $1 AND fiscal_code = $2 AND correlation_id = $3
                  AND operation_type = '00' AND refunded_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE`, [t.hpan, owner.fiscal_code, t.correlationId])
              : await c.query<{ id: number }>(`SELECT id FROM transactions WHERE hpan = $1 AND fiscal_code = $2 AND amount_cents = $3
                  AND merchant_id = $4 AND terminal_id = $5 AND acquirer_code = $6 AND operation_type = '00' AND refunded_by IS NULL
                  ORDER BY id LIMIT 1 FOR UPDATE`, [t.hpan, owner.fiscal_code, t.amountCents, t.merchantId, t.terminalId, t.acquirerCode]);
            const purchase = p.rows[0];
            if (purchase !== undefined) {
              await c.query('UPDATE transactions SET refunded_by = $1 WHERE id = $2', [id, purchase.id]);
              await c.query('UPDATE transactions SET refund_matched = true WHERE id = $1', [id]);
              refundMatched = true;
            }
          }
          out.push({ kind: 'accepted', fiscalCode: owner.fiscal_code, refundMatched });
        }
        return out;
      });
    },
    async listWinningTransactions(fiscalCode: string, awardPeriodId: number, hpan: string): Promise<WinningTransactionRecord[]> {
      const r = await pool.query<TrxRow>(
        'SELECT * FROM transactions WHERE fiscal_code = $1 AND award_period_id = $2 AND hpan = $3 ORDER BY trx_date, id',
        [fiscalCode, awardPeriodId, hpan]);
      return r.rows.map(toTrx);
    },
    async getCashbackTotals(fiscalCode: string, awardPeriodId: number): Promise<CashbackTotals | undefined> {
      const r = (await pool.query<{ n: number; purchases: number; matched: number; cashback: number }>(
        `${AGG} AND fiscal_code = $2 GROUP BY fiscal_code`, [awardPeriodId, fiscalCode])).rows[0];
      if (r === undefined) return undefined;
      return { fiscalCode, awardPeriodId, cashbackCents: r.cashback, purchases: r.purchases, matchedRefunds: r.matched,
        transactionNumber: r.n };
    },
    async getRanking(fiscalCode: string, awardPeriodId: number, topPositions: number): Promise<RankingRecord | undefined> {
      const r = (await pool.query<{ rk: number; total: number; n: number; maxn: number }>(
        `WITH agg AS (${AGG} GROUP BY fiscal_code),
         ranked AS (SELECT fiscal_code, n, ROW_NUMBER() OVER (ORDER BY n DESC, fiscal_code COLLATE "C" ASC)::bigint AS rk,
           COUNT(*) OVER ()::bigint AS total, MAX(n) OVER ()::bigint AS maxn FROM agg)
         SELECT rk, total, n, maxn FROM ranked WHERE fiscal_code = $2`, [awardPeriodId, fiscalCode])).rows[0];
      if (r === undefined) return undefined;
      const last = topPositions > 0 ? Math.min(topPositions, r.total) : r.total;
      const m = (await pool.query<{ n: number }>(
        `WITH agg AS (${AGG} GROUP BY fiscal_code) SELECT n FROM agg ORDER BY n DESC, fiscal_code COLLATE "C" ASC LIMIT 1 OFFSET $2`,
        [awardPeriodId, last - 1])).rows[0];
      return { awardPeriodId, ranking: r.rk, totalParticipants: r.total, transactionNumber: r.n,
        minTransactionNumber: m?.n ?? 0, maxTransactionNumber: r.maxn };
    },
  };
}
