/**
 * F2, open the wallet ("Portafoglio"): GET /v2/wallet, then the cashback status of every method
 * whose enableableFunctions contains BPD. A failed list load is retried by hand with the app's
 * backoff (2, 4, 8, 16 s) as far as the citizen's patience goes; after that the wallet "is empty"
 * for them, which is exactly how cards seemed to vanish on 7-8 Dec.
 *
 * @example
 * const items = await loadWallet(c, ctx, session, arrival.citizen);
 */
import type { Journey, JourneyClient } from '../../harness/scenario/types.ts';
import { type AppSession, type JourneyContext, bpd, dataArray, openApp, pm, riprova, think } from './app-client.ts';

export interface WalletItem {
  idWallet: number;
  walletType: string;
  /** CardInfo.hashPan (the HPAN), when present. */
  hashPan: string | undefined;
  /** Last four digits shown (blurredNumber), when present. */
  lastFour: string | undefined;
  /** BPD ∈ enableableFunctions. */
  bpd: boolean;
}

export function parseWallet(items: Record<string, unknown>[]): WalletItem[] {
  const out: WalletItem[] = [];
  for (const w of items) {
    const info = (w.info ?? {}) as Record<string, unknown>;
    const fns = Array.isArray(w.enableableFunctions) ? (w.enableableFunctions as unknown[]) : [];
    const blurred = typeof info.blurredNumber === 'string' ? info.blurredNumber : undefined;
    out.push({
      idWallet: typeof w.idWallet === 'number' ? w.idWallet : Number(w.idWallet),
      walletType: typeof w.walletType === 'string' ? w.walletType : '',
      hashPan: typeof info.hashPan === 'string' ? info.hashPan : undefined,
      lastFour: blurred ? blurred.slice(-4) : undefined,
      bpd: fns.includes('BPD'),
    });
  }
  return out;
}

/** GET /v2/wallet with hand retries; undefined when the citizen gave up. */
export async function loadWallet(
  c: JourneyClient,
  ctx: JourneyContext,
  s: AppSession,
  citizen: number,
): Promise<WalletItem[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    const r = await pm(c, s, { method: 'GET', path: '/v2/wallet', endpoint: 'GET /v2/wallet', expect: [200] });
    if (r.status === 200) {
      const items = parseWallet(dataArray(r));
      ctx.client?.walletCache?.put(citizen, items);
      return items;
    }
    c.count('wallet_load_failed');
    if (!(await riprova(c, ctx, citizen, attempt))) {
      // the app of 1.16 shows the list it persisted; the app of 7 Dec shows none: the cards "vanish"
      const cached = ctx.client?.walletCache?.get(citizen);
      if (cached !== undefined) c.count('wallet_from_cache');
      return cached;
    }
  }
}

/** GET /bpd/io/payment-instruments/{hpan} for each BPD-capable method (200 / 404 inactive / 409 not activable). */
export async function instrumentStatuses(c: JourneyClient, s: AppSession, items: readonly WalletItem[]): Promise<void> {
  for (const w of items) {
    if (!w.bpd || !w.hashPan) continue;
    const r = await bpd(c, s, {
      method: 'GET',
      path: `/bpd/io/payment-instruments/${w.hashPan}`,
      endpoint: 'GET /bpd/io/payment-instruments/{hpan}',
      expect: [200, 404, 409],
    });
    c.check('instrument status readable', r.status === 200 || r.status === 404 || r.status === 409);
  }
}

export const openWallet: Journey<JourneyContext> = {
  name: 'open-wallet',
  async run(c, arrival, ctx) {
    const s = await openApp(c, ctx, ctx.population.fiscalCode(arrival.citizen));
    if (!s) return;
    await c.sleep(think(ctx, 1_500));
    const items = await loadWallet(c, ctx, s, arrival.citizen);
    c.check('wallet loaded', items !== undefined);
    if (!items) return;
    await instrumentStatuses(c, s, items);
  },
};
