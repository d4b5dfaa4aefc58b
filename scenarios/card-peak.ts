/**
 * card-peak: sustained card additions for capacity work. A warm-up (the first quarter of the run
 * at most) logs in every citizen the burst will use (outside the launch population, so a server
 * can hold both); then 8,000 × scale POST /v1/wallet/cc per second until the end of the run (75 s,
 * or --duration), each with a card never sent before (Luhn-valid), spread round-robin over the
 * logged-in citizens. Step 1 only by default (the request the 2020 figures count): the card's
 * identity is the arrival's, not its sender's, so the burst needs only rate / 8 citizens (8 cards
 * per second on each token, under the server's 20 writes/s per token) and the warm-up logs them all
 * in before the first card; without that, a short step would begin with a login storm (4 requests
 * and 2 durable writes per citizen) and a capacity search would measure the storm, not the cards.
 * `card-peak-full` walks all four steps for every card; its citizens keep at most 12 cards each
 * (the wallet list is read at every card), so it needs rate × duration / 12 of them, and those the
 * warm-up does not reach log in on their first card. --speed does not apply (a rate, not a day).
 *
 * @example
 * picco run card-peak --scale 0.25 --duration 30s
 */
import { ORIGINS_2020 } from './origins.ts';
import type { Scenario, ScenarioOptions, ScenarioPlan } from '../harness/scenario/types.ts';
import { CardPeakState, cardBurst, cardsPerOwner, warmUp } from './journeys/card-burst.ts';
import { contextFor, validateOptions } from './plan-kit.ts';
import { POPULATION_AT_SCALE_1 } from './population.ts';

export const CARD_PEAK_RATE = 8_000;

/**
 * card-peak's default SLOs are the criteria `picco capacity` judges a step by (its
 * DEFAULT_CAPACITY_SLO, held equal by a test): card additions answered within 1 s at p99 (the
 * app's spinner budget, well inside the 16 s client timeout), under 1 % of requests failing,
 * under 1 % of arrivals dropped. So `picco run card-peak` passes exactly when a capacity step at
 * that scale would hold, and `picco export k6 card-peak` carries thresholds to gate on.
 */
export const CARD_PEAK_SLOS = [
  'http_req_duration{endpoint:POST /v1/wallet/cc}: p(99)<1000',
  'http_req_failed: rate<1%',
  'dropped_iterations: rate<1%',
] as const;
const DEFAULT_SECONDS = 60;

const CARD_OFFSET = 3;
/** New cards per card owner the PAN space allows (indexes CARD_OFFSET .. 14). */
const CARDS_PER_OWNER = cardsPerOwner(CARD_OFFSET);
/** Step 1 only: card additions per second on each logged-in citizen's token. */
const CARDS_PER_TOKEN_PER_S = 8;

export function buildCardPeak(o: ScenarioOptions, fullFlow: boolean, name: string): ScenarioPlan {
  validateOptions(o);
  const rate = CARD_PEAK_RATE * o.scale;
  const ctx = { ...contextFor({ ...o, scale: 1 }), speed: 1e9 };
  // the whole run fits --duration: a warm-up (a quarter of it at most) then the card burst
  const runS = Math.max(2, o.durationS ?? DEFAULT_SECONDS + DEFAULT_SECONDS / 4);
  const loginRate = Math.min(1_000, Math.max(20, rate / 10)); // 4 requests per login, kept off the peak
  const citizens = fullFlow
    // each citizen's own cards: no one needs more than the PAN space allows (12 new ones each)
    ? Math.max(200, Math.ceil((rate * runS) / CARDS_PER_OWNER))
    : Math.max(200, Math.ceil(rate / CARDS_PER_TOKEN_PER_S));
  const warmS = Math.min(citizens / loginRate, runS / 4);
  // step 1: every burst citizen logs in during the warm-up (faster than loginRate when a short
  // run caps the warm-up); full flow: as many as loginRate reaches, the rest on their first card
  const warmed = fullFlow ? Math.max(1, Math.floor(loginRate * warmS)) : citizens;
  const mainS = runS - warmS;
  const total = Math.ceil(rate * mainS);
  const state = new CardPeakState(citizens);
  const citizenBase = POPULATION_AT_SCALE_1 * 2;
  // step 1's card owners (PAN identities) start past every citizen index the launch can use
  const params = { ...ctx, state, citizenBase, citizens, cardOffset: CARD_OFFSET, fullFlow, cardOwnerBase: citizenBase };
  return {
    scenario: name,
    durationS: warmS + mainS,
    slo: [...CARD_PEAK_SLOS],
    streams: [
      {
        name: 'warm-up',
        journey: warmUp,
        params,
        executor: { type: 'constant-arrival-rate', rate: warmed / warmS, durationS: warmS },
        citizenOf: (k) => citizenBase + (k % citizens),
      },
      {
        name: 'card-burst',
        journey: cardBurst,
        params,
        startS: warmS,
        executor: { type: 'constant-arrival-rate', rate, durationS: mainS },
        citizenOf: (k) => citizenBase + (k % citizens),
      },
    ],
    expected: {
      arrivals: warmed + total,
      logged_in_citizens: citizens,
      'POST /v1/wallet/cc per s': rate,
      [fullFlow ? 'cards_added' : 'wallet_cc_created']: total,
      card_422: 0,
    },
    notes: [
      `Warm-up: ${warmed} of ${citizens} citizens log in over ${warmS.toFixed(1)} s (4 requests each${warmed < citizens ? '; the rest log in on their first card' : ''}); then ${rate}/s POST /v1/wallet/cc for ${mainS.toFixed(1)} s.`,
      fullFlow ? 'Each card walks all four steps (pay, 3DS, wallet confirm) without think time.' : 'Step 1 only (POST /v1/wallet/cc); card-peak-full adds the other three steps.',
    ],
  };
}

export const cardPeak: Scenario = {
  name: 'card-peak',
  origins: ORIGINS_2020,
  description: 'Sustained POST /v1/wallet/cc at 8,000/s × scale over many logged-in citizens (capacity work)',
  build: (o) => buildCardPeak(o, false, 'card-peak'),
};

export const cardPeakFull: Scenario = {
  name: 'card-peak-full',
  origins: ORIGINS_2020,
  description: 'card-peak with all four steps of the credit-card flow for every card',
  build: (o) => buildCardPeak(o, true, 'card-peak-full'),
};
