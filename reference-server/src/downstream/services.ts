/**
 * The set of simulated downstream services one app uses, built from a faults profile and
 * reconfigured in place when the profile changes at run time (queues and in-flight calls are
 * kept; new limits apply from the next call).
 *
 * @example
 * const ds = createDownstream({}, { random: Math.random, metrics });
 * await ds.acquirer.call();
 */
import { SERVICE_NAMES, resolveService, type FaultsProfile, type ServiceName } from './faults.ts';
import { SimulatedService, type SimulatorEnv } from './simulator.ts';
import type { Processor } from '../wallet/abi-list.ts';

export interface Downstream {
  acquirer: SimulatedService;
  acs: SimulatedService;
  ibanCheck: SimulatedService;
  processors: Record<Processor, SimulatedService>;
  all: Record<ServiceName, SimulatedService>;
  /** Applies a new profile to every service. */
  configure(profile: FaultsProfile): void;
}

export function createDownstream(profile: FaultsProfile, env: SimulatorEnv): Downstream {
  const all = Object.fromEntries(
    SERVICE_NAMES.map((n) => [n, new SimulatedService(n, resolveService(profile, n), env)]),
  ) as Record<ServiceName, SimulatedService>;
  return {
    acquirer: all.acquirer,
    acs: all.acs,
    ibanCheck: all.ibanCheck,
    processors: { ICCREA: all.iccrea, NEXI: all.nexi, SIA: all.sia },
    all,
    configure(p: FaultsProfile): void {
      for (const n of SERVICE_NAMES) all[n].configure(resolveService(p, n));
    },
  };
}
