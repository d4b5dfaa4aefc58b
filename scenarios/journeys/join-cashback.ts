/**
 * The typical 7-11 Dec citizen in one sitting: add every credit card (F3), search and add
 * PagoBancomat if they hold one (F4), enroll in cashback with the IBAN and enable every
 * instrument (F6). With `pressesMean`, the citizen also presses "riprova" on submitted cards. Composing the steps in one arrival keeps the world consistent under any
 * window cut: the instruments a citizen enables are the ones they just added.
 *
 * @example
 * stream({ journey: joinCashback, params: ctx, citizenOf: (k) => joiners.at(k) })
 */
import type { Journey } from '../../harness/scenario/types.ts';
import { type JourneyContext, openApp, think } from './app-client.ts';
import { addCreditCard, pressAgain } from './add-card.ts';
import { addPagoBancomat } from './add-pagobancomat.ts';
import { enrollCashback } from './enroll-cashback.ts';

export const joinCashback: Journey<JourneyContext> = {
  name: 'join-cashback',
  async run(c, arrival, ctx) {
    const i = arrival.citizen;
    const pop = ctx.population;
    const id = pop.identity(i);
    const s = await openApp(c, ctx, id.fiscalCode);
    if (!s) return;
    const holder = `${id.name} ${id.familyName}`;
    const n = pop.creditCards(i);
    for (let k = 0; k < n; k++) {
      await c.sleep(think(ctx, 20_000));
      await addCreditCard(c, ctx, s, i, k, holder, 'new');
    }
    await pressAgain(c, ctx, s, i, holder, n);
    if (pop.hasPagoBancomat(i)) {
      await c.sleep(think(ctx, 3_000));
      await addPagoBancomat(c, ctx, s, i);
    }
    await c.sleep(think(ctx, 3_000));
    await enrollCashback(c, ctx, s, i, id);
  },
};
