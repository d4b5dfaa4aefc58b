/**
 * Puts every simulated downstream of a `Downstream` set behind a timeout and a circuit breaker
 * (see downstream-guard.ts), translating their refusals into the simulator's own
 * DownstreamError so routes map them exactly as a real outage: a timeout is `timeout` (504
 * downstream.timeout), an open breaker is `rejected` (503 downstream.unavailable, at once).
 *
 * Budgets (ms), all below the app's 16 s PM timeout, with room for the request's own work:
 * acquirer 5,000 and ACS 5,000 (the verification payment calls one, then the other at most);
 * each PagoBancomat processor 6,000 (the fan-out calls them in parallel); IBAN check 5,000.
 * Breakers open when 30 of the last 50 calls failed (at least 20 calls), for 2 s, then probe.
 *
 * @example
 * const downstream = guardServices(createDownstream(profile, env));
 */
import { DownstreamError, type SimulatedService } from '../downstream/simulator.ts';
import type { Downstream } from '../downstream/services.ts';
import type { ServiceName } from '../downstream/faults.ts';
import { BreakerOpenError } from './circuit-breaker.ts';
import { DownstreamTimeoutError, guardDownstream, type GuardOptions } from './downstream-guard.ts';

export const DOWNSTREAM_BUDGET_MS: Record<ServiceName, number> = {
  acquirer: 5000, acs: 5000, iccrea: 6000, nexi: 6000, sia: 6000, ibanCheck: 5000,
};

const BREAKER: GuardOptions = { window: 50, failureThreshold: 30, minCalls: 20, openMs: 2000, halfOpenProbes: 3 };

function guardOne(name: ServiceName, svc: SimulatedService): SimulatedService {
  const guarded = guardDownstream(name, svc, { ...BREAKER, timeoutMs: DOWNSTREAM_BUDGET_MS[name], methods: ['call'] });
  const call = (): Promise<void> =>
    guarded.call().catch((err: unknown) => {
      if (err instanceof DownstreamTimeoutError) throw new DownstreamError(name, 'timeout');
      if (err instanceof BreakerOpenError) throw new DownstreamError(name, 'rejected');
      throw err;
    });
  return new Proxy(svc, {
    get(target, prop, receiver) {
      if (prop === 'call') return call;
      if (prop === 'breaker') return guarded.breaker;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export function guardServices(ds: Downstream): Downstream {
  const all = Object.fromEntries(
    (Object.entries(ds.all) as [ServiceName, SimulatedService][]).map(([n, s]) => [n, guardOne(n, s)]),
  ) as Record<ServiceName, SimulatedService>;
  return {
    acquirer: all.acquirer,
    acs: all.acs,
    ibanCheck: all.ibanCheck,
    processors: { ICCREA: all.iccrea, NEXI: all.nexi, SIA: all.sia },
    all,
    configure: (p) => ds.configure(p),
  };
}
