/**
 * The December 2020 failure profile: valid for the reference server's --faults parser, and with
 * it the wallet list fails so the citizen's cards seem to vanish and are re-added; without it
 * the same citizens see their cards and re-add nothing.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults } from '../../reference-server/src/downstream/faults.ts';
import { testApp, type TestServer } from '../server/helpers.ts';
import { AppJourneyClient, walk } from './app-journey-client.ts';
import { populationFor } from '../../scenarios/population.ts';
import { addCard } from '../../scenarios/journeys/add-card.ts';
import { mandatoryUpdate } from '../../scenarios/journeys/mandatory-update.ts';

const PROFILE = new URL('../../scenarios/faults/injected-symptoms.json', import.meta.url);
const pop = populationFor({ scale: 1, seed: 1 });
const ctx = { population: pop, speed: 1e6, password: 'picco-test' };

/** Citizens without typos and with no patience: one failed wallet load and the cards are "gone" (30 of them: all 30 first loads succeeding at 35 % failure has probability 2e-6). */
const citizens: number[] = [];
for (let i = 0; citizens.length < 30; i++) if (pop.patience(i) === 0 && !pop.typoCard(i) && !pop.typoIban(i)) citizens.push(i);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function updateAll(s: TestServer): Promise<AppJourneyClient> {
  const c = new AppJourneyClient(s.app);
  for (const i of citizens) await walk(new AppJourneyClient(s.app), addCard, i, ctx);
  for (const i of citizens) await walk(c, mandatoryUpdate, i, { ...ctx, hidesPreUpdateCards: false, enroll: false });
  return c;
}

describe('injected-symptoms faults profile', () => {
  it('is a valid --faults file for the reference server', () => {
    const p = parseFaults(readFileSync(PROFILE, 'utf8'), 'injected-symptoms.json');
    expect(p.routes?.['GET /pp-restapi-CD/v2/wallet']?.errorStatus).toBe(404);
  });

  it('with it, cards vanish from the failing wallet list and citizens re-add them (422)', async () => {
    const faults = parseFaults(readFileSync(PROFILE, 'utf8'), 'profile');
    // only the wallet-list fault: the downstream latencies would make this test slow for nothing
    server = await testApp({ faults: { routes: { 'GET /pp-restapi-CD/v2/wallet': { ...faults.routes!['GET /pp-restapi-CD/v2/wallet']!, latency: { kind: 'fixed', ms: 0 } } } } });
    const c = await updateAll(server);
    expect(c.n('wallet_load_failed')).toBeGreaterThan(0);
    expect(c.n('cards_vanished')).toBeGreaterThan(0);
    expect(c.n('card_422_on_readd')).toBe(c.n('cards_vanished'));
  }, 30_000);

  it('without it, the same citizens see their cards and re-add none', async () => {
    server = await testApp();
    const c = await updateAll(server);
    expect(c.n('wallet_load_failed')).toBe(0);
    expect(c.n('cards_vanished')).toBe(0);
    expect(c.n('card_422_on_readd')).toBe(0);
  }, 30_000);
});
