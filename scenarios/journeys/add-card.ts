/**
 * F3, add a credit card in four steps: POST /v1/wallet/cc (temporary wallet), POST
 * /v1/payments/cc/actions/pay (verification payment), the 3DS checkout (GETs from
 * urlCheckout3ds + '&sessionToken=' until the flow reaches /wallet/loginMethod), then GET
 * /v2/wallet to confirm the new idWallet is listed.
 *
 * As the app: a 422 creditcard.already_exists is terminal ("La carta che stai inserendo è già
 * presente", no retry); any other failure shows "errore temporaneo ... riprova" and the citizen
 * retries by hand, resuming from the step that failed. A citizen with a typo first enters a
 * Luhn-invalid PAN, meets the 4xx, and corrects it.
 *
 * @example
 * const outcome = await addCreditCard(c, ctx, session, citizen, 0, holder, 'new');
 */
import type { Journey, JourneyClient } from '../../harness/scenario/types.ts';
import { type AppSession, type JourneyContext, data, openApp, pm, riprova, think } from './app-client.ts';
import { loadWallet } from './open-wallet.ts';

export type AddCardOutcome = 'added' | 'already_exists' | 'not_confirmed' | 'gave_up';
/** Why the card is being added: first time, after the update hid it, or a "riprova" press. */
export type AddCardReason = 'new' | 'readd' | 'retry' | 'preload';

const ADDED: Record<AddCardReason, string> = {
  new: 'cards_added',
  readd: 'card_readded',
  retry: 'card_added_on_retry',
  preload: 'preload_cards_added',
};
const EXISTS: Record<AddCardReason, string> = {
  new: 'card_422',
  readd: 'card_422_on_readd',
  retry: 'card_422_on_retry',
  preload: 'preload_card_422',
};

const MAX_3DS_HOPS = 8;

/** Turns an absolute checkout URL into an API-relative request (pm when under /pp-restapi-CD). */
export function checkoutRequest(url: string): { origin: 'pm' | 'io'; path: string } {
  // no URL global in k6: strip scheme and authority by hand
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  const hash = rest.indexOf('#');
  const path = (hash >= 0 ? rest.slice(0, hash) : rest) || '/';
  const pmBase = '/pp-restapi-CD';
  return path.startsWith(pmBase) ? { origin: 'pm', path: path.slice(pmBase.length) || '/' } : { origin: 'io', path };
}

/**
 * Step 3: the app's webview loads urlCheckout3ds + '&sessionToken=' and follows redirects
 * (checkout page → ACS) until it reaches /wallet/loginMethod, where it exits without loading it.
 * Relative redirects resolve against the API they came from.
 */
export async function checkout3ds(c: JourneyClient, s: AppSession, urlCheckout3ds: string): Promise<boolean> {
  let url = `${urlCheckout3ds}&sessionToken=${encodeURIComponent(s.pm)}`;
  for (let hop = 0; hop < MAX_3DS_HOPS; hop++) {
    if (url.includes('/wallet/loginMethod')) return !/[?&]outcome=(?!0\b)/.test(url);
    const { origin, path } = checkoutRequest(url);
    const r = await c.request({
      origin,
      method: 'GET',
      path,
      endpoint: hop === 0 ? 'GET 3ds checkout' : 'GET 3ds acs',
      expect: [200, 302, 303],
      timeoutMs: 16_000,
    });
    if (r.status >= 300 && r.status < 400 && r.location) {
      url = r.location;
      continue;
    }
    // a client that follows redirects itself (k6) lands on the final page
    return r.status === 200;
  }
  return false;
}

