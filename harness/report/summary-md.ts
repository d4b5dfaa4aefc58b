/**
 * summary.md: the PR-comment view of a run. It is short on purpose (a reviewer reads it in the
 * diff view): verdict line, headline figures, the run's validity, the SLO table, the checks
 * table (the same items as junit.xml, see verdict-items.ts), the worst endpoints. Everything
 * else lives in report.html; this file never grows with the number of seconds in the run.
 *
 * @example
 *   writeFileSync('summary.md', renderSummaryMd(loadRun(dir)));
 */
import type { RunData } from './run-data.ts';
import { int, ms, pct, rate, sloValue } from './format.ts';
import { checkItems, validityItem } from './verdict-items.ts';

const MAX_ENDPOINTS = 8;
const MAX_CHECKS = 20;

export function verdict(run: RunData): { word: string; icon: string } {
  const s = run.summary;
  if (!s.valid) return { word: 'INVALID (the generator could not keep up; numbers are not the target\'s)', icon: '⚠️' };
  return s.pass ? { word: 'PASS', icon: '✅' } : { word: 'FAIL', icon: '❌' };
}

/** A merged run's segments and the spread of their starts (harness/merge/alignment.ts). */
function segmentSkew(s: RunData['summary']): string | undefined {
  const start = (s as Record<string, unknown>)['start'] as { skewMs?: number | null; boundMs?: number; segments?: unknown[] } | undefined;
  if (start?.segments === undefined || typeof start.skewMs !== 'number') return undefined;
  const ok = start.skewMs <= (start.boundMs ?? Number.POSITIVE_INFINITY);
  return `Segments: ${start.segments.length}, start skew ${ms(start.skewMs)} (bound ${ms(start.boundMs ?? null)}) ${ok ? '✅' : '⚠️'}`;
}

export function renderSummaryMd(run: RunData): string {
  const s = run.summary;
  const v = verdict(run);
  const lines: string[] = [];
  lines.push(`### ${v.icon} picco ${s.scenario}: ${v.word}`);
  lines.push('');
  for (const r of s.invalidReasons ?? []) lines.push(`> ⚠️ run invalid: ${r}`, '');
  lines.push(
    `${int(s.requests.total)} requests in ${s.durationS}s · achieved ${rate(s.rate.achieved)} of ${rate(s.rate.target)} intended · ` +
      `failed ${int(s.requests.failed)} (${pct(s.requests.failed, s.requests.total)}) · dropped ${int(s.requests.dropped)}`,
  );
  lines.push('');
  lines.push(`Latency from intended start: p50 ${ms(s.latencyMs.p50)} · p95 ${ms(s.latencyMs.p95)} · p99 ${ms(s.latencyMs.p99)} · max ${ms(s.latencyMs.max)}  `);
  lines.push(`Service time: p50 ${ms(s.serviceTimeMs.p50)} · p95 ${ms(s.serviceTimeMs.p95)} · p99 ${ms(s.serviceTimeMs.p99)}`);
  const validity = validityItem(s);
  lines.push('', `Run validity: ${validity.valid ? '✅ valid' : '⚠️ invalid'}, ${validity.text}`);
  const skew = segmentSkew(s);
  if (skew !== undefined) lines.push('', skew);
  lines.push('');
  if (s.slo.length > 0) {
    lines.push('| SLO | threshold | value | |');
    lines.push('|---|---|---|---|');
    for (const o of s.slo) lines.push(`| ${cell(o.name)} | \`${cell(o.threshold)}\` | ${sloValue(o.threshold, o.name, o.value)} | ${o.pass ? '✅' : '❌'} |`);
  } else {
    lines.push('No SLO: the verdict is the run\'s validity alone.');
  }
  const checks = checkItems(s);
  if (checks.length > 0) {
    lines.push('');
    lines.push('| check | passed | failed | |');
    lines.push('|---|---:|---:|---|');
    for (const c of checks.slice(0, MAX_CHECKS)) lines.push(`| ${cell(c.name)} | ${int(c.pass)} | ${int(c.fail)} | ${c.failing ? '❌' : c.fail > 0 ? '⚠️' : '✅'} |`);
    if (checks.length > MAX_CHECKS) lines.push(`| … ${checks.length - MAX_CHECKS} more in junit.xml | | | |`);
  }
  const eps = Object.entries(s.endpoints).sort((a, b) => (b[1].latencyMs?.p99 ?? 0) - (a[1].latencyMs?.p99 ?? 0));
  if (eps.length > 0) {
    lines.push('');
    lines.push('| endpoint | requests | failed | p95 | p99 |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const [name, e] of eps.slice(0, MAX_ENDPOINTS)) {
      lines.push(`| \`${cell(name)}\` | ${int(e.count)} | ${int(e.failed)} (${pct(e.failed, e.count)}) | ${ms(e.latencyMs?.p95)} | ${ms(e.latencyMs?.p99)} |`);
    }
    if (eps.length > MAX_ENDPOINTS) lines.push(`| … ${eps.length - MAX_ENDPOINTS} more in report.html | | | | |`);
  }
  const statuses = mergeStatus(run);
  const errs = Object.entries(statuses).filter(([code]) => !/^[23]/.test(code));
  if (errs.length > 0) lines.push('', `Errors by status: ${errs.map(([c, n]) => `${c} × ${int(n)}`).join(', ')}`);
  lines.push('');
  return lines.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function mergeStatus(run: RunData): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of Object.values(run.summary.endpoints)) for (const [c, n] of Object.entries(e.status)) out[c] = (out[c] ?? 0) + n;
  if (Object.keys(out).length === 0) for (const sec of run.series) for (const [c, n] of Object.entries(sec.status)) out[c] = (out[c] ?? 0) + n;
  return out;
}
