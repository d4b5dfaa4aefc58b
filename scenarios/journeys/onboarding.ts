/**
 * F1, the first launch after download: test-login (the SPID stand-in), session (wallet and bpd
 * tokens), profile, /info, PM start-session. Nothing else: the citizen just looks around.
 *
 * @example
 * stream({ journey: onboarding, params: ctx, ... })
 */
import type { Journey } from '../../harness/scenario/types.ts';
import { type JourneyContext, openApp } from './app-client.ts';

export const onboarding: Journey<JourneyContext> = {
  name: 'onboarding',
  async run(c, arrival, ctx) {
    const s = await openApp(c, ctx, ctx.population.fiscalCode(arrival.citizen), true);
    c.check('onboarded', s !== undefined);
    if (s) c.count('onboarded');
  },
};
