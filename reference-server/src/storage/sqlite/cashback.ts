/**
 * BPD state on SQLite: citizens, payment instruments with their activation history, winning
 * transactions, totals and ranking. One active owner per hpan is the partial unique index
 * instruments_one_active; the activation history (calendar days) decides which citizen a
 * transaction belongs to, so re-enrolments and transfers between citizens stay correct.
 * Totals and ranking are computed by query at read time (the real system ran them in batch);
 * fine for a reference server, and the query is the specification.
 */
import type Database from 'better-sqlite3';
import {
  StorageFailure,
  type CascadeStep, type CashbackTotals, type CitizenRecord, type DeleteCitizenResult, type DisableInstrumentResult,
  type EnableInstrumentResult, type GetInstrumentResult, type IbanUpdate, type IngestOutcome, type InstrumentRecord,
  type NewTransaction, type RankingRecord, type SetIbanResult, type WinningTransactionRecord,
} from '../storage.ts';

interface CitizenRow {
  fiscal_code: string; enabled: number; payoff_instr: string | null; payoff_instr_type: string | null;
  account_holder_cf: string | null; account_holder_name: string | null; account_holder_surname: string | null;
  timestamp_tc: number; updated_at: number;
}
interface InstrumentRow {
  hpan: string; fiscal_code: string; status: string; channel: string; activation_date: number; deactivation_date: number | null;
}
interface TrxRow {
  id: number; hpan: string; fiscal_code: string; acquirer_code: string; id_trx_acquirer: string; id_trx_issuer: string;
  trx_date: string; amount_cents: number; cashback_cents: number; operation_type: string; circuit_type: string;
  award_period_id: number;
}

const toCitizen = (r: CitizenRow): CitizenRecord => ({
  fiscalCode: r.fiscal_code, enabled: r.enabled === 1, payoffInstr: r.payoff_instr,
  payoffInstrType: r.payoff_instr_type === 'IBAN' ? 'IBAN' : null, accountHolderCF: r.account_holder_cf,
  accountHolderName: r.account_holder_name, accountHolderSurname: r.account_holder_surname,
  timestampTC: new Date(r.timestamp_tc), updatedAt: new Date(r.updated_at),
});
const toInstrument = (r: InstrumentRow): InstrumentRecord => ({
  hpan: r.hpan, fiscalCode: r.fiscal_code, status: r.status as InstrumentRecord['status'], channel: r.channel,
  activationDate: new Date(r.activation_date), deactivationDate: r.deactivation_date === null ? null : new Date(r.deactivation_date),
});
const toTrx = (r: TrxRow): WinningTransactionRecord => ({
  hpan: r.hpan, fiscalCode: r.fiscal_code, acquirerCode: r.acquirer_code, idTrxAcquirer: r.id_trx_acquirer,
  idTrxIssuer: r.id_trx_issuer, trxDate: r.trx_date, amountCents: r.amount_cents, cashbackCents: r.cashback_cents,
  operationType: r.operation_type as WinningTransactionRecord['operationType'], circuitType: r.circuit_type,
  awardPeriodId: r.award_period_id,
});

/** Calendar day (UTC) of an instant, `YYYY-MM-DD`. */
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

const AGG = `SELECT fiscal_code,
    SUM(CASE WHEN operation_type = '00' AND cashback_cents > 0 THEN 1 ELSE 0 END)
      - SUM(CASE WHEN operation_type = '01' AND refund_matched = 1 THEN 1 ELSE 0 END) AS n,
    SUM(CASE WHEN operation_type = '00' AND cashback_cents > 0 THEN 1 ELSE 0 END) AS purchases,
    SUM(CASE WHEN operation_type = '01' AND refund_matched = 1 THEN 1 ELSE 0 END) AS matched,
    SUM(cashback_cents) AS cashback
  FROM transactions WHERE award_period_id = ?`;

