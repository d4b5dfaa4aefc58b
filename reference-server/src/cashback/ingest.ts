/**
 * picco's own acquirer transaction feed, POST /__picco/acquirer/transactions. NOT a real API:
 * in 2020 acquirers sent batch files through the RTD transaction filter. Scenarios post the
 * payments a citizen makes so cashback totals are computed from transactions, not invented.
 * Each transaction is scored here (10 %, capped per transaction) and assigned to the award
 * period of its date; storage decides which citizen the hpan was active for that day.
 *
 * @example
 * POST /__picco/acquirer/transactions {"transactions":[{"acquirerCode":"ACQ1","idTrxAcquirer":"1","idTrxIssuer":"A1",
 *   "hpan":"…","trxDate":"2020-12-10","amount":25.5,"operationType":"00","circuitType":"01",
 *   "merchantId":"M1","terminalId":"T1"}]}
 * → 200 {"accepted":1,"rejected":0,"duplicates":0,"results":[{"outcome":"accepted"}]}
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { readJson } from '../validation.ts';
import { periodOfDay, transactionCashbackCents } from './award-periods.ts';
import type { NewTransaction } from '../storage/storage.ts';
import type { AppEnv } from '../context.ts';

const trxSchema = z.object({
  acquirerCode: z.string().min(1).max(32),
  idTrxAcquirer: z.string().min(1).max(64),
  idTrxIssuer: z.string().min(1).max(64),
  hpan: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a 64-character hex hpan').transform((s) => s.toLowerCase()),
  trxDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must start with YYYY-MM-DD').transform((s) => s.slice(0, 10)),
  amount: z.number().positive().max(1_000_000),
  operationType: z.enum(['00', '01']),
  circuitType: z.string().min(1).max(8).default('01'),
  correlationId: z.string().min(1).max(64).optional(),
  merchantId: z.string().min(1).max(64).default('M0'),
  terminalId: z.string().min(1).max(64).default('T0'),
}).strict();

const bodySchema = z.object({ transactions: z.array(trxSchema).min(1).max(1000) }).strict();

type Outcome = 'accepted' | 'not_active' | 'duplicate' | 'no_award_period';

export async function ingestTransactions(c: Context<AppEnv>): Promise<Response> {
  const body = await readJson(c, bodySchema);
  const results: Outcome[] = new Array<Outcome>(body.transactions.length).fill('no_award_period');
  const batch: NewTransaction[] = [];
  const index: number[] = [];
  body.transactions.forEach((t, i) => {
    const p = periodOfDay(t.trxDate);
    if (p === undefined) return;
    const amountCents = Math.round(t.amount * 100);
    batch.push({ acquirerCode: t.acquirerCode, idTrxAcquirer: t.idTrxAcquirer, idTrxIssuer: t.idTrxIssuer, hpan: t.hpan,
      trxDate: t.trxDate, amountCents, cashbackCents: transactionCashbackCents(p, amountCents, t.operationType),
      operationType: t.operationType, circuitType: t.circuitType, awardPeriodId: p.awardPeriodId,
      correlationId: t.correlationId ?? null, merchantId: t.merchantId, terminalId: t.terminalId });
    index.push(i);
  });
  const outcomes = batch.length > 0 ? await c.get('ctx').storage.ingestTransactions(batch) : [];
  outcomes.forEach((o, k) => { results[index[k] as number] = o.kind; });
  const count = (k: Outcome) => results.filter((r) => r === k).length;
  return c.json({
    accepted: count('accepted'), duplicates: count('duplicate'),
    rejected: count('not_active') + count('no_award_period'),
    results: results.map((outcome) => ({ outcome })),
  }, 200);
}
