/**
 * GET /pp-restapi-CD/v1/users/actions/start-session?token=<walletToken>: the payment manager
 * session. Like the real PM it resolves the user through io-backend's /pagopa/api/v1/user (here a
 * storage read: same process, same database) and needs a notice email; it returns a PM session
 * token (48 bytes, hex: storage/token-key.ts) with its own, shorter expiry. The app calls it again
 * on any PM 401.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { readQuery } from '../validation.ts';
import { newToken } from '../storage/token-key.ts';
import type { AppEnv } from '../context.ts';

const querySchema = z.object({ token: z.string().min(1, 'the walletToken is required') }).loose();

export async function startSession(c: Context<AppEnv>): Promise<Response> {
  const ctx = c.get('ctx');
  const { token } = readQuery(c, querySchema);
  const now = ctx.clock.now();
  const owner = await ctx.storage.findToken(token, 'wallet', now);
  if (owner === undefined) throw new ApiError('auth.unauthorized', 'unknown or expired walletToken');
  const user = await ctx.storage.getUser(owner.fiscalCode);
  if (user === undefined) throw new ApiError('auth.unauthorized', 'the session has no user');
  if (!user.isEmailValidated) throw new ApiError('profile.no_email');
  const sessionToken = newToken(ctx.random, now);
  await ctx.storage.createPmSession({ token: sessionToken, sessionId: owner.sessionId, fiscalCode: owner.fiscalCode,
    createdAt: now, expiresAt: new Date(now.getTime() + ctx.config.pmSessionTtlSeconds * 1000) });
  return c.json({
    data: {
      sessionToken,
      user: {
        acceptTerms: true, email: user.email, emailVerified: true, fiscalCode: user.fiscalCode, name: user.name,
        surname: user.familyName, notificationEmail: user.email, status: 'REGISTERED_SPID',
        registeredDate: user.createdAt.toISOString(),
      },
    },
  }, 200);
}
