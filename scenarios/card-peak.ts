/**
 * card-peak: sustained card additions for capacity work. A warm-up (the first quarter of the run
 * at most) logs citizens in (outside the launch population, so a server can hold both); then
 * 8,000 × scale POST /v1/wallet/cc per second until the end of the run (75 s, or --duration),
 * each with a card never sent before
 * (citizen × card index, Luhn-valid), spread round-robin over the logged-in citizens. Step 1
 * only by default (the request the 2020 figures count); `card-peak-full` walks all four steps
 * for every card. --speed does not apply (a rate, not a day).
 *
 * @example
 * picco run card-peak --scale 0.25 --duration 30s
 */
import type { Scenario, ScenarioOptions, ScenarioPlan } from '../harness/scenario/types.ts';
import { CardPeakState, cardBurst, warmUp } from './journeys/card-burst.ts';
import { contextFor, validateOptions } from './plan-kit.ts';
import { CARDS_PER_CITIZEN_MAX } from './identity/card-number.ts';
import { POPULATION_AT_SCALE_1 } from './population.ts';

export const CARD_PEAK_RATE = 8_000;
const DEFAULT_SECONDS = 60;

const CARD_OFFSET = 3;

export function buildCardPeak(o: ScenarioOptions, fullFlow: boolean, name: string): ScenarioPlan {
  validateOptions(o);
  const rate = CARD_PEAK_RATE * o.scale;
  const ctx = { ...contextFor({ ...o, scale: 1 }), speed: 1e9 };
  // the whole run fits --duration: a warm-up (a quarter of it at most) then the card burst
  const runS = Math.max(2, o.durationS ?? DEFAULT_SECONDS + DEFAULT_SECONDS / 4);
  const loginRate = Math.min(1_000, Math.max(20, rate / 10)); // 4 requests per login, kept off the peak
  // enough citizens that no one needs more cards than the PAN space allows (12 new ones each)
  const citizens = Math.max(200, Math.ceil((rate * runS) / (CARDS_PER_CITIZEN_MAX - CARD_OFFSET - 1)));
  const warmS = Math.min(citizens / loginRate, runS / 4);
  const warmed = Math.max(1, Math.floor(loginRate * warmS));
  const mainS = runS - warmS;
  const total = Math.ceil(rate * mainS);
  const state = new CardPeakState(citizens);
  const citizenBase = POPULATION_AT_SCALE_1 * 2;
  const params = { ...ctx, state, citizenBase, citizens, cardOffset: CARD_OFFSET, fullFlow };
  return {
    scenario: name,
    durationS: warmS + mainS,
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
      `Warm-up: ${warmed} of ${citizens} citizens log in over ${warmS.toFixed(1)} s (4 requests each; the rest log in on their first card); then ${rate}/s POST /v1/wallet/cc for ${mainS.toFixed(1)} s.`,
      fullFlow ? 'Each card walks all four steps (pay, 3DS, wallet confirm) without think time.' : 'Step 1 only (POST /v1/wallet/cc); card-peak-full adds the other three steps.',
    ],
  };
}

export const cardPeak: Scenario = {
  name: 'card-peak',
  description: 'Sustained POST /v1/wallet/cc at 8,000/s × scale over many logged-in citizens (capacity work)',
  build: (o) => buildCardPeak(o, false, 'card-peak'),
};

export const cardPeakFull: Scenario = {
  name: 'card-peak-full',
  description: 'card-peak with all four steps of the credit-card flow for every card',
  build: (o) => buildCardPeak(o, true, 'card-peak-full'),
};
