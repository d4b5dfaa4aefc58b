/**
 * io-backend's authenticated reads: GET /api/v1/session (the sub-tokens the app hands to the
 * payment manager and BPD), GET /api/v1/profile, POST /logout, and GET /pagopa/api/v1/user, which
 * the payment manager called with the walletToken to resolve the user (notice_email required).
 */
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../context.ts';
import type { UserRecord } from '../storage/storage.ts';

async function currentUser(c: Context<AppEnv>): Promise<UserRecord> {
  const user = await c.get('ctx').storage.getUser(c.get('fiscalCode'));
  if (user === undefined) throw new ApiError('auth.unauthorized', 'the session has no user');
  return user;
}

export async function getSession(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const s = await ctx.storage.getSession(c.get('sessionId'), ctx.clock.now());
  if (s === undefined) throw new ApiError('auth.unauthorized');
  return c.json({ spidLevel: s.spidLevel, walletToken: s.walletToken, myPortalToken: s.myPortalToken, bpdToken: s.bpdToken }, 200);
}

export async function getProfile(c: Context<AppEnv>): Promise<Response> {
  const u = await currentUser(c);
  return c.json({
    accepted_tos_version: 1, email: u.email, family_name: u.familyName, fiscal_code: u.fiscalCode, has_profile: true,
    is_email_enabled: true, is_email_validated: u.isEmailValidated, is_inbox_enabled: true, is_webhook_enabled: true,
    name: u.name, spid_email: u.email, preferred_languages: ['it_IT'], version: 1,
  }, 200);
}

export async function logout(c: Context<AppEnv>): Promise<Response> {
  await c.get('ctx').storage.deleteSession(c.get('sessionId'));
  return c.json({ message: 'ok' }, 200);
}

export async function getPagoPaUser(c: Context<AppEnv>): Promise<Response> {
  const u = await currentUser(c);
  if (!u.isEmailValidated) throw new ApiError('profile.no_email');
  return c.json({ name: u.name, family_name: u.familyName, fiscal_code: u.fiscalCode, notice_email: u.email, spid_email: u.email }, 200);
}
