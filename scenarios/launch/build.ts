/**
 * Turns the launch model into an engine plan for a window of launch time at a scale and speed:
 * streams (ramping-arrival-rate stages cut from each curve), the citizen each arrival is, a
 * preload of the wallets that existed before the window, and the figures the run should
 * produce (`expected`) next to the launch's calibration figures.
 *
 * Citizen identity survives any cut: arrival k of a stream in the window is the citizen at
 * position (arrivals of the stream before the window) + k, exactly as in the uncut run.
 *
 * @example
 * buildLaunch({ scale: 0.01, speed: 60, seed: 1 }, { from: 6 * 86_400, length: 86_400, name: 'update-reenroll' })
 */
import type { Journey, ScenarioOptions, ScenarioPlan, Stream } from '../../harness/scenario/types.ts';
import { addCard } from '../journeys/add-card.ts';
import { checkCashbackJourney } from '../journeys/check-cashback.ts';
import { impatientRetry } from '../journeys/impatient-retry.ts';
import { joinCashback } from '../journeys/join-cashback.ts';
import { mandatoryUpdate } from '../journeys/mandatory-update.ts';
import { onboarding } from '../journeys/onboarding.ts';
import { openWallet } from '../journeys/open-wallet.ts';
import { releaseUpdate } from '../journeys/release-update.ts';
import { SessionCache } from '../journeys/session-cache.ts';
import { contextFor, validateOptions } from '../plan-kit.ts';
import { APP_VERSION, COHORTS, SHARES, type Population } from '../population.ts';
import { integrate, rateAt, toExecutor } from './curve.ts';
import { launchFigures } from './figures.ts';
import { DAY, MEAN_CARDS, PB_CARDS_PER_SEARCH, PB_ENABLEABLE, PRESS_BLOCK, type StreamModel, dayStart, launchModel } from './model.ts';
import { RangeSet, intersect, scaleSet } from './range-set.ts';
import { ScenarioOptionError } from '../../harness/scenario/option-error.ts';

export interface LaunchWindow {
  name: string;
  /** Window start, seconds of launch time since 1 Dec 2020 00:00. */
  from: number;
  /** Window length in launch seconds (default: to the end of 11 Dec). */
  length?: number;
}

const LAUNCH_END = 11 * DAY;
const arrivalsUpTo = (x: number): number => Math.ceil(x - 1e-9);

/**
 * Seconds the preload takes for n citizens: 40 citizens/s (≈ 450 requests/s, gentle enough for
 * the embedded server next to the generator on two cores), between 5 s and 30 min.
 */
export function preloadSeconds(n: number, setupRate?: number): number {
  // a target of limited capacity (--architecture 2020) is preloaded no faster than it absorbs
  const rate = setupRate !== undefined ? Math.min(40, setupRate) : 40;
  return Math.min(1_800, Math.max(5, n / rate));
}

function journeyFor(s: StreamModel, ctx: ReturnType<typeof contextFor>): { journey: Journey<never>; params: unknown } {
  switch (s.kind) {
    case 'onboarding':
      return { journey: onboarding as Journey<never>, params: ctx };
    case 'add-card':
      return { journey: addCard as Journey<never>, params: ctx };
    case 'join-cashback':
      return { journey: joinCashback as Journey<never>, params: ctx };
    case 'update-reenroll':
      return { journey: mandatoryUpdate as Journey<never>, params: { ...ctx, hidesPreUpdateCards: true, enroll: true } };
    case 'impatient-retry':
      return { journey: impatientRetry as Journey<never>, params: { ...ctx, sessions: new SessionCache(2 * PRESS_BLOCK) } };
    case 'browse-wallet':
      return { journey: openWallet as Journey<never>, params: ctx };
    case 'browse-cashback':
      return { journey: checkCashbackJourney as Journey<never>, params: ctx };
  }
}

/** Below this many arrivals in a stream, outcomes are summed over the actual citizens. */
const EXACT_UP_TO = 50_000;

/**
 * Outcomes summed over the citizens the window's arrivals actually are (their card counts and
 * typos), so a small run can be compared one to one; PagoBancomat stays analytic (the target's
 * processors decide how many cards a citizen has).
 */
