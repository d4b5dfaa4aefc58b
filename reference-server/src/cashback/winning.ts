/**
 * BPD reads computed from ingested transactions: award periods, winning transactions per
 * instrument, total cashback (404 before any transaction in the period) and picco's own award
 * read-out (GET /__picco/bpd/award, not a real API) that applies the 10-transaction minimum.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { MAX_ID, intText, readQuery } from '../validation.ts';
import { AWARD_PERIODS, computeAward, euros, periodById, periodStatus, type AwardPeriod } from './award-periods.ts';
import type { AppEnv } from '../context.ts';

export function listAwardPeriods(c: Context<AppEnv>): Response {
  const today = c.get('ctx').clock.now().toISOString().slice(0, 10);
  return c.json(AWARD_PERIODS.map((p) => ({ ...p, status: periodStatus(p, today) })), 200);
}

const periodQuery = z.object({ awardPeriodId: intText(1, MAX_ID) }).loose();
const trxQuery = z.object({
  awardPeriodId: intText(1, MAX_ID),
  hpan: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a 64-character hex hpan').transform((s) => s.toLowerCase()),
}).loose();

function period(id: number): AwardPeriod {
  const p = periodById(id);
  if (p === undefined) throw new ApiError('awardperiod.not_found');
  return p;
}

export async function listWinningTransactions(c: Context<AppEnv>): Promise<Response> {
  const q = readQuery(c, trxQuery);
  const p = period(q.awardPeriodId);
  const list = await c.get('ctx').storage.listWinningTransactions(c.get('fiscalCode'), p.awardPeriodId, q.hpan);
  return c.json(list.map((t) => ({
    hashPan: t.hpan, idTrxAcquirer: t.idTrxAcquirer, idTrxIssuer: t.idTrxIssuer, trxDate: `${t.trxDate}T00:00:00.000Z`,
    amount: euros(t.amountCents), cashback: euros(t.cashbackCents),
    circuitType: t.circuitType, awardPeriodId: t.awardPeriodId,
  })), 200);
}

export async function totalCashback(c: Context<AppEnv>): Promise<Response> {
  const q = readQuery(c, periodQuery);
  const p = period(q.awardPeriodId);
  const t = await c.get('ctx').storage.getCashbackTotals(c.get('fiscalCode'), p.awardPeriodId);
  if (t === undefined) throw new ApiError('cashback.no_transactions');
  const award = computeAward(p, t.cashbackCents, t.transactionNumber);
  return c.json({ totalCashback: euros(award.cashbackCents), transactionNumber: t.transactionNumber }, 200);
}

export async function awardReadout(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const q = readQuery(c, periodQuery);
  const p = period(q.awardPeriodId);
  const t = await ctx.storage.getCashbackTotals(c.get('fiscalCode'), p.awardPeriodId);
  const r = t === undefined ? undefined : await ctx.storage.getRanking(c.get('fiscalCode'), p.awardPeriodId, p.minPosition);
  const award = computeAward(p, t?.cashbackCents ?? 0, t?.transactionNumber ?? 0, r?.ranking);
  return c.json({
    awardPeriodId: p.awardPeriodId, transactionNumber: t?.transactionNumber ?? 0, minTransactionNumber: p.minTransactionNumber,
    totalCashback: euros(award.cashbackCents), eligible: award.eligible, award: euros(award.awardCents),
    ...(r !== undefined ? { ranking: r.ranking } : {}),
  }, 200);
}