/** Adds credit card k of `citizen` on an open session; counts the outcome under `reason`. */
export async function addCreditCard(
  c: JourneyClient,
  ctx: JourneyContext,
  s: AppSession,
  citizen: number,
  k: number,
  holder: string,
  reason: AddCardReason,
): Promise<AddCardOutcome> {
  const card = ctx.population.creditCard(citizen, k, holder);
  const body = (pan: string): string =>
    JSON.stringify({
      data: {
        type: 'CREDIT_CARD',
        favourite: false,
        creditCard: {
          pan,
          holder: card.holder,
          expireMonth: card.expireMonth,
          expireYear: card.expireYear,
          securityCode: card.securityCode,
        },
      },
    });
  if (reason === 'new' && k === 0 && ctx.population.typoCard(citizen)) {
    const bad = await pm(c, s, {
      method: 'POST',
      path: '/v1/wallet/cc',
      endpoint: 'POST /v1/wallet/cc',
      body: body(ctx.population.mistypedPan(citizen, k)),
      expect: [400, 422],
    });
    c.count('card_typo');
    c.check('mistyped PAN rejected', bad.status >= 400 && bad.status < 500);
    await c.sleep(think(ctx, 4_000));
  }
  const patience = reason === 'preload' ? 8 : ctx.population.patience(citizen);
  // step 1: temporary wallet
  let idWallet: unknown;
  for (let attempt = 1; idWallet === undefined; attempt++) {
    const r = await pm(c, s, { method: 'POST', path: '/v1/wallet/cc', endpoint: 'POST /v1/wallet/cc', body: body(card.pan), expect: [200, 201, 422] });
    if (r.status === 422) {
      c.count(EXISTS[reason]);
      return 'already_exists';
    }
    idWallet = r.status === 200 || r.status === 201 ? data(r)?.idWallet : undefined;
    if (idWallet === undefined) {
      c.count('card_step1_failed');
      if (!(await riprova(c, ctx, citizen, attempt, patience))) return 'gave_up';
    }
  }
  // step 2: verification payment
  let checkoutUrl: string | undefined;
  for (let attempt = 1; checkoutUrl === undefined; attempt++) {
    const r = await pm(c, s, {
      method: 'POST',
      path: '/v1/payments/cc/actions/pay',
      endpoint: 'POST /v1/payments/cc/actions/pay',
      body: JSON.stringify({ data: { idWallet, tipo: 'web', cvv: card.securityCode } }),
    });
    const u = data(r)?.urlCheckout3ds;
    checkoutUrl = typeof u === 'string' ? u : undefined;
    if (checkoutUrl === undefined) {
      c.count('card_step2_failed');
      if (!(await riprova(c, ctx, citizen, attempt, patience))) return 'gave_up';
    }
  }
  // step 3: 3DS (the citizen types the OTP)
  await c.sleep(think(ctx, 5_000));
  const done = await checkout3ds(c, s, checkoutUrl);
  c.check('3ds completed', done);
  // step 4: confirm in the wallet list
  const items = await loadWallet(c, ctx, s, citizen);
  const listed = items?.some((w) => w.idWallet === Number(idWallet)) ?? false;
  c.check('added card listed', listed);
  if (!listed) {
    c.count('card_not_confirmed');
    return 'not_confirmed';
  }
  c.count(ADDED[reason]);
  return 'added';
}

/**
 * The impatient presses: `presses` more submissions of cards already sent (cycling over the
 * citizen's n cards), each after a short wait. 422 when the server kept the card.
 */
export async function pressAgain(
  c: JourneyClient,
  ctx: JourneyContext,
  s: AppSession,
  citizen: number,
  holder: string,
  n: number,
): Promise<void> {
  const presses = ctx.pressesMean ? ctx.population.presses(citizen, ctx.pressesMean) : 0;
  for (let p = 0; p < presses; p++) {
    await c.sleep(think(ctx, 8_000));
    await addCreditCard(c, ctx, s, citizen, p % Math.max(1, n), holder, 'retry');
  }
}

export interface AddCardParams extends JourneyContext {
  /** Add only the first card instead of all the citizen's cards. */
  firstCardOnly?: boolean;
  /** Outcome label (default 'new'); 'preload' seeds wallets that existed before a cut window. */
  reason?: AddCardReason;
  /** Think time before each card, ms before --speed (default 20 s: typing the card). */
  typingMs?: number;
}

export const addCard: Journey<AddCardParams> = {
  name: 'add-card',
  async run(c, arrival, ctx) {
    const i = arrival.citizen;
    const id = ctx.population.identity(i);
    const s = await openApp(c, ctx, id.fiscalCode);
    if (!s) return;
    const holder = `${id.name} ${id.familyName}`;
    const n = ctx.firstCardOnly ? 1 : ctx.population.creditCards(i);
    for (let k = 0; k < n; k++) {
      await c.sleep(think(ctx, ctx.typingMs ?? 20_000));
      await addCreditCard(c, ctx, s, i, k, holder, ctx.reason ?? 'new');
    }
  },
};
