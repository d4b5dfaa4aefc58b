/**
 * The award periods of the cashback programme as in production (io-dev-api-server prod.json):
 * period 1, the Christmas "Extra Cashback" 8-31 Dec 2020, needed only 10 transactions; the
 * half-year periods that followed needed 50 and paid a super cashback of 1500 € to the top
 * 100,000. And the scoring rules, kept here as pure functions: per transaction
 * min(10 % of the amount, 15 €) (negative for a refund); per period the award is
 * min(cashback, 150 €) (+ super cashback) only with at least minTransactionNumber transactions.
 * Money is handled in integer cents; the API renders euros.
 *
 * @example
 * transactionCashbackCents(periodById(1)!, 30000, '00') // 1500 (capped at 15 €)
 */
export interface AwardPeriod {
  awardPeriodId: number;
  startDate: string;
  endDate: string;
  cashbackPercentage: number;
  minTransactionNumber: number;
  maxTransactionCashback: number;
  maxTransactionEvaluated: number;
  maxPeriodCashback: number;
  maxAmount: number;
  minPosition: number;
  gracePeriod: number;
}

const half = (id: number, start: string, end: string): AwardPeriod => ({
  awardPeriodId: id, startDate: start, endDate: end, cashbackPercentage: 10, minTransactionNumber: 50,
  maxTransactionCashback: 15, maxTransactionEvaluated: 150, maxPeriodCashback: 150, maxAmount: 1500,
  minPosition: 100_000, gracePeriod: 10,
});

export const AWARD_PERIODS: readonly AwardPeriod[] = [
  { awardPeriodId: 1, startDate: '2020-12-08', endDate: '2020-12-31', cashbackPercentage: 10, minTransactionNumber: 10,
    maxTransactionCashback: 15, maxTransactionEvaluated: 150, maxPeriodCashback: 150, maxAmount: 0, minPosition: 0,
    gracePeriod: 10 },
  half(2, '2021-01-01', '2021-06-30'),
  half(3, '2021-07-01', '2021-12-31'),
  half(4, '2022-01-01', '2022-06-30'),
];

export const periodById = (id: number): AwardPeriod | undefined => AWARD_PERIODS.find((p) => p.awardPeriodId === id);
export const periodOfDay = (day: string): AwardPeriod | undefined =>
  AWARD_PERIODS.find((p) => p.startDate <= day && day <= p.endDate);

/** v1 status: ACTIVE if start <= today <= end, INACTIVE before, CLOSED after. */
export function periodStatus(p: AwardPeriod, today: string): 'ACTIVE' | 'INACTIVE' | 'CLOSED' {
  if (today < p.startDate) return 'INACTIVE';
  return today <= p.endDate ? 'ACTIVE' : 'CLOSED';
}

export function transactionCashbackCents(p: AwardPeriod, amountCents: number, operationType: '00' | '01'): number {
  const cb = Math.min(Math.round((amountCents * p.cashbackPercentage) / 100), p.maxTransactionCashback * 100);
  return operationType === '01' ? -cb : cb;
}

export interface Award {
  eligible: boolean;
  /** Cashback accumulated, capped at the period maximum (cents). */
  cashbackCents: number;
  /** What would be paid: 0 below the minimum number of transactions (cents). */
  awardCents: number;
}

export function computeAward(p: AwardPeriod, cashbackCents: number, transactionNumber: number, ranking?: number): Award {
  const capped = Math.max(0, Math.min(cashbackCents, p.maxPeriodCashback * 100));
  const eligible = transactionNumber >= p.minTransactionNumber;
  const superCashback = ranking !== undefined && p.minPosition > 0 && ranking <= p.minPosition ? p.maxAmount * 100 : 0;
  return { eligible, cashbackCents: capped, awardCents: eligible ? capped + superCashback : 0 };
}

export const euros = (cents: number): number => Math.round(cents) / 100;