function exactOutcomes(x: StreamModel, pop: Population, n: number, citizenOf: (k: number) => number): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (k: string, v: number) => {
    out[k] = (out[k] ?? 0) + v;
  };
  const pb = PB_CARDS_PER_SEARCH;
  for (let k = 0; k < n; k++) {
    const i = citizenOf(k);
    const cards = pop.creditCards(i);
    const typo = pop.typoCard(i) ? 1 : 0;
    switch (x.kind) {
      case 'onboarding':
        add('onboarded', 1);
        break;
      case 'add-card':
        add('cards_added', cards);
        add('card_typo', typo);
        break;
      case 'join-cashback': {
        const found = pop.hasPagoBancomat(i) ? pb : 0;
        add('cards_added', cards);
        add('card_typo', typo);
        add('pagobancomat_added', found);
        add('enrollments', 1);
        add('iban_typo', pop.typoIban(i) ? 1 : 0);
        add('instruments_enabled', cards + found * PB_ENABLEABLE);
        break;
      }
      case 'update-reenroll':
        add(pop.appVersionBefore(i) === APP_VERSION.before ? 'update_forced' : 'update_voluntary', 1);
        add('card_422_on_readd', cards);
        add('enrollments', 1);
        add('iban_typo', pop.typoIban(i) ? 1 : 0);
        add('instruments_enabled', cards);
        break;
      case 'impatient-retry':
        add('card_422_on_retry', 1);
        break;
      case 'browse-wallet':
      case 'browse-cashback':
        for (const [key, v] of Object.entries(x.per.outcomes)) add(key, v);
        break;
    }
  }
  return out;
}

/** Maps press index g to a citizen: blocks of W citizens, each pressed `r` times, W arrivals apart. */
export function pressCitizen(set: RangeSet, r: number, g: number): number {
  const w = Math.max(1, Math.min(PRESS_BLOCK, set.n));
  const block = Math.floor(g / (w * r));
  return set.at(block * w + (g % w));
}

export function buildLaunch(o: ScenarioOptions, win: LaunchWindow): ScenarioPlan {
  validateOptions(o);
  const from = Math.max(0, Math.min(win.from, LAUNCH_END));
  let length = Math.min(Math.max(0, win.length ?? LAUNCH_END - from), LAUNCH_END - from);
  if (o.durationS === undefined) return planWindow(o, win.name, from, length, undefined);
  // --duration is run time and the engine stops arrivals there: the preload comes out of it
  length = Math.min(length, o.durationS * o.speed);
  const first = planWindow(o, win.name, from, length, undefined);
  const shift = first.streams[0]?.name === 'preload-wallets' ? preloadSeconds(first.expected.preload_citizens ?? 0, o.setupRate) : 0;
  if (shift === 0) return first;
  if (o.durationS <= shift) {
    throw new ScenarioOptionError(`--duration ${o.durationS}s leaves nothing of the window: its preload (re-creating the ${first.expected.preload_citizens} wallets citizens had before it) takes ${Math.ceil(shift)} s of run time; give --duration over ${Math.ceil(shift)}s, or a smaller --scale`);
  }
  const rest = Math.max(0, o.durationS - shift) * o.speed;
  return planWindow(o, win.name, from, Math.min(length, rest), shift);
}

