/**
 * BPD payment instruments, addressed by hpan: GET (404 never enabled, 409 active for another
 * citizen), PUT (enable: 403 user.not-enabled.error when the citizen is not enrolled, 409 when
 * another citizen holds it active, a no-op when already active for the caller) and DELETE.
 * One active owner per hpan is enforced by the storage's unique constraint, not by this handler.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { check } from '../validation.ts';
import type { InstrumentRecord } from '../storage/storage.ts';
import type { AppEnv } from '../context.ts';

const hpanParam = z.object({ hpan: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a 64-character hex hpan').transform((s) => s.toLowerCase()) });
const hpanOf = (c: Context<AppEnv>): string => check(hpanParam, c.req.param(), 'path').hpan;

function resource(i: InstrumentRecord) {
  return {
    hpan: i.hpan, fiscalCode: i.fiscalCode, Status: i.status, activationDate: i.activationDate.toISOString(),
    ...(i.deactivationDate !== null ? { deactivationDate: i.deactivationDate.toISOString() } : {}),
  };
}

export async function getInstrument(c: Context<AppEnv>): Promise<Response> {
  const r = await c.get('ctx').storage.getInstrument(c.get('fiscalCode'), hpanOf(c));
  if (r.kind === 'not_found') throw new ApiError('paymentinstrument.not_found');
  if (r.kind === 'conflict') throw new ApiError('paymentinstrument.conflict');
  return c.json(resource(r.instrument), 200);
}

export async function enableInstrument(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const r = await ctx.storage.enableInstrument(c.get('fiscalCode'), hpanOf(c), 'IO', ctx.clock.now());
  ctx.metrics.instrumentsEnabled.add(r.kind);
  if (r.kind === 'conflict') throw new ApiError('paymentinstrument.conflict');
  if (r.kind === 'citizen_not_enabled') throw new ApiError('user.not-enabled.error');
  return c.json({ activationDate: r.instrument.activationDate.toISOString() }, 200);
}

export async function disableInstrument(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const r = await ctx.storage.disableInstrument(c.get('fiscalCode'), hpanOf(c), ctx.clock.now());
  if (r.kind === 'not_found') throw new ApiError('paymentinstrument.not_found');
  if (r.kind === 'conflict') throw new ApiError('paymentinstrument.conflict');
  return c.body(null, 204);
}
