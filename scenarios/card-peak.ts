/**
 * card-peak: sustained card additions for capacity work. A warm-up logs in `citizens` citizens
 * (outside the launch population, so a server can hold both); then 8,000 × scale
 * POST /v1/wallet/cc per second for 60 s (or --duration), each with a card never sent before
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
const WARM_UP_RATE = 1_000;

export function buildCardPeak(o: ScenarioOptions, fullFlow: boolean, name: string): ScenarioPlan {
  validateOptions(o);
  const rate = CARD_PEAK_RATE * o.scale;
  const ctx = { ...contextFor({ ...o, scale: 1 }), speed: 1e9 };
  // enough citizens that no one needs more than the PAN space allows (13 new cards each)
  const mainS = Math.max(1, o.durationS ?? DEFAULT_SECONDS);
  const total = Math.ceil(rate * mainS);
  const citizens = Math.max(200, Math.ceil(total / (CARDS_PER_CITIZEN_MAX - CARD_OFFSET - 1)), Math.ceil(rate * 5));
  const warmS = Math.max(2, citizens / Math.max(WARM_UP_RATE * Math.min(1, o.scale * 4), 100));
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
        executor: { type: 'constant-arrival-rate', rate: citizens / warmS, durationS: warmS },
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
      arrivals: citizens + total,
      logged_in_citizens: citizens,
      'POST /v1/wallet/cc per s': rate,
      [fullFlow ? 'cards_added' : 'wallet_cc_created']: total,
      card_422: 0,
    },
    notes: [
      `Warm-up: ${citizens} citizens log in over ${warmS.toFixed(1)} s (4 requests each); then ${rate}/s POST /v1/wallet/cc for ${mainS} s.`,
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
