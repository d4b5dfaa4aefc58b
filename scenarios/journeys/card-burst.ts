/**
 * card-peak's journeys, built for the engine's hot path: `warm-up` logs a citizen in once
 * (login, session, /info, PM start-session) and keeps the session and the JSON-escaped holder
 * name in a bounded cache; `card-burst` then sends one POST /v1/wallet/cc per arrival with a
 * card never used before (card owner × card index), rendering the body with one template string
 * and no faker call. With `fullFlow`, the rest of the four steps follows (no think time).
 *
 * @example
 * const state = new CardPeakState(50_000);
 * stream({ journey: warmUp, params: { ...ctx, state } }); stream({ journey: cardBurst, params: { ...ctx, state } });
 */
import type { Journey } from '../../harness/scenario/types.ts';
import { CARDS_PER_CITIZEN_MAX, cardNumber } from '../identity/card-number.ts';
import { type AppSession, type JourneyContext, data, openApp, pm } from './app-client.ts';
import { addCreditCard } from './add-card.ts';
import { SessionCache } from './session-cache.ts';

/** New cards each card owner can add from `cardOffset` on, within the PAN space (16 per owner). */
export function cardsPerOwner(cardOffset: number): number {
  return CARDS_PER_CITIZEN_MAX - cardOffset - 1;
}

/** A logged-in citizen: the app session and the JSON-escaped holder name for the card body. */
type LoggedIn = { s: AppSession; holder: string };

export class CardPeakState {
  readonly sessions: SessionCache;
  private readonly holders: string[];
  /** Logins in progress: a citizen's later arrivals wait for it rather than log in again. */
  readonly loggingIn = new Map<number, Promise<LoggedIn | undefined>>();

  constructor(readonly capacity: number) {
    this.sessions = new SessionCache(capacity);
    this.holders = new Array<string>(capacity).fill('');
  }

  holderJson(citizen: number): string | undefined {
    return this.sessions.get(citizen) ? this.holders[citizen % this.capacity] : undefined;
  }

  put(citizen: number, s: AppSession, holder: string): void {
    this.sessions.put(citizen, s);
    this.holders[citizen % this.capacity] = JSON.stringify(holder);
  }
}

export interface CardPeakParams extends JourneyContext {
  state: CardPeakState;
  /** First citizen index (card-peak uses citizens outside the launch population). */
  citizenBase: number;
  /** Citizens in rotation: arrival k is citizen base + k mod citizens, card index from k div citizens. */
  citizens: number;
  /** Card indexes start here (the launch uses 0-2). */
  cardOffset: number;
  /**
   * Step 1 only: arrival k's card is card owner (base + k div 12)'s card (offset + k mod 12), a
   * PAN identity independent of the citizen who sends it, so a few citizens can send any number
   * of cards. Undefined: the sending citizen's own card (offset + k div citizens).
   */
  cardOwnerBase?: number;
  fullFlow: boolean;
}

async function session(c: Parameters<Journey['run']>[0], p: CardPeakParams, citizen: number): Promise<LoggedIn | undefined> {
  const s = p.state.sessions.get(citizen);
  const h = p.state.holderJson(citizen);
  if (s && h) return { s, holder: h };
  // one phone, one login: an arrival for a citizen whose login is still running waits for it (the
  // wait counts in its card's latency, which runs from the arrival's intended start)
  const pending = p.state.loggingIn.get(citizen);
  if (pending !== undefined) return pending;
  const login = (async () => {
    const id = p.population.identity(citizen);
    const fresh = await openApp(c, p, id.fiscalCode);
    if (!fresh) return undefined;
    p.state.put(citizen, fresh, `${id.name} ${id.familyName}`);
    return { s: fresh, holder: JSON.stringify(`${id.name} ${id.familyName}`) };
  })();
  p.state.loggingIn.set(citizen, login);
  try {
    return await login;
  } finally {
    p.state.loggingIn.delete(citizen);
  }
}

export const warmUp: Journey<CardPeakParams> = {
  name: 'warm-up',
  async run(c, arrival, p) {
    const ok = await session(c, p, arrival.citizen);
    c.check('warm-up login', ok !== undefined);
  },
};

export const cardBurst: Journey<CardPeakParams> = {
  name: 'card-burst',
  async run(c, arrival, p) {
    const citizen = arrival.citizen;
    const k = p.cardOffset + Math.floor(arrival.index / p.citizens);
    const got = await session(c, p, citizen);
    if (!got) return;
    if (p.fullFlow) {
      const holder = JSON.parse(got.holder) as string;
      await addCreditCard(c, p, got.s, citizen, k, holder, 'new');
      return;
    }
    const perOwner = cardsPerOwner(p.cardOffset);
    const owner = p.cardOwnerBase === undefined ? citizen : p.cardOwnerBase + Math.floor(arrival.index / perOwner);
    const index = p.cardOwnerBase === undefined ? k : p.cardOffset + (arrival.index % perOwner);
    const pan = cardNumber(owner, index, p.population.seed);
    const h = (owner * 31 + index * 7) >>> 0;
    const mm = h % 12 < 9 ? `0${1 + (h % 12)}` : `${1 + (h % 12)}`;
    const body = `{"data":{"type":"CREDIT_CARD","favourite":false,"creditCard":{"pan":"${pan}","holder":${got.holder},"expireMonth":"${mm}","expireYear":"${28 + (h % 4)}","securityCode":"${100 + (h % 900)}"}}}`;
    const r = await pm(c, got.s, { method: 'POST', path: '/v1/wallet/cc', endpoint: 'POST /v1/wallet/cc', body, expect: [200, 201] });
    const ok = (r.status === 200 || r.status === 201) && data(r)?.idWallet !== undefined;
    c.count(ok ? 'wallet_cc_created' : r.status === 422 ? 'card_422' : 'wallet_cc_failed');
  },
};
