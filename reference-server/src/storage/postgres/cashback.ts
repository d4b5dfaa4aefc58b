/**
 * BPD state on PostgreSQL: citizens, payment instruments with their activation history,
 * winning transactions, totals and ranking — the same rules, queries and outcomes as the
 * SQLite store (the contract suite runs on both). One active owner per hpan is the partial
 * unique index `instruments_one_active`: when two workers race, PostgreSQL lets one insert win
 * and the other's fails with 23505, which becomes `conflict`. Every operation is one statement
 * (one round trip): plain statements and data-modifying CTEs where the snapshot of the
 * statement is enough, and the functions of migration 3 where a row lock must come before the
 * next read (the citizen locked FOR UPDATE by an opt-out and FOR SHARE by an enrolment, so the
 * two serialise instead of interleaving).
 */
import type pg from 'pg';
import {
  StorageFailure,
  type CascadeStep, type CashbackTotals, type CitizenRecord, type DeleteCitizenResult, type DisableInstrumentResult,
  type EnableInstrumentResult, type GetInstrumentResult, type IbanUpdate, type IngestOutcome, type InstrumentRecord,
  type NewTransaction, type RankingRecord, type SetIbanResult, type WinningTransactionRecord,
} from '../storage.ts';

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

// A SQL fragment shared by the totals and the ranking (no user input).
const AGG = `SELECT fiscal_code,
    (SUM(CASE WHEN operation_type = '00' AND cashback_cents > 0 THEN 1 ELSE 0 END)
      - SUM(CASE WHEN operation_type = '01' AND refund_matched THEN 1 ELSE 0 END))::bigint AS n,
    SUM(CASE WHEN operation_type = '00' AND cashback_cents > 0 THEN 1 ELSE 0 END)::bigint AS purchases,
    SUM(CASE WHEN operation_type = '01' AND refund_matched THEN 1 ELSE 0 END)::bigint AS matched,
    SUM(cashback_cents)::bigint AS cashback
  FROM transactions WHERE award_period_id = $1`;

type Q = pg.Pool | pg.PoolClient;

type Json = Record<string, unknown>;
/** An instrument that came back as JSON (to_jsonb): timestamps are ISO strings there. */
const instrumentOf = (j: Json): InstrumentRecord => toInstrument({
  ...(j as unknown as InstrumentRow), activation_date: new Date(j['activation_date'] as string),
  deactivation_date: j['deactivation_date'] === null ? null : new Date(j['deactivation_date'] as string),
});

/** SQLSTATE the cascade function raises for an injected failure (see migration 3). */
const INJECTED = 'PCF01';

