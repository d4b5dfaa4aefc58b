/**
 * Deliberately broken variants of the reference server, each one Hono middleware in front of
 * the real createApp that changes one behaviour a vendor could get wrong. `picco verify` must
 * reject every one of them, for the named reason listed next to it.
 */
import type { MiddlewareHandler } from 'hono';
import { AWARD_PERIODS } from '../../reference-server/src/cashback/award-periods.ts';

const PM = '/pp-restapi-CD';
const path = (url: string) => new URL(url).pathname;

export interface Mutant {
  name: string;
  middleware: MiddlewareHandler;
  /** The check that must fail, and what its reason must say. */
  caughtBy: string;
  reason: RegExp;
}

/** Accepts a duplicate card: the 422 becomes a 201 with a second wallet. */
const acceptsDuplicateCard: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.req.method === 'POST' && path(c.req.url) === `${PM}/v1/wallet/cc` && c.res.status === 422) {
    c.res = Response.json({ data: { idWallet: 990_001, type: 'CREDIT_CARD', favourite: false, creditCard: { id: 990_001, pan: '************0000', brand: 'VISA', brandLogo: '', expireMonth: '12', expireYear: '30', holder: 'x', flag3dsVerified: false }, saved: false } }, { status: 201 });
  }
};

/** Lets a second citizen enable an HPAN active for someone else: the 409 becomes a 200. */
const secondCitizenEnablesOwnedHpan: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.req.method === 'PUT' && path(c.req.url).startsWith('/bpd/io/payment-instruments/') && c.res.status === 409) {
    c.res = Response.json({ activationDate: new Date().toISOString() }, { status: 200 });
  }
};

/** Answers 500 where an invalid IBAN should be a 400. */
const iban500: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.req.method === 'PATCH' && path(c.req.url) === '/bpd/io/citizen' && c.res.status === 400) {
    c.res = Response.json({ code: 'internal.error', message: 'internal error' }, { status: 500 });
  }
};

/** Echoes the full PAN in the card step-1 response. */
const echoesPan: MiddlewareHandler = async (c, next) => {
  let pan: string | undefined;
  if (c.req.method === 'POST' && path(c.req.url) === `${PM}/v1/wallet/cc`) {
    const body = (await c.req.raw.clone().json().catch(() => undefined)) as { data?: { creditCard?: { pan?: string } } } | undefined;
    pan = body?.data?.creditCard?.pan;
  }
  await next();
  if (pan !== undefined && c.res.status < 300) {
    const json = (await c.res.clone().json()) as { data: { creditCard: { pan: string } } };
    json.data.creditCard.pan = pan;
    c.res = Response.json(json, { status: c.res.status });
  }
};

/** Forgets authentication on one route: GET /bpd/io/award-periods answers anyone. */
const noAuthOnAwardPeriods: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'GET' && path(c.req.url) === '/bpd/io/award-periods') {
    const auth = c.req.header('authorization') ?? '';
    if (!/^Bearer [0-9a-f]{40,}$/.test(auth)) return c.json(AWARD_PERIODS.map((p) => ({ ...p, status: 'ACTIVE' })), 200);
  }
  await next();
};

/** Ignores the Idempotency-Key header (drops it before the backend sees it). */
export const ignoresIdempotencyKey: MiddlewareHandler = async (c, next) => {
  if (c.req.header('idempotency-key') === undefined) return next();
  const headers = new Headers(c.req.raw.headers);
  headers.delete('idempotency-key');
  const init: RequestInit & { duplex?: 'half' } = { method: c.req.method, headers };
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    init.body = await c.req.raw.arrayBuffer();
    init.duplex = 'half';
  }
  c.req.raw = new Request(c.req.url, init);
  await next();
};

/** Slows down under load: GET /info waits 2.5 s more. */
export const slowUnderLoad: MiddlewareHandler = async (c, next) => {
  if (c.req.method === 'GET' && path(c.req.url) === '/info') await new Promise((r) => setTimeout(r, 2500));
  await next();
};

export const BEHAVIOUR_MUTANTS: readonly Mutant[] = [
  { name: 'accepts a duplicate card', middleware: acceptsDuplicateCard, caughtBy: 'duplicate-card-422', reason: /second POST \/v1\/wallet\/cc of the same card answered 201, expected 422 creditcard\.already_exists/ },
  { name: 'lets a second citizen enable an owned hpan', middleware: secondCitizenEnablesOwnedHpan, caughtBy: 'hpan-owned-409', reason: /by a second citizen while it is active for the first answered 200, expected 409/ },
  { name: 'returns 500 on an invalid IBAN', middleware: iban500, caughtBy: 'iban-outcomes', reason: /invalid IBAN \(mod-97 fails\) answered 500 internal\.error, expected 400/ },
  { name: 'echoes the PAN', middleware: echoesPan, caughtBy: 'pan-never-echoed', reason: /full PAN came back in POST \/pp-restapi-CD\/v1\/wallet\/cc/ },
  { name: 'ignores auth on one route', middleware: noAuthOnAwardPeriods, caughtBy: 'auth-required', reason: /GET \/bpd\/io\/award-periods answered 200 without a token/ },
];
