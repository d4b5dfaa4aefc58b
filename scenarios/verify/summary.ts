/**
 * summary.json of a verification, in the run-directory format every picco report reads
 * (schemaVersion 1), so report.html, summary.md and junit.xml come from the same renderer as
 * for a load run. Each behaviour check and each load SLO is one entry of `slo` (one JUnit
 * testcase each: a failing check carries its reason), `checks` counts them k6-style, and
 * `verify` keeps the full story: check verdicts and reasons, contract findings, load runs.
 * Latency figures are those of the checks' own requests (sequential, one at a time).
 *
 * @example
 * writeFileSync('summary.json', JSON.stringify(verifySummary({ ... })));
 */
import { emptyHistogram, percentilesOf } from '../../harness/merge/histograms.ts';
import type { Targets } from '../../harness/scenario/types.ts';
import type { ChecksResult } from './run-checks.ts';
import type { LoadRun } from './load.ts';

export interface VerifySummaryInput {
  targets: Targets;
  startedAt: Date;
  endedAt: Date;
  checks: ChecksResult;
  load: LoadRun[];
  seed: number;
  scale: number;
}

export function verifySummary(i: VerifySummaryInput) {
  const ex = i.checks.exchanges;
  const all = emptyHistogram();
  const eps = new Map<string, { count: number; ok: number; failed: number; status: Record<string, number>; h: ReturnType<typeof emptyHistogram> }>();
  for (const e of ex) {
    const us = Math.max(1, Math.round(e.ms * 1000));
    all.recordValue(us);
    const key = e.endpoint;
    const m = eps.get(key) ?? { count: 0, ok: 0, failed: 0, status: {}, h: emptyHistogram() };
    m.count++;
    if (e.status > 0 && e.status < 500) m.ok++;
    else m.failed++;
    m.status[String(e.status)] = (m.status[String(e.status)] ?? 0) + 1;
    m.h.recordValue(us);
    eps.set(key, m);
  }
  const failedReqs = ex.filter((e) => e.status === 0 || e.status >= 500).length;
  const durationS = Math.max(0.001, (i.endedAt.getTime() - i.startedAt.getTime()) / 1000);
  const checkSlo = i.checks.checks.map((c) => ({
    name: `check ${c.name}`,
    threshold: c.verdict === 'fail' ? `must pass: ${c.reason}` : c.verdict === 'skip' ? `skipped: ${c.reason}` : 'must pass',
    value: c.verdict === 'skip' ? null : c.verdict === 'pass' ? 1 : 0,
    pass: c.verdict !== 'fail',
  }));
  // An invalid load run measured the generator, not the target: its SLOs are not verdicts on the
  // backend (they stay in verify.load), the run is invalid (exit 98 unless something else failed).
  const loadSlo = i.load.flatMap((r) => [
    ...(r.verdict === 'invalid' ? [] : r.slo.map((s) => ({ name: `${r.scenario}: ${s.name}`, threshold: s.threshold, value: s.value, pass: s.pass }))),
    ...(r.verdict === 'error' ? [{ name: `${r.scenario}: load run`, threshold: `must complete: ${r.reason}`, value: null, pass: false }] : []),
  ]);
  const invalidReasons = i.load.filter((r) => r.verdict === 'invalid').map((r) => `load ${r.scenario}: ${r.reason}`);
  const checks: Record<string, { pass: number; fail: number }> = {};
  for (const c of i.checks.checks) checks[c.name] = { pass: c.verdict === 'pass' ? 1 : 0, fail: c.verdict === 'fail' ? 1 : 0 };
  const valid = i.load.every((r) => r.verdict !== 'invalid');
  const pass = checkSlo.every((s) => s.pass) && loadSlo.every((s) => s.pass);
  return {
    schemaVersion: 1 as const,
    scenario: 'verify',
    target: i.targets.io,
    startedAt: i.startedAt.toISOString(),
    endedAt: i.endedAt.toISOString(),
    durationS: Math.round(durationS * 1000) / 1000,
    requests: { total: ex.length, ok: ex.length - failedReqs, failed: failedReqs, dropped: 0 },
    rate: { target: null, achieved: Math.round((ex.length / durationS) * 100) / 100 },
    latencyMs: percentilesOf(all),
    serviceTimeMs: percentilesOf(all),
    endpoints: Object.fromEntries([...eps].map(([k, m]) => [k, { count: m.count, ok: m.ok, failed: m.failed, status: m.status, latencyMs: percentilesOf(m.h) }])),
    slo: [...checkSlo, ...loadSlo],
    checks,
    outcomes: i.checks.outcomes,
    config: { targets: i.targets, seed: i.seed, scale: i.scale },
    verify: {
      checks: i.checks.checks,
      contract: i.checks.contract.slice(0, 500),
      contractFindings: i.checks.contract.length,
      load: i.load,
    },
    pass,
    valid,
    invalidReasons,
  };
}