export function cashbackOps(pool: pg.Pool) {
  const enrollCitizen = async (fiscalCode: string, now: Date): Promise<CitizenRecord> => {
    const r = await pool.query<CitizenRow>({
      name: 'enroll_citizen',
      text: `WITH up AS (INSERT INTO citizens (fiscal_code, enabled, timestamp_tc, updated_at) VALUES ($1, true, $2, $2)
               ON CONFLICT (fiscal_code) DO UPDATE SET enabled = true, timestamp_tc = excluded.timestamp_tc, updated_at = excluded.updated_at
               WHERE NOT citizens.enabled RETURNING *)
             SELECT * FROM up UNION ALL SELECT * FROM citizens WHERE fiscal_code = $1 AND NOT EXISTS (SELECT 1 FROM up)`,
      values: [fiscalCode, now],
    });
    // Enrolled by a concurrent request after this statement's snapshot: run again to read it.
    return r.rows[0] === undefined ? enrollCitizen(fiscalCode, now) : toCitizen(r.rows[0]);
  };

  return {
    async getCitizen(fiscalCode: string): Promise<CitizenRecord | undefined> {
      const r = (await pool.query<CitizenRow>({ name: 'get_citizen', text: 'SELECT * FROM citizens WHERE fiscal_code = $1', values: [fiscalCode] })).rows[0];
      return r === undefined ? undefined : toCitizen(r);
    },
    enrollCitizen,
    async setIban(fiscalCode: string, iban: IbanUpdate, now: Date): Promise<SetIbanResult> {
      // The UPDATE only touches an enabled citizen; `c` (the snapshot) tells absent from disabled.
      const r = (await pool.query<CitizenRow & { was: boolean | null }>({
        name: 'set_iban',
        text: `WITH c AS (SELECT enabled FROM citizens WHERE fiscal_code = $7),
               u AS (UPDATE citizens SET payoff_instr = $1, payoff_instr_type = $2, account_holder_cf = $3, account_holder_name = $4,
                 account_holder_surname = $5, updated_at = $6 WHERE fiscal_code = $7 AND enabled RETURNING *)
               SELECT (SELECT enabled FROM c) AS was, u.* FROM (SELECT 1) AS one LEFT JOIN u ON true`,
        values: [iban.payoffInstr, iban.payoffInstrType, iban.accountHolderCF, iban.accountHolderName, iban.accountHolderSurname, now, fiscalCode],
      })).rows[0]!;
      if (r.fiscal_code !== null && r.fiscal_code !== undefined) return { kind: 'updated', citizen: toCitizen(r) };
      return r.was === null ? { kind: 'not_found' } : { kind: 'disabled' };
    },
    async deleteCitizenCascade(fiscalCode: string, now: Date, failAt?: CascadeStep): Promise<DeleteCitizenResult> {
      try {
        const n = (await pool.query<{ n: number }>({
          name: 'delete_citizen',
          text: 'SELECT picco_delete_citizen($1, $2, $3, $4) AS n',
          values: [fiscalCode, now, dayOf(now), failAt ?? null],
        })).rows[0]!.n;
        return n < 0 ? { kind: 'not_found' } : { kind: 'deleted', instrumentsDeactivated: n };
      } catch (err) {
        if ((err as { code?: string }).code === INJECTED) throw new StorageFailure((err as Error).message, true);
        throw err;
      }
    },
    async getInstrument(fiscalCode: string, hpan: string): Promise<GetInstrumentResult> {
      // The active row (whoever owns it) and the citizen's own row, in one read.
      const rows = (await pool.query<InstrumentRow>({
        name: 'get_instrument',
        text: "SELECT * FROM instruments WHERE hpan = $1 AND (status = 'ACTIVE' OR fiscal_code = $2)",
        values: [hpan, fiscalCode],
      })).rows;
      const a = rows.find((r) => r.status === 'ACTIVE');
      if (a !== undefined && a.fiscal_code !== fiscalCode) return { kind: 'conflict' };
      const o = a ?? rows.find((r) => r.fiscal_code === fiscalCode);
      return o === undefined ? { kind: 'not_found' } : { kind: 'found', instrument: toInstrument(o) };
    },
    async enableInstrument(fiscalCode: string, hpan: string, channel: string, now: Date): Promise<EnableInstrumentResult> {
      const r = (await pool.query<{ out: { kind: EnableInstrumentResult['kind']; instrument?: Json } }>({
        name: 'enable_instrument',
        text: 'SELECT picco_enable_instrument($1, $2, $3, $4, $5) AS out',
        values: [fiscalCode, hpan, channel, now, dayOf(now)],
      })).rows[0]!.out;
      if (r.kind === 'enabled' || r.kind === 'unchanged') return { kind: r.kind, instrument: instrumentOf(r.instrument!) };
      return { kind: r.kind };
    },
    async disableInstrument(fiscalCode: string, hpan: string, now: Date): Promise<DisableInstrumentResult> {
      const r = (await pool.query<{ out: { kind: DisableInstrumentResult['kind']; instrument?: Json } }>({
        name: 'disable_instrument',
        text: 'SELECT picco_disable_instrument($1, $2, $3, $4) AS out',
        values: [fiscalCode, hpan, now, dayOf(now)],
      })).rows[0]!.out;
      if (r.kind === 'disabled') return { kind: 'disabled', instrument: instrumentOf(r.instrument!) };
      return { kind: r.kind };
    },
    async ingestTransactions(trxs: NewTransaction[]): Promise<IngestOutcome[]> {
      if (trxs.length === 0) return [];
      // The whole batch in one call: atomic, and each refund sees the purchases before it.
      return (await pool.query<{ out: IngestOutcome[] }>({
        name: 'ingest',
        text: 'SELECT picco_ingest($1::jsonb) AS out',
        values: [JSON.stringify(trxs)],
      })).rows[0]!.out;
    },
    async listWinningTransactions(fiscalCode: string, awardPeriodId: number, hpan: string): Promise<WinningTransactionRecord[]> {
      const r = await pool.query<TrxRow>({
        name: 'list_winning_transactions',
        text: 'SELECT * FROM transactions WHERE fiscal_code = $1 AND award_period_id = $2 AND hpan = $3 ORDER BY trx_date, id',
        values: [fiscalCode, awardPeriodId, hpan],
      });
      return r.rows.map(toTrx);
    },
    async getCashbackTotals(fiscalCode: string, awardPeriodId: number): Promise<CashbackTotals | undefined> {
      const r = (await pool.query<{ n: number; purchases: number; matched: number; cashback: number }>({
        name: 'cashback_totals', text: `${AGG} AND fiscal_code = $2 GROUP BY fiscal_code`, values: [awardPeriodId, fiscalCode],
      })).rows[0];
      if (r === undefined) return undefined;
      return { fiscalCode, awardPeriodId, cashbackCents: r.cashback, purchases: r.purchases, matchedRefunds: r.matched,
        transactionNumber: r.n };
    },
    async getRanking(fiscalCode: string, awardPeriodId: number, topPositions: number): Promise<RankingRecord | undefined> {
      // The citizen's row and the count at the last of the top positions from one ranking.
      const r = (await pool.query<{ rk: number; total: number; n: number; maxn: number; minn: number | null }>({
        name: 'get_ranking',
        text: `WITH agg AS (${AGG} GROUP BY fiscal_code),
               ranked AS (SELECT fiscal_code, n, ROW_NUMBER() OVER (ORDER BY n DESC, fiscal_code COLLATE "C" ASC)::bigint AS rk,
                 COUNT(*) OVER ()::bigint AS total, MAX(n) OVER ()::bigint AS maxn FROM agg),
               me AS (SELECT rk, total, n, maxn FROM ranked WHERE fiscal_code = $2)
               SELECT me.*, (SELECT x.n FROM ranked x WHERE x.rk = CASE WHEN $3::int > 0 THEN LEAST($3::int, me.total) ELSE me.total END) AS minn
               FROM me`,
        values: [awardPeriodId, fiscalCode, topPositions],
      })).rows[0];
      if (r === undefined) return undefined;
      return { awardPeriodId, ranking: r.rk, totalParticipants: r.total, transactionNumber: r.n,
        minTransactionNumber: r.minn ?? 0, maxTransactionNumber: r.maxn };
    },
  };
}
