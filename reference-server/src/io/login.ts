/**
 * POST /test-login, exactly as io-backend's api_public.yaml has it: `{username, password}` →
 * `{token}`. It stands in for SPID (out of scope): any valid fiscal code logs in with the
 * password from PICCO_TEST_PASSWORD. Like the real assertion consumer it creates a session with
 * fresh tokens (48 bytes, hex, as io-backend's tokenService; the first 6 are the issue time, see
 * storage/token-key.ts): session, wallet, bpd, myPortal, stored with their expiry so every server
 * process can check them.
 *
 * @example
 * POST /test-login {"username":"RSSMRA80A01H501U","password":"picco-test"} → 200 {"token":"…"}
 */
import type { Context } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { readJson } from '../validation.ts';
import { isValidFiscalCode, normalizeFiscalCode } from './fiscal-code.ts';
import { profileFor } from './people.ts';
import type { AppEnv } from '../context.ts';
import { newToken } from '../storage/token-key.ts';

// A body without both strings is 400 (passport-local's "Missing credentials" was a 400); a
// username that is not a fiscal code is 401 like a wrong password, as io-backend's login
// strategy answered (api_public.yaml lists 200, 401 and 500 for /test-login).
const loginSchema = z.object({
  username: z.string().min(1).transform(normalizeFiscalCode),
  password: z.string().min(1),
});

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function testLogin(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const body = await readJson(c, loginSchema);
  if (!sameSecret(body.password, ctx.config.testPassword)) throw new ApiError('auth.invalid_credentials');
  if (!isValidFiscalCode(body.username)) throw new ApiError('auth.invalid_credentials', 'the username is not a valid fiscal code');
  const now = ctx.clock.now();
  const token = newToken(ctx.random, now);
  // Both writes at once (no constraint ties the session row to the user row): on SQLite they
  // share one group commit and one fsync, on PostgreSQL their round trips overlap. The token is
  // answered only once both are durable.
  await Promise.all([
    ctx.storage.ensureUser(profileFor(body.username, now)),
    ctx.storage.createSession({
      sessionId: newToken(ctx.random, now), fiscalCode: body.username, spidLevel: 'https://www.spid.gov.it/SpidL2',
      sessionToken: token, walletToken: newToken(ctx.random, now), bpdToken: newToken(ctx.random, now),
      myPortalToken: newToken(ctx.random, now), createdAt: now,
      expiresAt: new Date(now.getTime() + ctx.config.sessionTtlSeconds * 1000),
    }),
  ]);
  return c.json({ token }, 200);
}
