/**
 * The human summary at the end of a run: totals, both latencies, per-endpoint rows, the SLO
 * verdicts with how far each missed, and the run's validity. Plain text, fixed columns.
 *
 * @example
 * process.stdout.write(renderTable(summary));
 */
import type { Summary } from './summary.ts';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const f = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function renderTable(s: Summary): string {
  const lines: string[] = [];
  lines.push(`picco run ${s.runId}: ${s.scenario} → ${s.target}, ${s.durationS}s`);
  lines.push(
    `  arrivals ${s.requests.intended} (target ${s.rate.target}/s, achieved ${s.rate.achieved}/s), dropped ${s.requests.dropped}; requests ${s.requests.total}: ok ${s.requests.ok}, failed ${s.requests.failed}`,
  );
  const fails = Object.entries(s.failures).map(([k, v]) => `${k} ${v}`).join(', ');
  if (fails) lines.push(`  failures: ${fails}`);
  lines.push(`  status: ${Object.entries(s.status).map(([k, v]) => `${k}=${v}`).join(' ') || '-'}`);
  lines.push('');
  const w = Math.max(34, ...Object.keys(s.endpoints).map((k) => k.length + 2));
  lines.push(`  ${pad('endpoint', w)}${lpad('count', 9)}${lpad('failed', 8)}${lpad('p50', 9)}${lpad('p95', 9)}${lpad('p99', 9)}${lpad('max', 9)}${lpad('svc p99', 9)}  (ms)`);
  const row = (name: string, c: number, fl: number, l: Summary['latencyMs'], sv: Summary['latencyMs']): string =>
    `  ${pad(name, w)}${lpad(String(c), 9)}${lpad(String(fl), 8)}${lpad(f(l.p50), 9)}${lpad(f(l.p95), 9)}${lpad(f(l.p99), 9)}${lpad(f(l.max), 9)}${lpad(f(sv.p99), 9)}`;
  for (const [name, e] of Object.entries(s.endpoints)) lines.push(row(name, e.count, e.failed, e.latencyMs, e.serviceTimeMs));
  lines.push(row('all', s.requests.total, s.requests.failed, s.latencyMs, s.serviceTimeMs));
  lines.push('  latency is from the intended start; svc = service time from the actual send');
  const checks = Object.entries(s.checks);
  if (checks.length > 0) {
    lines.push('');
    for (const [k, v] of checks) lines.push(`  check ${pad(k, 40)} pass ${v.pass} fail ${v.fail}`);
  }
  const b = s.busiestSecond;
  if (b !== undefined) {
    lines.push('');
    lines.push(
      `  busiest second: t=${b.t}s, ${b.started} requests started (${b.intended} arrivals), ok ${b.ok}, failed ${b.failed}, dropped ${b.dropped}, p99 ${f(b.latencyP99Ms)} ms (svc ${f(b.serviceTimeP99Ms)} ms)`,
    );
  }
  const planned = outcomesVsPlan(s);
  if (planned.length > 0) {
    lines.push('');
    lines.push(`  ${pad('outcome', 34)}${lpad('observed', 10)}${lpad('planned', 10)}${lpad('ratio', 8)}`);
    for (const o of planned) lines.push(`  ${pad(o.name, 34)}${lpad(String(o.observed), 10)}${lpad(String(Math.round(o.planned)), 10)}${lpad(o.ratio, 8)}`);
    lines.push('  planned = what `picco plan` predicts for a healthy server at this scale and speed');
  }
  if (s.slo.length > 0) {
    lines.push('');
    for (const r of s.slo) {
      const where = r.window !== undefined ? ` [worst window ${r.window.startS}-${r.window.endS}s]` : '';
      const how = r.pass ? '' : `, ${Math.abs(r.by)} ${r.by > 0 ? 'over' : 'under'}`;
      lines.push(`  ${r.pass ? 'PASS' : 'FAIL'} ${r.name}: ${r.value ?? 'no data'}${how}${where}`);
    }
  }
  lines.push('');
  const g = s.generator;
  lines.push(`  generator: lag p99 ${g.lagP99Ms} ms, dropped ${(g.droppedRatio * 100).toFixed(3)} %, cpu ${g.cpu.join('/')}`);
  if (g.delayMs !== undefined && g.perSecond !== undefined) {
    const eld = Math.max(0, ...(g.threads ?? []).map((t) => t.eventLoopDelayMs.max));
    const worst = g.perSecond.worstSecond === null ? '' : `, worst second ${g.perSecond.worstSecond} at p${g.perSecond.percentile} ${f(g.perSecond.worstMs)} ms (bound ${g.perSecond.maxMs} ms)`;
    lines.push(`  generator delay (lag + read delay, per request): p99 ${f(g.delayMs.p99)} ms, max ${f(g.delayMs.max)} ms${worst}; event-loop delay max ${f(eld)} ms`);
  }
  if (!s.valid) lines.push(`  INVALID RUN (exit 98): ${s.invalidReasons.join('; ')}`);
  else lines.push(`  verdict: ${s.pass ? 'PASS' : s.aborted ? 'ABORTED (SLO abortOnFail)' : 'FAIL (an SLO failed)'}`);
  return lines.join('\n') + '\n';
}

/** Business outcomes the scenario predicted (`expected`) next to what the run observed. */
export function outcomesVsPlan(s: Pick<Summary, 'outcomes' | 'expected'>): { name: string; observed: number; planned: number; ratio: string }[] {
  const out = [];
  for (const [name, planned] of Object.entries(s.expected)) {
    const observed = s.outcomes[name];
    if (observed === undefined || name.startsWith('launch.')) continue;
    out.push({ name, observed, planned, ratio: planned > 0 ? (observed / planned).toFixed(2) : '-' });
  }
  return out;
}
