/**
 * BPD citizen: GET (404 = never enrolled), PUT (enrol, idempotent), PATCH (IBAN through the
 * simulated bank check: OK and UNKNOWN_PSP are saved, KO is not, an invalid IBAN is 400),
 * DELETE (opt-out: one transaction deactivating instruments, deleting winning transactions,
 * disabling the citizen and clearing the IBAN; a simulated failure mid-way rolls it all back
 * and answers 503) and GET ranking.
 */
import type { Context } from 'hono';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { MAX_ID, intText, readJson, readQuery } from '../validation.ts';
import { isValidIban, normalizeIban } from './iban.ts';
import { periodById } from './award-periods.ts';
import { StorageFailure, type CascadeStep, type CitizenRecord } from '../storage/storage.ts';
import type { AppEnv } from '../context.ts';

export function citizenResource(r: CitizenRecord) {
  return { enabled: r.enabled, fiscalCode: r.fiscalCode, payoffInstr: r.payoffInstr ?? '',
    payoffInstrType: r.payoffInstrType ?? '', timestampTC: r.timestampTC.toISOString() };
}

export async function getCitizen(c: Context<AppEnv>): Promise<Response> {
  const r = await c.get('ctx').storage.getCitizen(c.get('fiscalCode'));
  if (r === undefined) throw new ApiError('citizen.not_found');
  return c.json(citizenResource(r), 200);
}

export async function enrollCitizen(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const r = await ctx.storage.enrollCitizen(c.get('fiscalCode'), ctx.clock.now());
  return c.json(citizenResource(r), 200);
}

const patchSchema = z.object({
  payoffInstr: z.string().min(1).max(64),
  payoffInstrType: z.literal('IBAN'),
  accountHolderCF: z.string().min(1).max(32),
  accountHolderName: z.string().min(1).max(128),
  accountHolderSurname: z.string().min(1).max(128),
}).loose();

type CheckOutcome = 'OK' | 'KO' | 'UNKNOWN_PSP';

export async function patchIban(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const body = await readJson(c, patchSchema);
  const iban = normalizeIban(body.payoffInstr);
  if (!isValidIban(iban)) {
    ctx.metrics.ibanChecks.add('invalid');
    throw new ApiError('iban.invalid', 'payoffInstr: pattern, length or mod-97 check failed');
  }
  const citizen = await ctx.storage.getCitizen(c.get('fiscalCode'));
  if (citizen === undefined) throw new ApiError('citizen.not_found');
  if (!citizen.enabled) throw new ApiError('citizen.disabled');
  let outcome: CheckOutcome;
  try {
    await ctx.downstream.ibanCheck.call();
    const s = ctx.downstream.ibanCheck.settings;
    const u = createHash('sha256').update(`picco-iban:${iban}`).digest().readUInt32BE(0) / 2 ** 32;
    outcome = u < s.koRate ? 'KO' : u < s.koRate + s.unknownPspRate ? 'UNKNOWN_PSP' : 'OK';
  } catch {
    outcome = 'UNKNOWN_PSP'; // the real service mapped the bank API's 501/502 to UNKNOWN_PSP
  }
  if (outcome !== 'KO') {
    const r = await ctx.storage.setIban(c.get('fiscalCode'), {
      payoffInstr: iban, payoffInstrType: 'IBAN', accountHolderCF: body.accountHolderCF.toUpperCase(),
      accountHolderName: body.accountHolderName, accountHolderSurname: body.accountHolderSurname,
    }, ctx.clock.now());
    if (r.kind === 'not_found') throw new ApiError('citizen.not_found');
    if (r.kind === 'disabled') throw new ApiError('citizen.disabled');
  }
  ctx.metrics.ibanChecks.add(outcome);
  return c.json({ validationStatus: outcome }, 200);
}

const STEPS: readonly CascadeStep[] = ['instruments', 'transactions', 'citizen'];

export async function deleteCitizen(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const rate = ctx.settings.routeFault('DELETE /bpd/io/citizen')?.cascadeFailureRate ?? 0;
  const failAt = rate > 0 && ctx.random.float() < rate ? STEPS[Math.floor(ctx.random.float() * STEPS.length)] : undefined;
  try {
    const r = await ctx.storage.deleteCitizenCascade(c.get('fiscalCode'), ctx.clock.now(), failAt === undefined ? {} : { failAt });
    if (r.kind === 'not_found') throw new ApiError('citizen.not_found');
  } catch (err) {
    if (err instanceof StorageFailure && err.injected) {
      ctx.metrics.faultsInjected.labels('DELETE /bpd/io/citizen').inc();
      throw new ApiError('downstream.unavailable', `opt-out failed at step '${failAt ?? '?'}' and was rolled back`);
    }
    throw err;
  }
  return c.body(null, 204);
}

const rankingQuery = z.object({ awardPeriodId: intText(1, MAX_ID) }).loose();

export async function getRanking(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const q = readQuery(c, rankingQuery);
  const p = periodById(q.awardPeriodId);
  if (p === undefined) throw new ApiError('awardperiod.not_found');
  const r = await ctx.storage.getRanking(c.get('fiscalCode'), p.awardPeriodId, p.minPosition);
  if (r === undefined) throw new ApiError('ranking.not_found');
  return c.json(r, 200);
}
