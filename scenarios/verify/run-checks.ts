/**
 * Runs the behaviour checks one after another on one evidence client, then the two checks that
 * judge everything seen (PAN never echoed, the API contract). Sequential on purpose: the checks
 * are about answers, not load, and a vendor reading a failure wants one story per check, with
 * the exchanges labelled by the check that made them.
 *
 * @example
 * const r = await runChecks({ targets, contract, seed: 7 }); r.checks.filter((c) => c.verdict === 'fail');
 */
import type { Targets } from '../../harness/scenario/types.ts';
import { Population } from '../population.ts';
import { testPassword } from '../journeys/app-client.ts';
import { VerifyClient, type Exchange } from './client.ts';
import type { Contract, ContractFinding } from './contract.ts';
import { type Check, CheckFailed, CheckSkipped, Subjects } from './check.ts';
import { crossCitizen, duplicateCard } from './checks/cards.ts';
import { hpanOwned, notEnrolled } from './checks/instruments.ts';
import { citizenCascade, ibanOutcomes } from './checks/citizen.ts';
import { cashbackTotals } from './checks/cashback.ts';
import { authRequired } from './checks/auth.ts';
import { idempotencyKey } from './checks/idempotency.ts';
import { panNeverEchoed } from './checks/pan.ts';

export const BEHAVIOUR_CHECKS: readonly Check[] = [
  duplicateCard, hpanOwned, notEnrolled, ibanOutcomes, citizenCascade, cashbackTotals, authRequired, crossCitizen, idempotencyKey,
];

export type Verdict = 'pass' | 'fail' | 'skip';

export interface CheckReport {
  name: string;
  rule: string;
  verdict: Verdict;
  /** Why it failed or was skipped; empty on pass. */
  reason: string;
  requests: number;
  ms: number;
}

export interface ChecksResult {
  checks: CheckReport[];
  contract: ContractFinding[];
  exchanges: Exchange[];
  outcomes: Record<string, number>;
}

export const CONTRACT_CHECK = 'api-contract';

export async function runChecks(o: { targets: Targets; contract: Contract; seed: number; only?: readonly string[] }): Promise<ChecksResult> {
  const c = new VerifyClient(o.targets, o.seed);
  const pop = new Population({ scale: 1, seed: o.seed, typoShare: 0 });
  // Citizens from the 7 Dec download cohort, at an offset drawn from the seed: fresh on every run.
  const start = 6_000_000 + Math.floor(c.random() * 400_000);
  const subjects = new Subjects(c, { population: pop, speed: 1000, password: testPassword() }, pop, start);
  const x = { c, subjects, contract: o.contract };
  const wanted = (name: string) => o.only === undefined || o.only.includes(name);
  const reports: CheckReport[] = [];
  for (const check of [...BEHAVIOUR_CHECKS, panNeverEchoed].filter((k) => wanted(k.name))) {
    c.currentCheck = check.name;
    const before = c.exchanges.length;
    const t0 = performance.now();
    let verdict: Verdict = 'pass';
    let reason = '';
    try {
      await check.run(x);
    } catch (err) {
      if (err instanceof CheckSkipped) {
        verdict = 'skip';
        reason = err.message;
      } else if (err instanceof CheckFailed) {
        verdict = 'fail';
        reason = err.message;
      } else {
        verdict = 'fail';
        reason = `the check could not complete: ${(err as Error).message}`;
      }
    }
    reports.push({ name: check.name, rule: check.rule, verdict, reason, requests: c.exchanges.length - before, ms: Math.round(performance.now() - t0) });
  }
  const contract = c.exchanges.flatMap((e) => o.contract.validate(e));
  if (wanted(CONTRACT_CHECK)) {
    const first = contract.slice(0, 3).map((f) => `${f.method} ${f.path} ${f.status} (check ${f.check}): ${f.problem}`);
    reports.push({
      name: CONTRACT_CHECK,
      rule: 'every request and response of the checks matches reference-server/openapi.yaml',
      verdict: contract.length === 0 ? 'pass' : 'fail',
      reason: contract.length === 0 ? '' : `${contract.length} exchange(s) break the contract: ${first.join('; ')}${contract.length > 3 ? ' …' : ''}`,
      requests: c.exchanges.length,
      ms: 0,
    });
  }
  return { checks: reports, contract, exchanges: c.exchanges, outcomes: c.outcomes };
}
