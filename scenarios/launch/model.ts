/**
 * The December 2020 launch as streams of citizens, at scale 1 and in launch time (seconds since
 * 1 Dec 2020 00:00): who does what, on which day, along which curve, and what each arrival
 * costs (requests) and yields (outcomes) on the healthy path. Every number that is not from a
 * source is a named, documented model choice; calibration.json names the sources.
 *
 * Who (citizen index ranges, download order; see population.ts COHORTS):
 * - A = [0, 550k): had cards on IO before December (pagoPA payers).
 * - B = first 218.9k of the 1-5 Dec cohort: add cards 1-5 Dec (324,000 instruments / 1.48).
 * - C = first 50k of the 6 Dec cohort: add cards on 6 Dec.
 * - P = A | B | C, the 818.9k citizens with cards before the update: 490k take the update and
 *   re-enroll on 7 Dec, the rest on 8 Dec (re-adding every card, then enrolling).
 * - J = [550k, 550k + 2.681M): join cashback 7-11 Dec in one sitting (cards, PagoBancomat,
 *   enrollment, IBAN, instruments), so that 3.5 M are enrolled by 11 Dec.
 * - browsing (open the wallet, look at cashback) fills each day's operations up to its figure.
 *
 * @example
 * const m = launchModel();
 * m.streams.find((s) => s.name === 'update-reenroll.7dec');
 */
import { COHORTS, SHARES } from '../population.ts';
import { type Curve, dayCurve, integrate, peakOfSum, scaled, total } from './curve.ts';
import { RangeSet } from './range-set.ts';
import { DIURNAL, type Shape, cardDayCurve, peakOverMean, withSpike } from './shapes.ts';

export type StreamKind =
  | 'onboarding'
  | 'add-card'
  | 'join-cashback'
  | 'update-reenroll'
  | 'impatient-retry'
  | 'browse-wallet'
  | 'browse-cashback';

export interface PerArrival {
  /** HTTP requests per arrival on the healthy path. */
  requests: number;
  /** Card-loading requests (POST /v1/wallet/cc + POST /v1/bancomat/add-wallets) per arrival. */
  cardLoads: number;
  /** Expected business outcomes per arrival (JourneyClient.count names). */
  outcomes: Record<string, number>;
}

export interface StreamModel {
  name: string;
  kind: StreamKind;
  day: number;
  /** Arrivals per second at scale 1, launch time. */
  curve: Curve;
  /** Citizens walked, at scale 1: arrival q of the stream is citizens.at(firstPosition + q). */
  citizens: RangeSet;
  firstPosition: number;
  /** impatient-retry: presses per citizen (each citizen presses this many times, a block apart). */
  pressesMean: number;
  per: PerArrival;
}

// ---- model constants (sources / reasoning in calibration.json "model") ----------------------
/** GETs to follow the 3DS checkout of the reference server (checkout page, ACS). */
export const THREE_DS_HOPS = 2;
const AUTH = 4; // test-login, session, /info, PM start-session
const CARD = 3 + THREE_DS_HOPS; // POST cc, POST pay, 3DS hops, GET /v2/wallet
export const MEAN_CARDS = 1 + SHARES.cards2 + 2 * SHARES.cards3;
const TYPO = SHARES.typo;
/** Reference server processors: 3 × P(customer) 0.5 × mean 1.2 cards; 5 % blocked (BR). */
export const PB_CARDS_PER_SEARCH = 1.8;
export const PB_ENABLEABLE = 0.95;
const PB = SHARES.pagobancomat;
const ENROLL_BASE = 5 + TYPO; // GET citizen, PUT citizen, profile, PATCH IBAN (+typo), GET /v2/wallet