function planWindow(o: ScenarioOptions, name: string, from: number, length: number, fixedShift: number | undefined): ScenarioPlan {
  const m = launchModel();
  const ctx = contextFor(o);
  const s = o.scale;
  const to = from + length;

  // wallets that existed before the window, for citizens who re-add (or press on) them inside it
  const { A, B, C, P } = m.sets;
  const before = (kind: string, days: number[]) =>
    m.streams.filter((x) => x.kind === kind && days.includes(x.day)).reduce((acc, x) => acc + integrate(x.curve, dayStart(x.day), from), 0);
  const Bs = scaleSet(B, s);
  const Cs = scaleSet(C, s);
  const predated = new RangeSet([
    ...scaleSet(A, s).ranges,
    ...Bs.slice(0, Math.min(Bs.n, arrivalsUpTo(before('add-card', [1, 2, 3, 4, 5]) * s))).ranges,
    ...Cs.slice(0, Math.min(Cs.n, arrivalsUpTo(before('add-card', [6]) * s))).ranges,
  ]);
  const Ps = scaleSet(P, s);
  const needed: RangeSet[] = [];

  const streams: Stream[] = [];
  const loops: ClosedLoopInput[] = [];
  const expected: Record<string, number> = {};
  const bump = (k: string, v: number) => {
    expected[k] = (expected[k] ?? 0) + v;
  };
  let peakRequests = 0;
  for (const x of m.streams) {
    const exe = toExecutor(x.curve, { scale: s, speed: o.speed, from, length });
    if (!exe) continue;
    const start = Math.max(from, dayStart(x.day));
    const prior = arrivalsUpTo(integrate(x.curve, dayStart(x.day), start) * s);
    const inWindow = arrivalsUpTo(integrate(x.curve, dayStart(x.day), to) * s) - prior;
    if (inWindow <= 0) continue;
    const set = scaleSet(x.citizens, s);
    const base = Math.round(x.firstPosition * s) + prior;
    const citizenOf =
      x.kind === 'impatient-retry'
        ? (k: number) => pressCitizen(set, x.pressesMean, prior + k)
        : (k: number) => set.at(base + k);
    if (x.kind === 'update-reenroll') needed.push(Ps.slice(Math.min(base, Ps.n), Math.min(base + inWindow, Ps.n)));
    if (x.kind === 'impatient-retry') needed.push(set);
    const { journey, params } = journeyFor(x, ctx);
    streams.push({ name: x.name, journey, params, executor: exe.executor, startS: exe.startS, citizenOf });
    loops.push({ stream: x.name, kind: x.kind, arrivals: inWindow, requests: x.per.requests });
    bump('arrivals', inWindow);
    bump('requests', inWindow * x.per.requests);
    bump('card_loading_requests', inWindow * x.per.cardLoads);
    if (o.streamsOnly === true) continue; // what follows is predictions, read by reports only
    const exact = inWindow <= EXACT_UP_TO ? exactOutcomes(x, ctx.population, inWindow, citizenOf) : undefined;
    for (const [k, v] of Object.entries(exact ?? x.per.outcomes)) bump(k, exact ? v : inWindow * v);
  }
  // peak intended requests/s of the run (compressed time)
  if (o.streamsOnly !== true) {
    const times = new Set<number>();
    for (const x of m.streams) for (const [t] of x.curve) if (t >= from && t <= to) times.add(t);
    for (const t of times) {
      let r = 0;
      for (const x of m.streams) r += rateAt(x.curve, t) * x.per.requests;
      peakRequests = Math.max(peakRequests, r * s * o.speed);
    }
  }

  // preload (setup, before the window's streams)
  const preloadSet = new RangeSet(
    needed
      .flatMap((n) => intersect(n, predated).ranges)
      .sort((a, b) => a.start - b.start)
      .reduce<{ start: number; n: number }[]>((acc, r) => {
        const last = acc[acc.length - 1];
        if (last && r.start <= last.start + last.n) last.n = Math.max(last.n, r.start + r.n - last.start);
        else acc.push({ ...r });
        return acc;
      }, []),
  );
  let shift = 0;
  if (preloadSet.n > 0) {
    shift = fixedShift ?? preloadSeconds(preloadSet.n, o.setupRate);
    streams.unshift({
      name: 'preload-wallets',
      journey: addCard as Journey<never>,
      params: { ...ctx, reason: 'preload', typingMs: 0 },
      executor: { type: 'constant-arrival-rate', rate: preloadSet.n / shift, durationS: shift },
      citizenOf: (k) => preloadSet.at(k),
    });
    for (const st of streams.slice(1)) st.startS = (st.startS ?? 0) + shift;
    expected.preload_citizens = preloadSet.n;
    if (o.streamsOnly !== true) {
      // one look per preloaded citizen: grows with --scale, so a k6 VU (streamsOnly) skips it
      let cards = 0;
      for (const r of preloadSet.ranges) for (let i = r.start; i < r.start + r.n; i++) cards += ctx.population.creditCards(i);
      expected.preload_cards_added = cards;
    }
  }
  // the mandatory update is released at 7 Dec 00:00 (or at the window's start, if later)
  const release = 6 * DAY;
  if (to > release && m.streams.some((x) => x.kind === 'update-reenroll' && x.day >= 7)) {
    const at = Math.max(0, release - from) / o.speed;
    // released at the window's start: during the preload's last half second, before any updater
    const startS = at > 0 ? shift + at : Math.max(0, shift - 0.5);
    streams.push({
      name: 'release-update',
      journey: releaseUpdate as Journey<never>,
      params: ctx,
      executor: { type: 'constant-arrival-rate', rate: 1, durationS: 1 },
      startS,
    });
    expected.update_released = 1;
  }
  expected.peak_requests_per_s = peakRequests;
  if (o.streamsOnly !== true) for (const [k, v] of Object.entries(launchFigures(m, s, COHORTS.preDecember))) expected[`launch.${k}`] = v;
  for (const k of Object.keys(expected)) expected[k] = Math.round(expected[k]! * 100) / 100;

  const durationS = shift + length / o.speed;
  const loopPlan = closedLoop(loops, expected.requests ?? 0, length / o.speed);
  expected.closed_vus_for_average_throughput = loopPlan.vus;
  const notes: string[] = [];
  if (o.closedVus !== undefined) {
    closeStreams(streams, loopPlan, o.closedVus, shift, durationS - shift);
    notes.push(`Closed loop: ${o.closedVus} VUs loop the journeys back to back, think times at speed 1, no hand retries, no "riprova" presses.`);
  }
  return {
    scenario: name,
    durationS,
    streams,
    expected,
    notes: [
      `Launch time ${fmt(from)} → ${fmt(to)} (${(length / 3600).toFixed(2)} h), scale ${s}, speed ${o.speed}: ${streams.length} streams.`,
      preloadSet.n > 0
        ? `Preload: ${preloadSet.n} citizens re-create the wallets they had before the window (${shift.toFixed(0)} s, stream 'preload-wallets').`
        : 'No preload: every wallet the window needs is created inside it.',
      'expected.* are healthy-path predictions for this window; expected.launch.* are the launch figures at this scale (calibration.json).',
      'The 7 Dec riprova presses replay the observed demand: against a healthy server each meets 422 creditcard.already_exists.',
      `--closed ${loopPlan.vus} gives this window's average throughput (${loopPlan.requestsPerS.toFixed(1)} requests/s) as a closed loop (Little's law: VUs = throughput x (think + ${RESPONSE_S * 1000} ms) per request).`,
      ...notes,
    ],
  };
}

