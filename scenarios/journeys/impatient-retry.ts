/**
 * The impatient "riprova": a citizen who saw "Si è verificato un errore temporaneo nel
 * salvataggio di questa carta, riprova" (or just waited too long) presses again and re-submits
 * the same card. Each arrival is one press. Against a server that had in fact stored the card
 * the press meets 422 creditcard.already_exists; if the card really was lost, the flow goes on
 * through 3DS and the card is added.
 *
 * In December 2020 these presses were a large share of the 5 M card-loading requests of 7 Dec;
 * the launch scenario replays them as their own stream, so the demand is the observed one even
 * against a server that never fails.
 *
 * @example
 * stream({ journey: impatientRetry, params: ctx, citizenOf: (k) => adders.start + (k % adders.n) })
 */
import type { Journey } from '../../harness/scenario/types.ts';
import { type JourneyContext, openApp } from './app-client.ts';
import { addCreditCard } from './add-card.ts';
import type { SessionCache } from './session-cache.ts';

export interface ImpatientRetryParams extends JourneyContext {
  /** A press reuses the citizen's open session when cached (the app stays open between presses). */
  sessions?: SessionCache;
}

export const impatientRetry: Journey<ImpatientRetryParams> = {
  name: 'impatient-retry',
  async run(c, arrival, p) {
    const i = arrival.citizen;
    const id = p.population.identity(i);
    let s = p.sessions?.get(i);
    if (!s) {
      s = await openApp(c, p, id.fiscalCode);
      p.sessions?.put(i, s);
    }
    if (!s) return;
    // presses cycle over the citizen's cards
    const k = Math.floor(arrival.index / 7) % p.population.creditCards(i);
    await addCreditCard(c, p, s, i, k, `${id.name} ${id.familyName}`, 'retry');
  },
};