const K = 1_000;
const M = 1_000_000;
export const ROLE = {
  preDecemberHolders: 550 * K,
  dec1to5Adders: 218_900,
  dec6Adders: 50 * K,
  joiners: 2_681 * K,
  update7: 490 * K,
} as const;
const ONBOARD_PER_DAY_1_5 = COHORTS.dec1to5 / 5;
const ADDERS_PER_DAY_1_5 = ROLE.dec1to5Adders / 5;
const JOIN_BY_DAY: Record<number, number> = { 7: 200 * K, 8: 1_200 * K, 9: 600 * K, 10: 400 * K, 11: 281 * K };
/** impatient-retry walks its citizens in blocks of this many, each pressed `presses` times. */
export const PRESS_BLOCK = 8_192;

/** Targets the shapes are solved for (calibration.json holds the same figures with sources). */
export const TARGETS = {
  opsPeak1to5: 1_900,
  card7: {
    firstHoursTotal: 500 * K, firstHours: 12, firstPeak: 6_000, firstPeakHour: 9,
    dayTotal: 5_100 * K, dayPeak: 8_000, dayPeakHour: 18.5, backgroundShare: 0.2,
  },
  ops8: 233_280 * K,
  opsPeak8: 14_000,
  activeUsers8: 2_300 * K,
  /** Operations on 6, 7, 9, 10, 11 Dec (no published figure; model choice). */
  opsOtherDays: { 6: 60 * M, 7: 140 * M, 9: 150 * M, 10: 110 * M, 11: 90 * M } as Record<number, number>,
} as const;

/** Browsing assumptions per day: mean BPD-capable wallet items, share of browsers enrolled. */
function browsing(day: number): { walletItems: number; enrolledShare: number; cashbackShare: number } {
  if (day <= 7) return { walletItems: 0.25, enrolledShare: 0, cashbackShare: 0 };
  if (day === 8) return { walletItems: 1.4, enrolledShare: 0.7, cashbackShare: 0.5 };
  return { walletItems: 1.6, enrolledShare: 0.8, cashbackShare: 0.5 };
}

export function perArrival(kind: StreamKind, day: number, presses: number): PerArrival {
  const pbCards = PB * PB_CARDS_PER_SEARCH;
  switch (kind) {
    case 'onboarding':
      return { requests: 5, cardLoads: 0, outcomes: { onboarded: 1 } };
    case 'add-card':
      return {
        requests: AUTH + MEAN_CARDS * CARD + TYPO,
        cardLoads: MEAN_CARDS + TYPO,
        outcomes: { cards_added: MEAN_CARDS, card_typo: TYPO },
      };
    case 'join-cashback':
      return {
        requests: AUTH + MEAN_CARDS * CARD + TYPO + presses + PB * 1 + pbCards + ENROLL_BASE + MEAN_CARDS + pbCards * PB_ENABLEABLE,
        cardLoads: MEAN_CARDS + TYPO + presses + pbCards,
        outcomes: {
          cards_added: MEAN_CARDS, card_typo: TYPO, card_422_on_retry: presses, pagobancomat_added: pbCards,
          enrollments: 1, iban_typo: TYPO, instruments_enabled: MEAN_CARDS + pbCards * PB_ENABLEABLE,
        },
      };
    case 'update-reenroll':
      return {
        requests: 1 + AUTH + 1 + MEAN_CARDS + presses + ENROLL_BASE + MEAN_CARDS,
        cardLoads: MEAN_CARDS + presses,
        outcomes: {
          update_forced: SHARES.oldApp, update_voluntary: 1 - SHARES.oldApp,
          card_422_on_readd: MEAN_CARDS, card_422_on_retry: presses, enrollments: 1, iban_typo: TYPO,
          instruments_enabled: MEAN_CARDS,
        },
      };
    case 'impatient-retry':
      // one POST per press; a citizen logs in once per block (session cache), `presses` presses
      return { requests: 1 + AUTH / Math.max(1, presses), cardLoads: 1, outcomes: { card_422_on_retry: 1 } };
    case 'browse-wallet': {
      const b = browsing(day);
      return { requests: AUTH + 1 + b.walletItems, cardLoads: 0, outcomes: {} };
    }
    case 'browse-cashback': {
      const b = browsing(day);
      return {
        requests: AUTH + 1 + 1 + b.enrolledShare * (2 + b.walletItems),
        cardLoads: 0,
        outcomes: { cashback_checked: b.enrolledShare },
      };
    }
  }
}

