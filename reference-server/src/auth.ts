/**
 * Bearer authentication as each real API did it: io-backend with the session token, the payment
 * manager with its own session token from start-session, BPD with the bpdToken. Tokens are
 * looked up in storage (shared by every process) and expire; a missing, unknown or expired
 * token is 401 auth.unauthorized. The token itself never reaches a log line or a label.
 *
 * @example
 * route(app, routes, before, 'GET', '/api/v1/session', bearer('session'), handler);
 */
import { ApiError } from './errors.ts';
import { header } from './request-header.ts';
import type { Stage } from './chain.ts';
import type { TokenKind } from './storage/storage.ts';

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** `queryParam`: also accept the token in that query parameter (io-backend's /pagopa/api/v1/user). */
export function bearer(kind: TokenKind, queryParam?: string): Stage {
  return (c, next) => {
    const token = bearerToken(header(c, 'authorization')) ?? (queryParam === undefined ? undefined : c.req.query(queryParam));
    if (token === undefined) throw new ApiError('auth.unauthorized', 'Authorization: Bearer <token> is required');
    const ctx = c.get('ctx');
    return ctx.storage.findToken(token, kind, ctx.clock.now()).then((owner) => {
      if (owner === undefined) throw new ApiError('auth.unauthorized');
      c.set('fiscalCode', owner.fiscalCode);
      c.set('sessionId', owner.sessionId);
      return next();
    });
  };
}
