/**
 * Credit card steps 2 and 3: the verification ("fake") payment and 3DS.
 *
 * Step 2, POST /pp-restapi-CD/v1/payments/cc/actions/pay `{data:{idWallet, tipo:"web", cvv}}`,
 * goes through the simulated acquirer (latency, queue, errors from the faults profile) and returns
 * a TransactionResponse whose urlCheckout3ds points at this server. Step 3 is what the app's
 * webview did, as plain GETs a client can follow with redirects:
 *   GET /wallet/checkout?id&nonce[&sessionToken]  → 302 /acs/challenge?id&nonce   (PM checkout page)
 *   GET /acs/challenge?id&nonce                   → simulated ACS; on success the card is verified
 *                                                  → 302 /wallet/loginMethod?outcome=0 (2 = refused)
 *   GET /wallet/loginMethod                       → 200, the page where the app's webview exits.
 * The app cannot read the outcome from the URL: step 4 re-reads GET /v2/wallet.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { MAX_ID, intText, readJson, readQuery } from '../validation.ts';
import { DownstreamError } from '../downstream/simulator.ts';
import type { AppEnv } from '../context.ts';
import type { VerificationRecord } from '../storage/storage.ts';

const payRequestSchema = z.object({
  data: z.object({
    idWallet: z.number().int().positive(),
    tipo: z.string().min(1).optional(),
    cvv: z.string().regex(/^[0-9]{3,4}$/, 'must be 3 or 4 digits'),
    mobileToken: z.string().optional(),
  }).loose(),
}).loose();

const VERIFICATION_CENTS = 1;

export function downstreamToApi(err: unknown): never {
  if (err instanceof DownstreamError) {
    throw new ApiError(err.kind === 'timeout' ? 'downstream.timeout' : 'downstream.unavailable', `${err.service}: ${err.kind}`);
  }
  throw err;
}

function transaction(v: VerificationRecord, urlCheckout3ds: string) {
  const eur = (amount: number) => ({ amount, currency: 'EUR', currencyNumber: '978', decimalDigits: 2 });
  return {
    id: v.id, idWallet: v.idWallet, idPayment: v.id, orderNumber: v.id, amount: eur(v.amountCents), fee: eur(0),
    grandTotal: eur(v.amountCents), idStatus: 0, statusMessage: 'Da autorizzare', authorizationCode: '00',
    urlCheckout3ds, token: Buffer.from(String(v.id)).toString('base64'), created: v.createdAt.toISOString(),
    updated: v.updatedAt.toISOString(), success: false, error: false, directAcquirer: false, paymentModel: 0,
    description: 'Verifica carta', merchant: 'PagoPA verifica carta', accountingStatus: 0,
  };
}

export async function payVerification(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const body = await readJson(c, payRequestSchema);
  const wallet = await ctx.storage.getWallet(c.get('fiscalCode'), body.data.idWallet);
  if (wallet === undefined || wallet.walletType !== 'Card') throw new ApiError('wallet.not_found');
  if (wallet.status === 'verified') throw new ApiError('wallet.already_verified');
  await ctx.downstream.acquirer.call().catch(downstreamToApi);
  const nonce = ctx.random.bytes(24).toString('hex');
  const r = await ctx.storage.startVerification(c.get('fiscalCode'), body.data.idWallet, { nonce, amountCents: VERIFICATION_CENTS }, ctx.clock.now());
  if (r.kind === 'wallet_not_found') throw new ApiError('wallet.not_found');
  if (r.kind === 'already_verified') throw new ApiError('wallet.already_verified');
  const origin = new URL(c.req.url).origin;
  const url = `${origin}/wallet/checkout?id=${r.verification.id}&nonce=${nonce}`;
  return c.json({ data: transaction(r.verification, url) }, 200);
}

const checkoutQuery = z.object({
  id: intText(1, MAX_ID),
  nonce: z.string().regex(/^[0-9a-f]{48}$/, 'must be the nonce from urlCheckout3ds'),
  sessionToken: z.string().optional(),
}).loose();

export async function checkoutPage(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const q = readQuery(c, checkoutQuery);
  const v = await ctx.storage.getVerification(q.id);
  if (v === undefined || v.nonce !== q.nonce) throw new ApiError('payment.not_found');
  if (q.sessionToken !== undefined) {
    const owner = await ctx.storage.findToken(q.sessionToken, 'pm', ctx.clock.now());
    if (owner === undefined || owner.fiscalCode !== v.fiscalCode) throw new ApiError('auth.unauthorized', 'sessionToken is not the owner\'s PM session');
  }
  return c.redirect(`/acs/challenge?id=${v.id}&nonce=${v.nonce}`, 302);
}

export async function acsChallenge(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const q = readQuery(c, checkoutQuery);
  const v = await ctx.storage.getVerification(q.id);
  if (v === undefined || v.nonce !== q.nonce) throw new ApiError('payment.not_found');
  if (v.status !== 'pending') return c.redirect(`/wallet/loginMethod?outcome=${v.status === 'authorized' ? 0 : 2}`, 302);
  await ctx.downstream.acs.call().catch(downstreamToApi);
  const denied = ctx.downstream.acs.settings.denyRate > 0 && ctx.random.float() < ctx.downstream.acs.settings.denyRate;
  const r = await ctx.storage.completeVerification(v.id, v.nonce, denied ? 'denied' : 'authorized', ctx.clock.now());
  if (r.kind === 'not_found') throw new ApiError('payment.not_found');
  const ok = r.verification.status === 'authorized';
  return c.redirect(`/wallet/loginMethod?outcome=${ok ? 0 : 2}`, 302);
}

export function loginMethodPage(c: Context<AppEnv>): Response {
  return c.html('<!doctype html><html><head><title>PagoPA</title></head><body>Operazione completata</body></html>', 200);
}