export interface LaunchModel {
  streams: StreamModel[];
  sets: { A: RangeSet; B: RangeSet; C: RangeSet; P: RangeSet; J: RangeSet };
  /** "riprova" presses per 7 Dec updater, solved from the card-loading total. */
  presses7: number;
  days: number;
}

const DAY = 86_400;
const dayStart = (d: number): number => (d - 1) * DAY;

let cached: LaunchModel | undefined;

export function launchModel(): LaunchModel {
  if (cached) return cached;
  const c0 = { pre: 0, d15: COHORTS.preDecember, d6: COHORTS.preDecember + COHORTS.dec1to5 };
  const d7start = c0.d6 + COHORTS.dec6;
  const A = new RangeSet([{ start: 0, n: ROLE.preDecemberHolders }]);
  const B = new RangeSet([{ start: c0.d15, n: ROLE.dec1to5Adders }]);
  const C = new RangeSet([{ start: c0.d6, n: ROLE.dec6Adders }]);
  const P = new RangeSet([...A.ranges, ...B.ranges, ...C.ranges]);
  const J = new RangeSet([{ start: ROLE.preDecemberHolders, n: ROLE.joiners }]);
  const streams: StreamModel[] = [];
  const add = (kind: StreamKind, day: number, c: Curve, citizens: RangeSet, firstPosition: number, presses = 0) => {
    streams.push({ name: `${kind}.${day}dec`, kind, day, curve: c, citizens, firstPosition, pressesMean: presses, per: perArrival(kind, day, presses) });
  };
  const browse = (day: number, shape: Shape, opsTarget: number, range: RangeSet) => {
    const other = streams.filter((s) => s.day === day).reduce((sum, s) => sum + total(s.curve) * s.per.requests, 0);
    const b = browsing(day);
    const wallet = perArrival('browse-wallet', day, 0).requests;
    const cash = perArrival('browse-cashback', day, 0).requests;
    const perBrowse = (1 - b.cashbackShare) * wallet + b.cashbackShare * cash;
    const volume = (opsTarget - other) / perBrowse;
    if (!(volume > 0)) throw new RangeError(`day ${day}: operations target below the other streams`);
    add('browse-wallet', day, dayCurve(day, shape, volume * (1 - b.cashbackShare)), range, 0);
    if (b.cashbackShare > 0) add('browse-cashback', day, dayCurve(day, shape, volume * b.cashbackShare), range, 0);
  };

  // 1-5 Dec: downloads, first cards, browsing up to the 1,900 ops/s peak
  const ops15 = (TARGETS.opsPeak1to5 / peakOverMean(DIURNAL)) * DAY;
  for (let d = 1; d <= 5; d++) {
    add('onboarding', d, dayCurve(d, DIURNAL, ONBOARD_PER_DAY_1_5), new RangeSet([{ start: c0.d15, n: COHORTS.dec1to5 }]), (d - 1) * ONBOARD_PER_DAY_1_5);
    add('add-card', d, dayCurve(d, DIURNAL, ADDERS_PER_DAY_1_5), B, (d - 1) * ADDERS_PER_DAY_1_5);
    browse(d, DIURNAL, ops15, new RangeSet([{ start: 0, n: COHORTS.preDecember }]));
  }
  // 6 Dec (Sunday)
  add('onboarding', 6, dayCurve(6, DIURNAL, COHORTS.dec6), new RangeSet([{ start: c0.d6, n: COHORTS.dec6 }]), 0);
  add('add-card', 6, dayCurve(6, DIURNAL, ROLE.dec6Adders), C, 0);
  browse(6, DIURNAL, TARGETS.opsOtherDays[6]!, new RangeSet([{ start: 0, n: c0.d6 }]));

  // 7 Dec: the update and re-enroll surge. Citizens who update or join follow the day's curve;
  // the "riprova" presses of the updaters (their re-adds kept failing in 2020) make up the rest of
  // the card-loading requests, on the spiky curve solved for 500 k by noon, 6,000/s at 09:00,
  // 8,000/s at 18:30 and 5.1 M in the day.
  const join7 = JOIN_BY_DAY[7]!;
  const upd7 = ROLE.update7;
  add('onboarding', 7, dayCurve(7, DIURNAL, COHORTS.dec7), new RangeSet([{ start: d7start, n: COHORTS.dec7 }]), 0);
  add('join-cashback', 7, dayCurve(7, DIURNAL, join7), J, 0);
  add('update-reenroll', 7, dayCurve(7, DIURNAL, upd7), P, 0);
  const actors7 = streams.filter((x) => x.day === 7 && x.per.cardLoads > 0);
  const t7 = dayStart(7);
  const actorLoads = (a: number, b: number) => actors7.reduce((sum, x) => sum + integrate(x.curve, a, b) * x.per.cardLoads, 0);
  const actorRate = (h: number) => peakRate(actors7, 'cardLoads', t7 + h * 3600, t7 + h * 3600);
  const c7 = TARGETS.card7;
  const pressCurve = cardDayCurve(7, {
    ...c7,
    firstHoursTotal: c7.firstHoursTotal - actorLoads(t7, t7 + c7.firstHours * 3600),
    firstPeak: c7.firstPeak - actorRate(c7.firstPeakHour),
    dayTotal: c7.dayTotal - actorLoads(t7, t7 + DAY),
    dayPeak: c7.dayPeak - actorRate(c7.dayPeakHour),
  });
  const presses7 = total(pressCurve) / upd7;
  add('impatient-retry', 7, pressCurve, P.slice(0, upd7), 0, presses7);
  browse(7, DIURNAL, TARGETS.opsOtherDays[7]!, new RangeSet([{ start: 0, n: d7start }]));

  // 8 Dec: the rest re-enroll, 1.2 M join, browsing to 233 M operations with a 14,000/s peak
  const spiky8 = withSpike(DIURNAL, 10, 1, TARGETS.opsPeak8 / (TARGETS.ops8 / DAY));
  add('join-cashback', 8, dayCurve(8, spiky8, JOIN_BY_DAY[8]!), J, join7);
  add('update-reenroll', 8, dayCurve(8, spiky8, P.n - upd7), P, upd7);
  // browsers on 8 Dec walk [0, X); X is solved so that the day's distinct citizens are 2.3 M
  const actors8 = [J.slice(join7, join7 + JOIN_BY_DAY[8]!), P.slice(upd7, P.n)];
  let lo = 0;
  let hi: number = COHORTS.preDecember;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (RangeSet.unionSize([...actors8, new RangeSet([{ start: 0, n: mid }])]) < TARGETS.activeUsers8) lo = mid;
    else hi = mid;
  }
  const browsers8 = hi;
  browse(8, spiky8, TARGETS.ops8, new RangeSet([{ start: 0, n: browsers8 }]));

  // 9-11 Dec: the rest join; browsing
  let joined = join7 + JOIN_BY_DAY[8]!;
  for (let d = 9; d <= 11; d++) {
    add('join-cashback', d, dayCurve(d, DIURNAL, JOIN_BY_DAY[d]!), J, joined);
    joined += JOIN_BY_DAY[d]!;
    browse(d, DIURNAL, TARGETS.opsOtherDays[d]!, new RangeSet([{ start: 0, n: 3_500 * K }]));
  }
  cached = { streams, sets: { A, B, C, P, J }, presses7, days: 11 };
  return cached;
}

/** Arrivals of a stream over [a, b] of launch time, scale 1. */
export function arrivalsBetween(s: StreamModel, a: number, b: number): number {
  return integrate(s.curve, a, b);
}

/** Peak of Σ requests (or card loads) per second over [a, b]. */
export function peakRate(streams: readonly StreamModel[], what: 'requests' | 'cardLoads', a: number, b: number): number {
  return peakOfSum(streams.map((s) => ({ c: s.curve, w: s.per[what] })), a, b).rate;
}

export { dayStart, DAY };
