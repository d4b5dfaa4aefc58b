/**
 * Cashback totals computed by the rules, fed through picco's acquirer ingest endpoint
 * (POST /__picco/acquirer/transactions: picco's own, documented as such; in 2020 acquirers sent
 * batch files). Rules of the award period (GET /bpd/io/award-periods; period 1 must publish the
 * December 2020 ones: 10 %, €15 per transaction, €150 per period, 10 transactions minimum):
 * cashback per purchase = min(10 % of the amount, €15); the total is capped at €150; a payment on
 * the instrument's activation day does not count; below the minimum number of transactions
 * nothing is paid (read from picco's award readout when the backend offers it).
 *
 * The dates follow the backend's clock: transactions are dated after the activation date the
 * backend returns, inside the award period holding the next day (or, when the clock is before
 * every period, e.g. on 1 Dec 2020 when enrolment opened, in the first period to come). A
 * backend whose clock is past every period cannot exercise the rules, and the check says so
 * (skipped), not passed: run the reference server with `picco serve --clock 2020-12-08T10:00:00Z`.
 *
 * @example
 * await cashbackTotals.run(x);
 */
import { bpd } from '../../journeys/app-client.ts';
import { type Check, CheckSkipped, describe, fail } from '../check.ts';

interface Period {
  awardPeriodId: number;
  startDate: string;
  endDate: string;
  cashbackPercentage: number;
  maxTransactionCashback: number;
  maxPeriodCashback: number;
  minTransactionNumber: number;
}

