/**
 * Every journey against the real reference server (createApp, fresh SQLite per test, no socket):
 * what each sends, what it counts, and that it reads the real response shapes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, type TestServer } from '../server/helpers.ts';
import { AppJourneyClient, walk } from './app-journey-client.ts';
import { populationFor } from '../../scenarios/population.ts';
import type { JourneyContext } from '../../scenarios/journeys/app-client.ts';
import { openApp, pm } from '../../scenarios/journeys/app-client.ts';
import { onboarding } from '../../scenarios/journeys/onboarding.ts';
import { addCard } from '../../scenarios/journeys/add-card.ts';
import { openWallet } from '../../scenarios/journeys/open-wallet.ts';
import { addPagoBancomatJourney } from '../../scenarios/journeys/add-pagobancomat.ts';
import { enrollCashbackJourney } from '../../scenarios/journeys/enroll-cashback.ts';
import { checkCashbackJourney } from '../../scenarios/journeys/check-cashback.ts';
import { mandatoryUpdate } from '../../scenarios/journeys/mandatory-update.ts';
import { impatientRetry } from '../../scenarios/journeys/impatient-retry.ts';
import { joinCashback } from '../../scenarios/journeys/join-cashback.ts';
import { SessionCache } from '../../scenarios/journeys/session-cache.ts';
import { CardPeakState, cardBurst } from '../../scenarios/journeys/card-burst.ts';
import { cardPeak } from '../../scenarios/card-peak.ts';

const pop = populationFor({ scale: 1, seed: 1 });
const ctx: JourneyContext = { population: pop, speed: 1, password: 'picco-test' };
const find = (pred: (i: number) => boolean, from = 0): number => {
  for (let i = from; ; i++) if (pred(i)) return i;
};
const plain = (i: number) => !pop.typoCard(i) && !pop.typoIban(i);

let server: TestServer;
beforeEach(async () => {
  server = await testApp();
});
afterEach(async () => {
  await server.close();
});

describe('journeys against the reference server', () => {
  it('onboarding logs in, reads session, profile and /info, and opens a PM session', async () => {
    const c = new AppJourneyClient(server.app);
    await walk(c, onboarding, 3, ctx);
    expect(c.n('onboarded')).toBe(1);
    expect(c.sent.map((s) => `${s.endpoint} ${s.status}`)).toEqual([
      'POST /test-login 200', 'GET /api/v1/session 200', 'GET /api/v1/profile 200', 'GET /info 200',
      'GET /v1/users/actions/start-session 200',
    ]);
  });

  it('add-card walks the four steps for each of the citizen\'s cards; a second time meets 422', async () => {
    const i = find((k) => plain(k) && pop.creditCards(k) >= 2);
    const c = new AppJourneyClient(server.app);
    await walk(c, addCard, i, ctx);
    expect(c.failedChecks()).toEqual([]);
    expect(c.n('cards_added')).toBe(pop.creditCards(i));
    expect(c.statuses('GET 3ds checkout').every((s) => s === 302)).toBe(true);
    expect(c.statuses('GET 3ds acs').every((s) => s === 302)).toBe(true);
    const again = new AppJourneyClient(server.app);
    await walk(again, addCard, i, ctx);
    expect(again.n('card_422')).toBe(pop.creditCards(i));
    expect(again.n('cards_added')).toBe(0);
  });

  it('a citizen with a typo meets a 4xx on the mistyped PAN, then adds the card', async () => {
    const i = find((k) => pop.typoCard(k));
    const c = new AppJourneyClient(server.app);
    await walk(c, addCard, i, { ...ctx, firstCardOnly: true });
    expect(c.n('card_typo')).toBe(1);
    expect(c.checks.get('mistyped PAN rejected')).toEqual({ pass: 1, fail: 0 });
    expect(c.n('cards_added')).toBe(1);
  });

  it('mandatory update: re-adding the hidden cards meets 422, then enrollment enables them all', async () => {
    const i = find((k) => plain(k) && pop.creditCards(k) >= 2, 10);
    await walk(new AppJourneyClient(server.app), addCard, i, ctx);
    const c = new AppJourneyClient(server.app);
    await walk(c, mandatoryUpdate, i, { ...ctx, hidesPreUpdateCards: true, enroll: true });
    const n = pop.creditCards(i);
    expect(c.failedChecks()).toEqual([]);
    expect(c.n('card_422_on_readd')).toBe(n);
    expect(c.n('enrollments')).toBe(1);
    expect(c.n('iban_ok') + c.n('iban_ko') + c.n('iban_unknown_psp')).toBe(1);
    expect(c.n('instruments_enabled')).toBe(n);
  });

  it('mandatory update on a fresh server: the re-added cards succeed (they were never stored)', async () => {
    const i = find((k) => plain(k), 20);
    const c = new AppJourneyClient(server.app);
    await walk(c, mandatoryUpdate, i, { ...ctx, hidesPreUpdateCards: true, enroll: false });
    expect(c.n('card_readded')).toBe(pop.creditCards(i));
    expect(c.n('card_422_on_readd')).toBe(0);
  });

  it('when the wallet list fails, the cards look gone and the citizen re-adds them all', async () => {
    const i = find((k) => plain(k) && pop.patience(k) === 1, 30);
    await walk(new AppJourneyClient(server.app), addCard, i, ctx);
    await server.app.request('/__picco/faults', {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routes: { 'GET /pp-restapi-CD/v2/wallet': { errorRate: 1, errorStatus: 404 } } }),
    });
    const c = new AppJourneyClient(server.app);
    await walk(c, mandatoryUpdate, i, { ...ctx, hidesPreUpdateCards: false, enroll: false });
    expect(c.n('wallet_load_failed')).toBe(2); // first try + one "riprova" (patience 1)
    expect(c.n('gave_up')).toBe(1);
    expect(c.n('cards_vanished')).toBe(pop.creditCards(i));
    expect(c.n('card_422_on_readd')).toBe(pop.creditCards(i));
  });

  it('join-cashback adds cards and PagoBancomat, enrolls with the IBAN and enables every instrument', async () => {
    const i = find((k) => plain(k) && pop.hasPagoBancomat(k), 40);
    const c = new AppJourneyClient(server.app);
    await walk(c, joinCashback, i, ctx);
    expect(c.failedChecks()).toEqual([]);
    expect(c.n('cards_added')).toBe(pop.creditCards(i));
    expect(c.n('enrollments')).toBe(1);
    expect(c.n('instruments_enabled')).toBeGreaterThanOrEqual(pop.creditCards(i));
    expect(c.n('instruments_enabled')).toBeLessThanOrEqual(pop.creditCards(i) + c.n('pagobancomat_added'));
    // the cashback screen afterwards reads periods, totals (404 → 0) and transactions
    const check = new AppJourneyClient(server.app);
    await walk(check, checkCashbackJourney, i, ctx);
    expect(check.n('cashback_checked')).toBe(1);
    expect(check.failedChecks()).toEqual([]);
    const wallet = new AppJourneyClient(server.app);
    await walk(wallet, openWallet, i, ctx);
    expect(wallet.statuses('GET /bpd/io/payment-instruments/{hpan}').every((s) => s === 200)).toBe(true);
  });

  it('add-pagobancomat evaluates the processors\' codes and adds each card found', async () => {
    let found = 0;
    for (let i = 50; i < 60; i++) {
      const c = new AppJourneyClient(server.app);
      await walk(c, addPagoBancomatJourney, i, ctx);
      expect(c.failedChecks()).toEqual([]);
      expect(c.n('pagobancomat_added') + c.n('pagobancomat_none_found')).toBeGreaterThan(0);
      found += c.n('pagobancomat_added');
    }
    expect(found).toBeGreaterThan(0);
  });

  it('enroll-cashback with a mistyped IBAN meets 400, then saves the right one', async () => {
    const i = find((k) => pop.typoIban(k));
    const c = new AppJourneyClient(server.app);
    await walk(c, enrollCashbackJourney, i, ctx);
    expect(c.n('iban_typo')).toBe(1);
    expect(c.checks.get('mistyped IBAN rejected')).toEqual({ pass: 1, fail: 0 });
    expect(c.n('iban_ok')).toBe(1);
  });

  it('check-cashback stops at a citizen who never enrolled (404)', async () => {
    const c = new AppJourneyClient(server.app);
    await walk(c, checkCashbackJourney, 70, ctx);
    expect(c.n('cashback_not_enrolled')).toBe(1);
    expect(c.statuses('GET /bpd/io/citizen')).toEqual([404]);
  });

  it('impatient presses reuse the open session and meet 422 on a card the server kept', async () => {
    const i = find((k) => plain(k), 80);
    await walk(new AppJourneyClient(server.app), addCard, i, ctx);
    const sessions = new SessionCache(16);
    const c = new AppJourneyClient(server.app);
    for (let k = 0; k < 3; k++) await walk(c, impatientRetry, i, { ...ctx, sessions }, k);
    expect(c.n('card_422_on_retry')).toBe(3);
    expect(c.statuses('POST /test-login')).toHaveLength(1);
  });

  it('a PM 401 refreshes the PM session once and repeats the call', async () => {
    const c = new AppJourneyClient(server.app);
    const s = (await openApp(c, ctx, pop.fiscalCode(90)))!;
    s.pm = 'expired-token';
    const r = await pm(c, s, { method: 'GET', path: '/v2/wallet', endpoint: 'GET /v2/wallet', expect: [200] });
    expect(r.status).toBe(200);
    expect(c.n('pm_session_refresh')).toBe(1);
    expect(s.pm).not.toBe('expired-token');
  });

  it('card-burst sends a never-used valid card per arrival over cached sessions', async () => {
    const state = new CardPeakState(8);
    const params = { ...ctx, speed: 1e9, state, citizenBase: 100, citizens: 4, cardOffset: 3, fullFlow: false };
    const c = new AppJourneyClient(server.app);
    for (let k = 0; k < 12; k++) await walk(c, cardBurst, 100 + (k % 4), params, k);
    expect(c.n('wallet_cc_created')).toBe(12);
    expect(c.statuses('POST /test-login')).toHaveLength(4);
    const full = new AppJourneyClient(server.app);
    await walk(full, cardBurst, 100, { ...params, fullFlow: true }, 40);
    expect(full.n('cards_added')).toBe(1);
  });

  it('card-burst with card owners: two citizens send 30 distinct new cards, each logging in once', async () => {
    const state = new CardPeakState(8);
    const params = { ...ctx, speed: 1e9, state, citizenBase: 200, citizens: 2, cardOffset: 3, fullFlow: false, cardOwnerBase: 5_000 };
    const c = new AppJourneyClient(server.app);
    for (let k = 0; k < 30; k++) await walk(c, cardBurst, 200 + (k % 2), params, k);
    expect(c.n('wallet_cc_created')).toBe(30);
    expect(c.n('card_422')).toBe(0);
    expect(c.statuses('POST /test-login')).toHaveLength(2);
    // arrivals for a citizen whose login is still running wait for it instead of logging in again
    const fresh = { ...params, state: new CardPeakState(8), citizenBase: 300 };
    const d = new AppJourneyClient(server.app);
    await Promise.all([0, 2, 4, 6].map((k) => walk(d, cardBurst, 300, fresh, 100 + k)));
    expect(d.statuses('POST /test-login')).toHaveLength(1);
    expect(d.n('wallet_cc_created')).toBe(4);
  });

  it('card-peak logs in every burst citizen during the warm-up, whatever the scale and length', () => {
    for (const [scale, durationS] of [[0.01, 20], [0.2, 20], [1, 75], [0.05, 8]] as const) {
      const plan = cardPeak.build({ scale, speed: 1, seed: 1, durationS });
      const warm = plan.streams.find((st) => st.name === 'warm-up')!;
      const burst = plan.streams.find((st) => st.name === 'card-burst')!;
      const warmArrivals = Math.round(warm.executor.type === 'constant-arrival-rate' ? warm.executor.rate * warm.executor.durationS : 0);
      expect(warmArrivals).toBe(plan.expected['logged_in_citizens']);
      expect(burst.startS ?? 0).toBeLessThanOrEqual(durationS / 4 + 1e-9);
      // at most 8 cards per second on any token (the server allows 20 writes/s per token)
      expect((8_000 * scale) / (plan.expected['logged_in_citizens'] ?? 1)).toBeLessThanOrEqual(8);
    }
  });
});