/** "7 Dec 18:30" from launch seconds. */
export function fmt(t: number): string {
  const d = Math.floor(t / DAY);
  const rest = t - d * DAY;
  const hh = String(Math.floor(rest / 3600)).padStart(2, '0');
  const mm = String(Math.floor((rest % 3600) / 60)).padStart(2, '0');
  return `${d + 1} Dec ${hh}:${mm}`;
}

// ---------------------------------------------------------------------------------------------
// --closed VUS: the launch as a 2020 load test would have scripted it

interface ClosedLoopInput {
  stream: string;
  kind: StreamModel['kind'];
  arrivals: number;
  requests: number;
}

/** Think time of one journey at speed 1 (s), summed from the journeys' own think times. */
function thinkSeconds(kind: StreamModel['kind']): number {
  const enroll = 6 + 8 + 3;
  switch (kind) {
    case 'onboarding': return 0;
    case 'add-card': return MEAN_CARDS * (20 + 5);
    case 'join-cashback': return MEAN_CARDS * (20 + 5) + 3 + 3 + enroll;
    case 'update-reenroll': return 30 + MEAN_CARDS * (15 + 5) + 3 + enroll;
    case 'impatient-retry': return 8;
    case 'browse-wallet': return 1.5;
    case 'browse-cashback': return 2;
  }
}

/** ASSUMPTION: a healthy response, for Little's law (the reference server answers in a few ms). */
const RESPONSE_S = 0.02;

interface LoopPlan {
  vus: number;
  requestsPerS: number;
  /** VUs per stream for a total of `vus`. */
  share: Map<string, number>;
}

/**
 * The VUs a closed loop needs to send the open run's average request rate with the same mix
 * of journeys, minus the presses (a test script did not press "riprova"): per journey,
 * iterations/s x (think + requests x RESPONSE_S) (Little's law).
 */
function closedLoop(loops: readonly ClosedLoopInput[], requests: number, runS: number): LoopPlan {
  const scripted = loops.filter((l) => l.kind !== 'impatient-retry');
  const rate = runS > 0 ? requests / runS : 0;
  const perMix = scripted.reduce((a, l) => a + l.arrivals * l.requests, 0);
  const share = new Map<string, number>();
  if (perMix <= 0 || rate <= 0) return { vus: 0, requestsPerS: rate, share };
  let vus = 0;
  for (const l of scripted) {
    const iterationsPerS = (rate * l.arrivals) / perMix;
    const v = iterationsPerS * (thinkSeconds(l.kind) + l.requests * RESPONSE_S);
    share.set(l.stream, v);
    vus += v;
  }
  for (const [k, v] of share) share.set(k, v / vus);
  return { vus: Math.max(1, Math.ceil(vus)), requestsPerS: rate, share };
}

/** Replaces the window's arrival streams by closed loops of `vus` users in the plan's mix. */
function closeStreams(streams: Stream[], plan: LoopPlan, vus: number, startS: number, durationS: number): void {
  const keep: Stream[] = [];
  const shares = [...plan.share.entries()];
  let left = vus;
  for (const st of streams) {
    const share = plan.share.get(st.name);
    if (st.name === 'preload-wallets' || st.name === 'release-update') {
      keep.push(st);
      continue;
    }
    if (share === undefined) continue; // the presses
    const last = shares[shares.length - 1]?.[0] === st.name;
    const n = last ? left : Math.min(left, Math.max(1, Math.round(vus * share)));
    left -= n;
    if (n <= 0) continue;
    keep.push({ ...st, executor: { type: 'constant-vus', vus: n, durationS }, startS });
  }
  streams.splice(0, streams.length, ...keep);
}