const DEC_2020 = { cashbackPercentage: 10, maxTransactionCashback: 15, maxPeriodCashback: 150, minTransactionNumber: 10 };
const INGEST = '/__picco/acquirer/transactions';

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Cents of cashback for one purchase under period p (the server's rounding: half up on cents). */
export function purchaseCashbackCents(p: Pick<Period, 'cashbackPercentage' | 'maxTransactionCashback'>, amount: number): number {
  return Math.min(Math.round((Math.round(amount * 100) * p.cashbackPercentage) / 100), p.maxTransactionCashback * 100);
}

export const cashbackTotals: Check = {
  name: 'cashback-totals',
  rule: 'total-cashback follows the period rules: 10 % per purchase capped at €15, €150 per period, none on the activation day, nothing paid below 10 transactions',
  async run({ c, subjects, contract }) {
    const z = await subjects.citizen();
    await subjects.enroll(z);
    const periodsR = await bpd(c, z.s, { method: 'GET', path: '/bpd/io/award-periods', endpoint: 'GET /bpd/io/award-periods' });
    const periods = (Array.isArray(periodsR.json) ? periodsR.json : []) as Period[];
    if (periodsR.status !== 200 || periods.length === 0) fail(`GET /bpd/io/award-periods ${describe(periodsR)}, expected 200 with the award periods`);
    const p1 = periods.find((p) => p.awardPeriodId === 1);
    if (p1 !== undefined) {
      for (const [k, v] of Object.entries(DEC_2020)) {
        if (p1[k as keyof Period] !== v) fail(`award period 1 publishes ${k} = ${String(p1[k as keyof Period])}, the December 2020 rule is ${v}`);
      }
    }
    const card = await subjects.addCard(z);
    const en = await subjects.enable(z, card.hpan);
    const activation = (en.json as { activationDate?: unknown } | undefined)?.activationDate;
    if (en.status !== 200 || typeof activation !== 'string') fail(`PUT /bpd/io/payment-instruments/{hpan} ${describe(en)}, expected 200 with an activationDate`);
    const day0 = activation.slice(0, 10);
    const next = addDays(day0, 1);
    const p = periods.find((q) => q.startDate <= next && next <= q.endDate)
      ?? [...periods].sort((a, b) => a.startDate.localeCompare(b.startDate)).find((q) => q.startDate > next);
    if (p === undefined) throw new CheckSkipped(`the backend's clock put the activation on ${day0}, after every award period: the cashback rules cannot be exercised (run the backend with its clock inside an award period, e.g. picco serve --clock 2020-12-08T10:00:00Z)`);
    // Purchases from the day after activation (or the period's first day), spread over the period.
    const from = p.startDate > next ? p.startDate : next;
    const span = Math.max(1, Math.round((Date.parse(p.endDate) - Date.parse(from)) / 86_400_000) + 1);
    let n = 0;
    const trx = (amount: number, day?: string) => {
      n++;
      return { acquirerCode: 'PICCOVERIFY', idTrxAcquirer: `v${z.index}-${n}-${Math.floor(c.random() * 1e9)}`, idTrxIssuer: `i${n}`, hpan: card.hpan,
        trxDate: day ?? addDays(from, (n - 1) % span), amount, operationType: '00', circuitType: '01', merchantId: 'M1', terminalId: `T${n}` };
    };
    const ingest = async (list: ReturnType<typeof trx>[]) => {
      const r = await c.request({ origin: 'bpd', method: 'POST', path: INGEST, endpoint: `POST ${INGEST}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transactions: list }), expect: [200] });
      if (r.status === 404) throw new CheckSkipped(`the backend has no transaction ingest (POST ${INGEST} answered 404): totals cannot be fed`);
      if (r.status !== 200) fail(`POST ${INGEST} ${describe(r)}, expected 200`);
    };
    const total = async () => {
      const r = await bpd(c, z.s, { method: 'GET', path: `/bpd/io/winning-transactions/total-cashback?awardPeriodId=${p.awardPeriodId}`, endpoint: 'GET /bpd/io/winning-transactions/total-cashback', expect: [200] });
      const j = r.json as { totalCashback?: unknown; transactionNumber?: unknown } | undefined;
      if (r.status !== 200 || typeof j?.totalCashback !== 'number') fail(`GET total-cashback ${describe(r)}, expected 200 with totalCashback`);
      return { cents: Math.round(j.totalCashback * 100), n: Number(j.transactionNumber) };
    };
    const award = async () => {
      if (!contract.securedOperations().some((o) => o.path === '/__picco/bpd/award')) return undefined;
      const r = await bpd(c, z.s, { method: 'GET', path: `/__picco/bpd/award?awardPeriodId=${p.awardPeriodId}`, endpoint: 'GET /__picco/bpd/award' });
      return (r.json as { eligible?: unknown } | undefined)?.eligible;
    };

    const small = [200, 180, 12.5, 40, 150.4, 99.99, 7, 300, 25];
    const below = p.minTransactionNumber - 1;
    const first = small.slice(0, Math.min(small.length, Math.max(1, below)));
    await ingest([...first.map((a) => trx(a)), trx(120, day0)]);
    let expected = first.reduce((s, a) => s + purchaseCashbackCents(p, a), 0);
    let t = await total();
    if (t.n !== first.length) fail(`after ${first.length} purchases (plus one on the activation day, which does not count) total-cashback says transactionNumber ${t.n}, expected ${first.length}`);
    if (t.cents !== Math.min(expected, p.maxPeriodCashback * 100)) fail(`after ${first.length} purchases total-cashback is €${(t.cents / 100).toFixed(2)}, the rules give €${(Math.min(expected, p.maxPeriodCashback * 100) / 100).toFixed(2)} (10 % per purchase, capped at €${p.maxTransactionCashback})`);
    if (first.length < p.minTransactionNumber && (await award()) === true) fail(`the award readout says eligible with ${first.length} transactions, the minimum is ${p.minTransactionNumber}`);

    const more = Array.from({ length: Math.max(5, p.minTransactionNumber - first.length + 1) }, () => 200);
    await ingest(more.map((a) => trx(a)));
    expected += more.reduce((s, a) => s + purchaseCashbackCents(p, a), 0);
    t = await total();
    const cap = p.maxPeriodCashback * 100;
    if (t.cents !== Math.min(expected, cap)) fail(`with €${(expected / 100).toFixed(2)} of cashback earned total-cashback is €${(t.cents / 100).toFixed(2)}, the rules give €${(Math.min(expected, cap) / 100).toFixed(2)} (capped at €${p.maxPeriodCashback} per period)`);
    if (t.n !== first.length + more.length) fail(`total-cashback says transactionNumber ${t.n}, expected ${first.length + more.length}`);
    if ((await award()) === false) fail(`the award readout says not eligible with ${t.n} transactions, the minimum is ${p.minTransactionNumber}`);
  },
};
