/**
 * Credit card step 1, POST /pp-restapi-CD/v1/wallet/cc: validate the card (pattern, Luhn,
 * expiry), reduce the PAN to hpan + masked PAN + last four, and create the temporary wallet.
 * 422 creditcard.already_exists when the citizen already has this card verified (the app showed
 * "La carta che stai inserendo è già presente" and did not retry). The write is durable before
 * the 200 leaves (SQLite: the group commit's WAL fsync; PostgreSQL: synchronous_commit=on).
 *
 * @example
 * POST /pp-restapi-CD/v1/wallet/cc {"data":{"type":"CREDIT_CARD","creditCard":{"pan":"4242…","holder":"Mario Rossi",
 *   "expireMonth":"12","expireYear":"30","securityCode":"123"}}} → 200 {"data":{"idWallet":1,…}}
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { MAX_ID, readJson } from '../validation.ts';
import { cardBrand, hashPan, isExpired, luhnValid, maskPan } from './card-number.ts';
import { walletV1 } from './wallet-view.ts';
import { isRateLimitStore } from '../idempotency/store.ts';
import type { AppEnv } from '../context.ts';

const PAN = /^[0-9]{15,19}$/;
const MONTH = /^(0[1-9]|1[0-2])$/;
const YEAR = /^[0-9]{2}$/;
const CVV = /^[0-9]{3,4}$/;

export const creditCardSchema = z.object({
  pan: z.string().regex(PAN, 'must be 15 to 19 digits'),
  holder: z.string().trim().min(1, 'must not be empty').max(128),
  expireMonth: z.string().regex(MONTH, 'must be MM (01-12)'),
  expireYear: z.string().regex(YEAR, 'must be YY'),
  securityCode: z.string().regex(CVV, 'must be 3 or 4 digits').optional(),
}).loose();

export const walletRequestSchema = z.object({
  data: z.object({
    type: z.literal('CREDIT_CARD'),
    favourite: z.boolean().optional(),
    idPsp: z.number().int().nonnegative().max(MAX_ID).optional(),
    creditCard: creditCardSchema,
  }).loose(),
}).loose();

type WalletRequest = z.infer<typeof walletRequestSchema>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * walletRequestSchema by hand, for the plainly valid body (zod's parse was ~5 % of a card
 * addition): the same rules; anything it does not accept goes to zod, which names the problems.
 */
export function plainlyValidCard(raw: unknown): WalletRequest | undefined {
  if (!isObject(raw) || !isObject(raw['data'])) return undefined;
  const data = raw['data'];
  const card = data['creditCard'];
  if (data['type'] !== 'CREDIT_CARD' || data['idPsp'] !== undefined || (data['favourite'] !== undefined && typeof data['favourite'] !== 'boolean') || !isObject(card)) return undefined;
  const { pan, holder, expireMonth, expireYear, securityCode } = card;
  if (typeof pan !== 'string' || !PAN.test(pan) || typeof holder !== 'string' || typeof expireMonth !== 'string' || !MONTH.test(expireMonth)
    || typeof expireYear !== 'string' || !YEAR.test(expireYear)
    || (securityCode !== undefined && (typeof securityCode !== 'string' || !CVV.test(securityCode)))) return undefined;
  const trimmed = holder.trim();
  if (trimmed.length < 1 || trimmed.length > 128) return undefined;
  return { data: { ...data, type: 'CREDIT_CARD', creditCard: { ...card, pan, holder: trimmed, expireMonth, expireYear, securityCode } } } as WalletRequest;
}

export async function addCreditCard(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  let body: z.infer<typeof walletRequestSchema>;
  try {
    body = await readJson(c, walletRequestSchema, plainlyValidCard);
  } catch (err) {
    ctx.metrics.cardsAdded.add('invalid');
    throw err;
  }
  const card = body.data.creditCard;
  const now = ctx.clock.now();
  const problem = !luhnValid(card.pan) ? 'data.creditCard.pan: fails the Luhn check'
    : isExpired(card.expireMonth, card.expireYear, now) ? 'data.creditCard: the card has expired' : undefined;
  if (problem !== undefined) {
    ctx.metrics.cardsAdded.add('invalid');
    throw new ApiError('creditcard.invalid', problem);
  }
  const newCard = {
    fiscalCode: c.get('fiscalCode'), hpan: hashPan(card.pan, ctx.config.salt), maskedPan: maskPan(card.pan),
    lastFour: card.pan.slice(-4), brand: cardBrand(card.pan), holder: card.holder, expireMonth: card.expireMonth,
    expireYear: card.expireYear, favourite: body.data.favourite ?? false,
  };
  // The per-token write hit, when the rate limit left it to this write (rate-limit.ts).
  const hit = c.get('writeHit');
  const result = hit !== undefined && isRateLimitStore(ctx.storage)
    ? await ctx.storage.addCardCounted(newCard, now, hit)
    : await ctx.storage.addCard(newCard, now);
  if (hit !== undefined) hit.outcome = result.kind === 'rate_limited' ? 'over' : 'within';
  if (result.kind === 'rate_limited') throw new ApiError('request.rate_limited');
  ctx.metrics.cardsAdded.add(result.kind);
  if (result.kind === 'already_exists') throw new ApiError('creditcard.already_exists');
  return c.json({ data: walletV1(result.wallet) }, 200);
}
