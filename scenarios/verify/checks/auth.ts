/**
 * Authentication checks, driven by the contract: every operation openapi.yaml protects with a
 * security requirement is called once without credentials and once with a forged bearer token,
 * and must answer 401 (403 accepted) both times, before touching anything. A vendor route that
 * forgot its auth middleware shows up by name. picco's own endpoints (`/__picco/...`) may be
 * absent on a vendor's backend (404); when present they are held to the same rule.
 *
 * @example
 * await authRequired.run(x);
 */
import type { RequestSpec } from '../../../harness/scenario/types.ts';
import { type Check, fail } from '../check.ts';
import type { SecuredOperation } from '../contract.ts';

const PM_BASE = '/pp-restapi-CD';

/** Which API serves a contract path, and the path relative to that API's base. */
export function apiOf(path: string): { origin: RequestSpec['origin']; path: string } {
  if (path.startsWith(`${PM_BASE}/`)) return { origin: 'pm', path: path.slice(PM_BASE.length) };
  if (path.startsWith('/bpd/')) return { origin: 'bpd', path };
  if (/^\/v[0-9]+\//.test(path)) return { origin: 'pm', path };
  return { origin: 'io', path };
}

function concrete(op: SecuredOperation): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (/hpan|hash/i.test(name) ? 'a'.repeat(64) : /id/i.test(name) ? '1' : 'x'));
}

export const authRequired: Check = {
  name: 'auth-required',
  rule: 'every operation the contract protects answers 401 without a bearer token and with a forged one',
  async run({ c, contract }) {
    const ops = contract.securedOperations();
    if (ops.length === 0) fail('the contract declares no protected operation: nothing to hold the backend to');
    const open: string[] = [];
    for (const op of ops) {
      const { origin, path } = apiOf(concrete(op));
      const body = op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH' ? '{}' : undefined;
      for (const auth of [undefined, 'Bearer picco-forged-token-0000000000000000']) {
        const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
        if (auth !== undefined) headers['authorization'] = auth;
        const spec: RequestSpec = { origin, method: op.method as RequestSpec['method'], path, endpoint: `${op.method} ${op.path}`, headers, expect: [401, 403] };
        if (body !== undefined) spec.body = body;
        const r = await c.request(spec, { probe: true });
        // picco's own endpoints (/__picco/...) are optional for a vendor: absent (404) is fine.
        const absentOwn = op.path.startsWith('/__picco/') && r.status === 404;
        if (r.status !== 401 && r.status !== 403 && !absentOwn) {
          open.push(`${op.method} ${op.path} answered ${r.status === 0 ? 'nothing' : r.status} ${auth === undefined ? 'without a token' : 'with a forged token'}`);
          break;
        }
      }
    }
    if (open.length > 0) fail(`${open.join('; ')}, expected 401`);
  },
};
