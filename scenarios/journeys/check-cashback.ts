/**
 * F7, the cashback detail screen: citizen, award periods, then for each period that is not
 * INACTIVE the total (404 before any transaction = zero) and, per instrument, the winning
 * transactions. The app did this on every visit to the cashback card, which is why 8 Dec's
 * operations are dominated by reads.
 *
 * @example
 * await checkCashback(c, ctx, session, items);
 */
import type { Journey, JourneyClient } from '../../harness/scenario/types.ts';
import { type AppSession, type JourneyContext, bpd, openApp, think } from './app-client.ts';
import { type WalletItem, loadWallet } from './open-wallet.ts';

export async function checkCashback(c: JourneyClient, s: AppSession, items: readonly WalletItem[]): Promise<void> {
  const g = await bpd(c, s, { method: 'GET', path: '/bpd/io/citizen', endpoint: 'GET /bpd/io/citizen', expect: [200, 404] });
  if (g.status !== 200 || (g.json as { enabled?: unknown } | undefined)?.enabled !== true) {
    c.count('cashback_not_enrolled');
    return;
  }
  const p = await bpd(c, s, { method: 'GET', path: '/bpd/io/award-periods', endpoint: 'GET /bpd/io/award-periods' });
  const periods = Array.isArray(p.json) ? (p.json as { awardPeriodId?: unknown; status?: unknown }[]) : [];
  for (const period of periods) {
    if (period.status === 'INACTIVE' || typeof period.awardPeriodId !== 'number') continue;
    const t = await bpd(c, s, {
      method: 'GET',
      path: `/bpd/io/winning-transactions/total-cashback?awardPeriodId=${period.awardPeriodId}`,
      endpoint: 'GET /bpd/io/winning-transactions/total-cashback',
      expect: [200, 404],
    });
    const total = t.status === 404 ? 0 : Number((t.json as { totalCashback?: unknown } | undefined)?.totalCashback ?? NaN);
    c.check('total cashback readable', t.status === 404 || Number.isFinite(total));
    for (const w of items) {
      if (!w.bpd || !w.hashPan) continue;
      await bpd(c, s, {
        method: 'GET',
        path: `/bpd/io/winning-transactions?awardPeriodId=${period.awardPeriodId}&hpan=${w.hashPan}`,
        endpoint: 'GET /bpd/io/winning-transactions',
      });
    }
  }
  c.count('cashback_checked');
}

export const checkCashbackJourney: Journey<JourneyContext> = {
  name: 'check-cashback',
  async run(c, arrival, ctx) {
    const s = await openApp(c, ctx, ctx.population.fiscalCode(arrival.citizen));
    if (!s) return;
    const items = await loadWallet(c, ctx, s, arrival.citizen);
    await c.sleep(think(ctx, 2_000));
    await checkCashback(c, s, items ?? []);
  },
};
