/**
 * The wallet list and per-wallet actions of the payment manager: GET /v2/wallet (step 4 of the
 * card flow and the "Portafoglio" screen), GET /v1/wallet, GET/PUT/DELETE /v1/wallet/{id},
 * confirm, favourite and the BIN check. A wallet that is not the caller's is 404, never 403, so
 * ids cannot be probed.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { MAX_ID, check, intText, readJson } from '../validation.ts';
import { walletV1, walletV2 } from './wallet-view.ts';
import { cardBrand } from './card-number.ts';
import { creditCardSchema } from './add-card.ts';
import type { AppEnv } from '../context.ts';

const idParam = z.object({ id: intText(1, MAX_ID) });
const walletId = (c: Context<AppEnv>): number => check(idParam, c.req.param(), 'path').id;

export async function listWalletsV2(c: Context<AppEnv>): Promise<Response> {
  const wallets = await c.get('ctx').storage.listWallets(c.get('fiscalCode'));
  return c.json({ data: wallets.map(walletV2) }, 200);
}

export async function listWalletsV1(c: Context<AppEnv>): Promise<Response> {
  const wallets = await c.get('ctx').storage.listWallets(c.get('fiscalCode'));
  return c.json({ data: wallets.filter((w) => w.walletType === 'Card').map(walletV1) }, 200);
}

export async function getWallet(c: Context<AppEnv>): Promise<Response> {
  const w = await c.get('ctx').storage.getWallet(c.get('fiscalCode'), walletId(c));
  if (w === undefined || w.walletType !== 'Card') throw new ApiError('wallet.not_found');
  return c.json({ data: walletV1(w) }, 200);
}

export async function confirmWallet(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const id = walletId(c);
  const w = await ctx.storage.getWallet(c.get('fiscalCode'), id);
  if (w === undefined) throw new ApiError('wallet.not_found');
  if (w.status !== 'verified') throw new ApiError('wallet.not_verified');
  const done = await ctx.storage.confirmWallet(c.get('fiscalCode'), id, ctx.clock.now());
  if (done === undefined) throw new ApiError('wallet.not_found');
  return c.json({ data: walletV1(done) }, 200);
}

export async function favouriteWallet(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const w = await ctx.storage.setFavourite(c.get('fiscalCode'), walletId(c), ctx.clock.now());
  if (w === undefined) throw new ApiError('wallet.not_found');
  return c.json({ data: walletV1(w) }, 200);
}

// WalletRequest as openapi.yaml has it: the PM's PUT took a whole wallet; only idPsp and
// favourite change anything here, but a card given with it is held to the same rules as on POST.
const updateSchema = z.object({
  data: z.object({
    type: z.literal('CREDIT_CARD').optional(),
    idPsp: z.number().int().nonnegative().max(MAX_ID).optional(),
    favourite: z.boolean().optional(),
    creditCard: creditCardSchema.optional(),
  }).loose(),
}).loose();

export async function updateWallet(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const id = walletId(c);
  const body = await readJson(c, updateSchema);
  const patch: { idPsp?: number; favourite?: boolean } = {};
  if (body.data.idPsp !== undefined) patch.idPsp = body.data.idPsp;
  if (body.data.favourite !== undefined) patch.favourite = body.data.favourite;
  const w = await ctx.storage.updateWallet(c.get('fiscalCode'), id, patch, ctx.clock.now());
  if (w === undefined) throw new ApiError('wallet.not_found');
  return c.json({ data: walletV1(w) }, 200);
}

export async function deleteWallet(c: Context<AppEnv>): Promise<Response> {
  const gone = await c.get('ctx').storage.deleteWallet(c.get('fiscalCode'), walletId(c));
  if (!gone) throw new ApiError('wallet.not_found');
  return c.body(null, 204);
}

const binSchema = z.object({ data: z.object({ cardBin: z.string().regex(/^[0-9]{6,8}$/, 'must be 6 to 8 digits') }).loose() }).loose();

export async function checkCardBin(c: Context<AppEnv>): Promise<Response> {
  const body = await readJson(c, binSchema);
  const brand = cardBrand(body.data.cardBin);
  return c.json({ data: { cardBin: body.data.cardBin, urlLogo: `/assets/brands/${brand.toLowerCase()}.png` } }, 200);
}