export function cashbackOps(db: Database.Database) {
  const selectCitizen = db.prepare<[string], CitizenRow>('SELECT * FROM citizens WHERE fiscal_code = ?');
  const insertCitizen = db.prepare('INSERT INTO citizens (fiscal_code, enabled, timestamp_tc, updated_at) VALUES (?, 1, ?, ?)');
  const reenable = db.prepare(`UPDATE citizens SET enabled = 1, timestamp_tc = ?, updated_at = ? WHERE fiscal_code = ?`);
  const updateIban = db.prepare(`UPDATE citizens SET payoff_instr = @payoffInstr, payoff_instr_type = @payoffInstrType,
    account_holder_cf = @accountHolderCF, account_holder_name = @accountHolderName,
    account_holder_surname = @accountHolderSurname, updated_at = @now WHERE fiscal_code = @fiscalCode`);
  const disableCitizen = db.prepare(`UPDATE citizens SET enabled = 0, payoff_instr = NULL, payoff_instr_type = NULL,
    account_holder_cf = NULL, account_holder_name = NULL, account_holder_surname = NULL, updated_at = ? WHERE fiscal_code = ?`);
  const selectActive = db.prepare<[string], InstrumentRow>("SELECT * FROM instruments WHERE hpan = ? AND status = 'ACTIVE'");
  const selectOwn = db.prepare<[string, string], InstrumentRow>('SELECT * FROM instruments WHERE hpan = ? AND fiscal_code = ?');
  const upsertActive = db.prepare(`INSERT INTO instruments (hpan, fiscal_code, status, channel, activation_date, deactivation_date)
    VALUES (?, ?, 'ACTIVE', ?, ?, NULL) ON CONFLICT (hpan, fiscal_code) DO UPDATE SET status = 'ACTIVE',
    channel = excluded.channel, activation_date = excluded.activation_date, deactivation_date = NULL`);
  const deactivate = db.prepare(`UPDATE instruments SET status = 'INACTIVE', deactivation_date = ?
    WHERE hpan = ? AND fiscal_code = ? AND status = 'ACTIVE'`);
  const deactivateAll = db.prepare(`UPDATE instruments SET status = 'INACTIVE', deactivation_date = ?
    WHERE fiscal_code = ? AND status = 'ACTIVE'`);
  const openActivation = db.prepare('INSERT INTO instrument_activations (hpan, fiscal_code, activation_day) VALUES (?, ?, ?)');
  const closeActivation = db.prepare(`UPDATE instrument_activations SET deactivation_day = ?
    WHERE hpan = ? AND fiscal_code = ? AND deactivation_day IS NULL`);
  const closeAllActivations = db.prepare(`UPDATE instrument_activations SET deactivation_day = ?
    WHERE fiscal_code = ? AND deactivation_day IS NULL`);
  const deleteCitizenTrx = db.prepare('DELETE FROM transactions WHERE fiscal_code = ?');
  const ownerOn = db.prepare<[string, string, string], { fiscal_code: string }>(`SELECT fiscal_code FROM instrument_activations
    WHERE hpan = ? AND activation_day < ? AND (deactivation_day IS NULL OR ? <= deactivation_day)
    ORDER BY id DESC LIMIT 1`);
  const insertTrx = db.prepare(`INSERT INTO transactions (acquirer_code, id_trx_acquirer, id_trx_issuer, hpan, fiscal_code,
    trx_date, amount_cents, cashback_cents, operation_type, circuit_type, award_period_id, correlation_id, merchant_id,
    terminal_id) VALUES (@acquirerCode, @idTrxAcquirer, @idTrxIssuer, @hpan, @fiscalCode, @trxDate, @amountCents,
    @cashbackCents, @operationType, @circuitType, @awardPeriodId, @correlationId, @merchantId, @terminalId)
    ON CONFLICT (acquirer_code, id_trx_acquirer, trx_date, operation_type) DO NOTHING`);
  const purchaseByCorrelation = db.prepare<[string, string, string], { id: number }>(`SELECT id FROM transactions
    WHERE hpan = ? AND fiscal_code = ? AND correlation_id = ? AND operation_type = '00' AND refunded_by IS NULL
    ORDER BY id LIMIT 1`);
  const purchaseByDetails = db.prepare<unknown[], { id: number }>(`SELECT id FROM transactions
    WHERE hpan = ? AND fiscal_code = ? AND amount_cents = ? AND merchant_id = ? AND terminal_id = ? AND acquirer_code = ?
      AND operation_type = '00' AND refunded_by IS NULL ORDER BY id LIMIT 1`);
  const markRefunded = db.prepare('UPDATE transactions SET refunded_by = ? WHERE id = ?');
  const markMatched = db.prepare('UPDATE transactions SET refund_matched = 1 WHERE id = ?');
  const listTrx = db.prepare<[string, number, string], TrxRow>(`SELECT * FROM transactions
    WHERE fiscal_code = ? AND award_period_id = ? AND hpan = ? ORDER BY trx_date, id`);
  const totals = db.prepare<[number, string], { n: number; purchases: number; matched: number; cashback: number }>(
    `${AGG} AND fiscal_code = ? GROUP BY fiscal_code`);
  const rankingOf = db.prepare<[number, string], { ranking: number; total: number; n: number; maxn: number }>(`
    WITH agg AS (${AGG} GROUP BY fiscal_code)
    SELECT (SELECT COUNT(*) FROM agg b WHERE b.n > a.n OR (b.n = a.n AND b.fiscal_code < a.fiscal_code)) + 1 AS ranking,
      (SELECT COUNT(*) FROM agg) AS total, a.n AS n, (SELECT MAX(n) FROM agg) AS maxn
    FROM agg a WHERE a.fiscal_code = ?`);
  const nthCount = db.prepare<[number, number], { n: number }>(`WITH agg AS (${AGG} GROUP BY fiscal_code)
    SELECT n FROM agg ORDER BY n DESC, fiscal_code ASC LIMIT 1 OFFSET ?`);

  return {
    getCitizen(fiscalCode: string): CitizenRecord | undefined {
      const r = selectCitizen.get(fiscalCode);
      return r === undefined ? undefined : toCitizen(r);
    },
    enrollCitizen(fiscalCode: string, now: Date): CitizenRecord {
      const r = selectCitizen.get(fiscalCode);
      if (r === undefined) insertCitizen.run(fiscalCode, now.getTime(), now.getTime());
      else if (r.enabled === 0) reenable.run(now.getTime(), now.getTime(), fiscalCode);
      return toCitizen(selectCitizen.get(fiscalCode) as CitizenRow);
    },
    setIban(fiscalCode: string, iban: IbanUpdate, now: Date): SetIbanResult {
      const r = selectCitizen.get(fiscalCode);
      if (r === undefined) return { kind: 'not_found' };
      if (r.enabled === 0) return { kind: 'disabled' };
      updateIban.run({ ...iban, now: now.getTime(), fiscalCode });
      return { kind: 'updated', citizen: toCitizen(selectCitizen.get(fiscalCode) as CitizenRow) };
    },
    deleteCitizenCascade(fiscalCode: string, now: Date, failAt?: CascadeStep): DeleteCitizenResult {
      const r = selectCitizen.get(fiscalCode);
      if (r === undefined || r.enabled === 0) return { kind: 'not_found' };
      const fail = (step: CascadeStep): void => {
        if (failAt === step) throw new StorageFailure(`injected failure at cascade step '${step}'`, true);
      };
      const n = deactivateAll.run(now.getTime(), fiscalCode).changes;
      closeAllActivations.run(dayOf(now), fiscalCode);
      fail('instruments');
      deleteCitizenTrx.run(fiscalCode);
      fail('transactions');
      disableCitizen.run(now.getTime(), fiscalCode);
      fail('citizen');
      return { kind: 'deleted', instrumentsDeactivated: n };
    },
    getInstrument(fiscalCode: string, hpan: string): GetInstrumentResult {
      const active = selectActive.get(hpan);
      if (active !== undefined && active.fiscal_code !== fiscalCode) return { kind: 'conflict' };
      const own = active ?? selectOwn.get(hpan, fiscalCode);
      return own === undefined ? { kind: 'not_found' } : { kind: 'found', instrument: toInstrument(own) };
    },
    enableInstrument(fiscalCode: string, hpan: string, channel: string, now: Date): EnableInstrumentResult {
      const c = selectCitizen.get(fiscalCode);
      if (c === undefined || c.enabled === 0) return { kind: 'citizen_not_enabled' };
      const active = selectActive.get(hpan);
      if (active !== undefined) {
        return active.fiscal_code === fiscalCode ? { kind: 'unchanged', instrument: toInstrument(active) } : { kind: 'conflict' };
      }
      try {
        upsertActive.run(hpan, fiscalCode, channel, now.getTime());
      } catch (err) {
        // Another process activated it between our read and write: the unique index decides.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return { kind: 'conflict' };
        throw err;
      }
      openActivation.run(hpan, fiscalCode, dayOf(now));
      return { kind: 'enabled', instrument: toInstrument(selectOwn.get(hpan, fiscalCode) as InstrumentRow) };
    },
    disableInstrument(fiscalCode: string, hpan: string, now: Date): DisableInstrumentResult {
      const active = selectActive.get(hpan);
      if (active !== undefined && active.fiscal_code !== fiscalCode) return { kind: 'conflict' };
      if (active === undefined) {
        const own = selectOwn.get(hpan, fiscalCode);
        return own === undefined ? { kind: 'not_found' } : { kind: 'disabled', instrument: toInstrument(own) };
      }
      deactivate.run(now.getTime(), hpan, fiscalCode);
      closeActivation.run(dayOf(now), hpan, fiscalCode);
      return { kind: 'disabled', instrument: toInstrument(selectOwn.get(hpan, fiscalCode) as InstrumentRow) };
    },
    ingestTransactions(trxs: NewTransaction[]): IngestOutcome[] {
      return trxs.map((t): IngestOutcome => {
        const owner = ownerOn.get(t.hpan, t.trxDate, t.trxDate);
        if (owner === undefined) return { kind: 'not_active' };
        const res = insertTrx.run({ ...t, fiscalCode: owner.fiscal_code });
        if (res.changes === 0) return { kind: 'duplicate' };
        let refundMatched = false;
        if (t.operationType === '01') {
          const id = Number(res.lastInsertRowid);
          const purchase = t.correlationId !== null
            ? purchaseByCorrelation.get(t.hpan, owner.fiscal_code, t.correlationId)
            : purchaseByDetails.get(t.hpan, owner.fiscal_code, t.amountCents, t.merchantId, t.terminalId, t.acquirerCode);
          if (purchase !== undefined) {
            markRefunded.run(id, purchase.id);
            markMatched.run(id);
            refundMatched = true;
          }
        }
        return { kind: 'accepted', fiscalCode: owner.fiscal_code, refundMatched };
      });
    },
    listWinningTransactions(fiscalCode: string, awardPeriodId: number, hpan: string): WinningTransactionRecord[] {
      return listTrx.all(fiscalCode, awardPeriodId, hpan).map(toTrx);
    },
    getCashbackTotals(fiscalCode: string, awardPeriodId: number): CashbackTotals | undefined {
      const r = totals.get(awardPeriodId, fiscalCode);
      if (r === undefined) return undefined;
      return { fiscalCode, awardPeriodId, cashbackCents: r.cashback, purchases: r.purchases, matchedRefunds: r.matched,
        transactionNumber: r.n };
    },
    getRanking(fiscalCode: string, awardPeriodId: number, topPositions: number): RankingRecord | undefined {
      const r = rankingOf.get(awardPeriodId, fiscalCode);
      if (r === undefined) return undefined;
      const last = topPositions > 0 ? Math.min(topPositions, r.total) : r.total;
      const min = nthCount.get(awardPeriodId, last - 1)?.n ?? 0;
      return { awardPeriodId, ranking: r.ranking, totalParticipants: r.total, transactionNumber: r.n,
        minTransactionNumber: min, maxTransactionNumber: r.maxn };
    },
  };
}
