/**
 * `defineScenario`: checks a planner's scenario object against the scenario contract and returns
 * it unchanged, so a mistake (an origin name with a slash, a base path without its leading '/',
 * a missing build) is one clear error naming every problem at load time, not a run that sends
 * to nowhere. The four executor helpers only name k6's four executors, with their defaults
 * written once.
 *
 * @example
 * export default defineScenario({
 *   name: 'ticket-sale', description: 'login on one origin, orders on the other',
 *   origins: { auth: {}, shop: { basePath: '/v1' } },
 *   build: ({ scale }) => ({ scenario: 'ticket-sale', durationS: 10, expected: {}, streams: [] }),
 * });
 */
import { PiccoError } from '../errors.ts';
import { scheduleFacts } from '../executors/index.ts';
import type { ExecutorConfig, Scenario, Stage } from './types.ts';

const ORIGIN_NAME = /^[A-Za-z][\w.-]*$/;

export function scenarioProblems(s: Partial<Scenario>): string[] {
  const out: string[] = [];
  if (typeof s.name !== 'string' || s.name === '') out.push('name must be a non-empty string');
  if (typeof s.description !== 'string') out.push('description must be a string');
  if (typeof s.build !== 'function') out.push('build must be a function (options) => plan');
  const origins = s.origins;
  if (typeof origins !== 'object' || origins === null || Object.keys(origins).length === 0) {
    out.push('origins must name at least one origin, e.g. origins: { api: {} }');
  } else {
    for (const [name, spec] of Object.entries(origins)) {
      if (!ORIGIN_NAME.test(name)) out.push(`origin '${name}': a name starts with a letter and holds letters, digits, '_', '-' or '.'`);
      const base = (spec as { basePath?: unknown } | null)?.basePath;
      if (base !== undefined && (typeof base !== 'string' || !/^\/\S*[^/]$/.test(base))) {
        out.push(`origin '${name}': basePath '${String(base)}' must start with '/' and not end with one, e.g. '/v2'`);
      }
    }
  }
  return out;
}

export function defineScenario<S extends Scenario>(scenario: S): S {
  const problems = scenarioProblems(scenario);
  if (problems.length > 0) {
    const label = typeof scenario.name === 'string' ? `scenario '${scenario.name}'` : 'scenario';
    throw new PiccoError('PICCO_ERR_SCENARIO_INVALID', `${label}: ${problems.join('; ')}`);
  }
  return scenario;
}

type Arrivals = { arrivals?: 'uniform' | 'poisson' };

/** k6's constant-arrival-rate: `rate` arrivals per second for `durationS` (open model). */
export function constantArrivalRate(o: { rate: number; durationS: number } & Arrivals): ExecutorConfig {
  return { type: 'constant-arrival-rate', ...o };
}

/** k6's ramping-arrival-rate: from `startRate` (default 0) through each stage linearly. */
export function rampingArrivalRate(o: { startRate?: number; stages: Stage[] } & Arrivals): ExecutorConfig {
  const { startRate = 0, stages, ...rest } = o;
  return { type: 'ramping-arrival-rate', startRate, stages, ...rest };
}

/** k6's constant-vus: `vus` virtual users looping the journey for `durationS` (closed model). */
export function constantVus(o: { vus: number; durationS: number }): ExecutorConfig {
  return { type: 'constant-vus', ...o };
}

/** k6's ramping-vus: from `startVus` (default 0) through each stage (closed model). */
export function rampingVus(o: { startVus?: number; stages: Stage[] }): ExecutorConfig {
  return { type: 'ramping-vus', startVus: o.startVus ?? 0, stages: o.stages };
}

/** Arrivals (or VU activations) an executor makes in its whole schedule: what `picco plan` counts. */
export function arrivalsOf(executor: ExecutorConfig): number {
  return scheduleFacts(executor).arrivals;
}
