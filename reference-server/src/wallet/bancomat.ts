/**
 * PagoBancomat in the payment manager: GET /v1/bancomat/abi (the bank list, paged),
 * GET /v1/bancomat/pans[?abi=] (the fan-out search across the simulated processors ICCREA, NEXI,
 * SIA, each answering 0 / 21 / 23 or an error code in `messages`) and POST /v1/bancomat/add-wallets
 * (the app sends one card at a time; a card the citizen already has is not duplicated). A card is
 * accepted only if the processors hold it for this citizen, so hpans cannot be invented.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { INT32_MAX, intText, readJson, readQuery } from '../validation.ts';
import { allCards, searchPans } from '../downstream/processors.ts';
import { BANKS, logoUrl } from './abi-list.ts';
import { walletV2 } from './wallet-view.ts';
import type { AppEnv } from '../context.ts';

const abiQuerySchema = z.object({
  size: intText(1, 100_000).default(10),
  start: intText(0, INT32_MAX).default(0),
  abiQuery: z.string().max(64).optional(),
}).loose();

export function listAbi(c: Context<AppEnv>): Response {
  const q = readQuery(c, abiQuerySchema);
  const needle = q.abiQuery?.toLowerCase();
  const all = BANKS.filter((b) => needle === undefined || b.abi.includes(needle) || b.name.toLowerCase().includes(needle));
  const page = all.slice(q.start, q.start + q.size).map((b) => ({ abi: b.abi, name: b.name, logoUrl: logoUrl(b.abi) }));
  return c.json({ data: page, size: page.length, start: q.start, total: all.length }, 200);
}

/** The CDN file the app read instead of /v1/bancomat/abi from 7 Dec 2020. */
export function abiJson(c: Context<AppEnv>): Response {
  return c.json({ data: BANKS.map((b) => ({ abi: b.abi, name: b.name, logoUrl: logoUrl(b.abi) })) }, 200);
}

const pansQuerySchema = z.object({ abi: z.string().regex(/^[0-9]{5}$/, 'must be a 5-digit ABI code').optional() }).loose();

export async function searchBancomat(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const q = readQuery(c, pansQuerySchema);
  const r = await searchPans(ctx.downstream.processors, c.get('fiscalCode'), ctx.config.salt, q.abi);
  return c.json({
    data: {
      data: r.cards.map(({ maskedPan: _m, ...card }) => card),
      messages: r.messages,
      requestId: ctx.random.bytes(8).toString('hex'),
    },
  }, 200);
}

const cardSchema = z.object({
  abi: z.string().regex(/^[0-9]{5}$/, 'must be a 5-digit ABI code'),
  cardNumber: z.string().optional(),
  cardPartialNumber: z.string().optional(),
  expiringDate: z.string().optional(),
  hpan: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  productType: z.enum(['PP', 'DEB']).optional(),
  tokens: z.array(z.string()).optional(),
  validityState: z.enum(['V', 'BR']).optional(),
}).loose();

const addWalletsSchema = z.object({
  data: z.object({ data: z.array(cardSchema).min(1, 'at least one card').max(20) }).loose(),
}).loose();

export async function addBancomatWallets(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const body = await readJson(c, addWalletsSchema);
  const known = new Map(allCards(c.get('fiscalCode'), ctx.config.salt).map((k) => [k.hpan, k]));
  const cards = body.data.data.map((card, i) => {
    const k = known.get(card.hpan);
    if (k === undefined || k.abi !== card.abi) throw new ApiError('bancomat.unknown_card', `data.data.${i}`);
    const [y, m] = k.expiringDate.split('-');
    return { hpan: k.hpan, maskedPan: k.maskedPan, lastFour: k.cardPartialNumber, abi: k.abi, productType: k.productType,
      validityState: k.validityState, expireMonth: m ?? '01', expireYear: (y ?? '2099').slice(2), brand: 'PAGOBANCOMAT' };
  });
  const wallets = await ctx.storage.addBancomatCards(c.get('fiscalCode'), cards, ctx.clock.now());
  return c.json({ data: wallets.map(walletV2) }, 200);
}
