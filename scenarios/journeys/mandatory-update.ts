/**
 * The 7 Dec 2020 mandatory update and re-enrollment: the old app reads GET /info, finds its
 * version below min_app_version for its platform (or updates anyway, since the cashback section
 * only exists in the new version), updates, logs in again and opens the wallet. Version 1.12
 * did not show cards registered before the update, so citizens re-added them, meeting 422
 * creditcard.already_exists (the card was still there) or succeeding (it was not); then they
 * enrolled in cashback, set the IBAN and enabled every instrument.
 *
 * `hidesPreUpdateCards` models that client behaviour; without it, only the cards missing from
 * the list are re-added, and a wallet list that cannot be loaded at all (the original
 * server's failure under load) hides every card, so the same journey re-adds them all.
 *
 * @example
 * stream({ journey: mandatoryUpdate, params: { ...ctx, hidesPreUpdateCards: true, enroll: true } })
 */
import type { Journey } from '../../harness/scenario/types.ts';
import { APP_VERSION } from '../population.ts';
import { type JourneyContext, openApp, serverInfo, think } from './app-client.ts';
import { addCreditCard, pressAgain } from './add-card.ts';
import { enrollCashback } from './enroll-cashback.ts';
import { loadWallet } from './open-wallet.ts';

export interface MandatoryUpdateParams extends JourneyContext {
  /** The updated client shows none of the cards registered before the update (Dec 2020). */
  hidesPreUpdateCards: boolean;
  /** Enroll in cashback after the wallet. */
  enroll: boolean;
}

/** Compares dotted versions (semver plus an optional 4th build digit, as the app did). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let k = 0; k < 4; k++) {
    const d = (pa[k] ?? 0) - (pb[k] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export const mandatoryUpdate: Journey<MandatoryUpdateParams> = {
  name: 'mandatory-update',
  async run(c, arrival, p) {
    const i = arrival.citizen;
    const pop = p.population;
    const info = await serverInfo(c);
    const min = (info.json as { min_app_version?: Record<string, unknown> } | undefined)?.min_app_version?.[pop.device(i)];
    const forced = typeof min === 'string' && compareVersions(pop.appVersionBefore(i), min) < 0;
    c.count(forced ? 'update_forced' : 'update_voluntary');
    if (typeof min === 'string') c.check('updated app meets min_app_version', compareVersions(APP_VERSION.after, min) >= 0);
    await c.sleep(think(p, 30_000)); // store download and install

    const id = pop.identity(i);
    const s = await openApp(c, p, id.fiscalCode);
    if (!s) return;
    const items = await loadWallet(c, p, s, i);
    const shown = new Set(p.hidesPreUpdateCards || !items ? [] : items.map((w) => w.lastFour));
    const holder = `${id.name} ${id.familyName}`;
    const n = pop.creditCards(i);
    for (let k = 0; k < n; k++) {
      const lastFour = pop.creditCard(i, k, holder).pan.slice(-4);
      if (shown.has(lastFour)) continue;
      c.count('cards_vanished');
      await c.sleep(think(p, 15_000));
      await addCreditCard(c, p, s, i, k, holder, 'readd');
    }
    await pressAgain(c, p, s, i, holder, n);
    if (p.enroll) {
      await c.sleep(think(p, 3_000));
      await enrollCashback(c, p, s, i, id);
    }
  },
};
