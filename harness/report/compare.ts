/**
 * `picco report --compare RUN_A RUN_B`: two runs side by side in one report.html (the same
 * charts on one time axis, the SLO table and the outcomes table for both), one summary.md and
 * one junit.xml (a test suite per run). It exists for the question "the same journeys, why did
 * one pass and the other fail?" (a closed-loop test against an open-model rehearsal, the 2020
 * server against the default one), so it shows differences, never a merged figure.
 *
 * @example
 *   writeCompare('reports/out/closed', 'reports/out/open', 'reports/out/compare');
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { loadRun, type RunData } from './run-data.ts';
import { escapeHtml, int, ms, pct, sloValue } from './format.ts';
import { renderJunit } from './junit.ts';
import { inlineJson } from './html.ts';
import { verdict } from './summary-md.ts';

export interface CompareResult {
  files: { html: string; markdown: string; junit: string };
  runs: [RunData, RunData];
}

const label = (r: RunData): string => basename(r.dir);

function verdictWord(r: RunData): 'PASS' | 'FAIL' | 'INVALID' {
  return !r.summary.valid ? 'INVALID' : r.summary.pass ? 'PASS' : 'FAIL';
}

export function renderCompareMd(a: RunData, b: RunData): string {
  const runs = [a, b];
  const lines: string[] = [];
  lines.push(`### picco compare: ${label(a)} ${verdict(a).icon} vs ${label(b)} ${verdict(b).icon}`, '');
  lines.push(`| | ${runs.map((r) => `\`${label(r)}\``).join(' | ')} |`, '|---|---|---|');
  const row = (name: string, f: (r: RunData) => string) => lines.push(`| ${name} | ${runs.map(f).join(' | ')} |`);
  row('scenario', (r) => r.summary.scenario);
  row('verdict', (r) => verdictWord(r));
  row('requests', (r) => int(r.summary.requests.total));
  row('failed', (r) => `${int(r.summary.requests.failed)} (${pct(r.summary.requests.failed, r.summary.requests.total)})`);
  row('p99 from intended start', (r) => ms(r.summary.latencyMs.p99));
  const config = (r: RunData, k: string) => String((r.summary.config as Record<string, unknown> | undefined)?.[k] ?? '');
  row('target', (r) => r.summary.target ?? config(r, 'target'));
  lines.push('', '| SLO | threshold | ' + runs.map((r) => `\`${label(r)}\``).join(' | ') + ' |', '|---|---|---|---|');
  for (const name of sloNames(a, b)) {
    const cells = runs.map((r) => {
      const o = r.summary.slo.find((x) => x.name === name);
      return o === undefined ? '—' : `${sloValue(o.threshold, o.name, o.value)} ${o.pass ? '✅' : '❌'}`;
    });
    const th = (a.summary.slo.find((x) => x.name === name) ?? b.summary.slo.find((x) => x.name === name))?.threshold ?? '';
    lines.push(`| ${name.replace(/\|/g, '\\|')} | \`${th}\` | ${cells.join(' | ')} |`);
  }
  const outcomes = outcomeNames(a, b);
  if (outcomes.length > 0) {
    lines.push('', `| outcome | ${runs.map((r) => `\`${label(r)}\``).join(' | ')} |`, '|---|---:|---:|');
    for (const k of outcomes) lines.push(`| ${k} | ${runs.map((r) => int(r.summary.outcomes?.[k] ?? 0)).join(' | ')} |`);
  }
  lines.push('');
  return lines.join('\n');
}

function sloNames(a: RunData, b: RunData): string[] {
  return [...new Set([...a.summary.slo, ...b.summary.slo].map((o) => o.name))];
}

function outcomeNames(a: RunData, b: RunData): string[] {
  return [...new Set([...Object.keys(a.summary.outcomes ?? {}), ...Object.keys(b.summary.outcomes ?? {})])].sort();
}

export function renderCompareJunit(a: RunData, b: RunData): string {
  const suites = [a, b].map((r) => {
    const x = renderJunit(r);
    const m = /<testsuite [\s\S]*<\/testsuite>/.exec(x);
    return (m?.[0] ?? '').replace(/<testsuite name="([^"]*)"/, (_s, n: string) => `<testsuite name="${n}.${escapeHtml(label(r))}"`);
  });
  const count = (re: RegExp) => suites.reduce((n, s) => n + Number(re.exec(s)?.[1] ?? 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="picco compare" tests="${count(/tests="(\d+)"/)}" failures="${count(/failures="(\d+)"/)}" errors="${count(/errors="(\d+)"/)}">`,
    ...suites.map((s) => `  ${s}`),
    '</testsuites>',
    '',
  ].join('\n');
}

function series(r: RunData) {
  return r.series.map((s) => ({
    t: s.t, intended: s.intended, ok: s.ok, failed: s.failed, inFlight: (s as { inFlight?: number }).inFlight ?? 0,
    p99: s.latencyMs?.p99 ?? null,
  }));
}

export function renderCompareHtml(a: RunData, b: RunData): string {
  const require = createRequire(import.meta.url);
  const lib = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  const runs = [a, b];
  const names = runs.map(label);
  const head = (cells: string[]) => `<tr>${cells.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const sloRows = sloNames(a, b).map((name) => {
    const cells = runs.map((r) => {
      const o = r.summary.slo.find((x) => x.name === name);
      return o === undefined ? '<td>—</td>' : `<td class="${o.pass ? 'ok' : 'bad'}">${escapeHtml(sloValue(o.threshold, o.name, o.value))} ${o.pass ? 'pass' : 'FAIL'}</td>`;
    });
    return `<tr><td>${escapeHtml(name)}</td>${cells.join('')}</tr>`;
  }).join('');
  const outRows = outcomeNames(a, b).map((k) =>
    `<tr><td>${escapeHtml(k)}</td>${runs.map((r) => `<td>${int(r.summary.outcomes?.[k] ?? 0)}</td><td class="st">${r.summary.expected?.[k] !== undefined ? int(r.summary.expected[k]!) : ''}</td>`).join('')}</tr>`).join('');
  const headline = runs.map((r) =>
    `<div class="card"><h3>${escapeHtml(label(r))} <span class="verdict ${verdictWord(r).toLowerCase()}">${verdictWord(r)}</span></h3>
<p>${escapeHtml(r.summary.scenario)} · ${int(r.summary.requests.total)} requests · failed ${int(r.summary.requests.failed)} (${pct(r.summary.requests.failed, r.summary.requests.total)}) · p99 ${ms(r.summary.latencyMs.p99)}</p></div>`).join('');
  const payload = { names, series: runs.map(series) };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>picco compare: ${escapeHtml(names.join(' vs '))}</title>
<style>
body{font:13px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f3f4f6;color:#111827}
header{background:#111827;color:#f9fafb;padding:12px 20px}header h1{font-size:18px;margin:0}
main{padding:12px 20px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.card{background:#fff;border-radius:6px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}.card h3{margin:0 0 6px;font-size:14px}
.chart{position:relative;height:260px}table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
td:first-child,th:first-child{text-align:left}td.bad{color:#b91c1c;font-weight:600}td.ok{color:#15803d}td.st{color:#6b7280;font-size:11px}
.verdict{font-weight:700;padding:2px 8px;border-radius:4px;color:#fff}.verdict.pass{background:#16a34a}.verdict.fail{background:#dc2626}.verdict.invalid{background:#ca8a04}
h2{font-size:15px;margin:18px 0 8px}
</style></head><body>
<header><h1>picco compare · ${escapeHtml(names[0]!)} vs ${escapeHtml(names[1]!)}</h1></header>
<main>
<div class="grid">${headline}</div>
<h2>One time axis (seconds since each run's start)</h2>
<div class="grid">
<div class="card"><h3>Intended arrivals/s and responses ok/s</h3><div class="chart"><canvas id="c-rate"></canvas></div></div>
<div class="card"><h3>Failed requests/s</h3><div class="chart"><canvas id="c-failed"></canvas></div></div>
<div class="card"><h3>p99 latency from intended start (ms)</h3><div class="chart"><canvas id="c-p99"></canvas></div></div>
<div class="card"><h3>Requests in flight</h3><div class="chart"><canvas id="c-inflight"></canvas></div></div>
</div>
<h2>SLOs</h2><div class="card"><table id="slo">${head(['SLO', ...names])}${sloRows}</table></div>
<h2>Outcomes (observed, planned)</h2><div class="card"><table id="outcomes">${head(['outcome', ...names.flatMap((n) => [n, 'planned'])])}${outRows}</table></div>
</main>
<script>${lib}</script>
<script>window.__PICCO_COMPARE__ = ${inlineJson(payload)};</script>
<script>
(function () {
  var d = window.__PICCO_COMPARE__, colors = ['#2563eb', '#dc2626'];
  function chart(id, sets) {
    new Chart(document.getElementById(id), { type: 'line', data: { datasets: sets },
      options: { animation: false, maintainAspectRatio: false, parsing: false, normalized: true, elements: { point: { radius: 0 } },
        scales: { x: { type: 'linear', title: { display: true, text: 's' } }, y: { beginAtZero: true } } } });
  }
  function pts(i, k) { return d.series[i].map(function (s) { return { x: s.t, y: s[k] }; }); }
  var rate = [], failed = [], p99 = [], inflight = [];
  d.names.forEach(function (n, i) {
    rate.push({ label: n + ' ok/s', data: pts(i, 'ok'), borderColor: colors[i] });
    rate.push({ label: n + ' intended/s', data: pts(i, 'intended'), borderColor: colors[i], borderDash: [4, 3] });
    failed.push({ label: n, data: pts(i, 'failed'), borderColor: colors[i] });
    p99.push({ label: n, data: pts(i, 'p99'), borderColor: colors[i] });
    inflight.push({ label: n, data: pts(i, 'inFlight'), borderColor: colors[i] });
  });
  chart('c-rate', rate); chart('c-failed', failed); chart('c-p99', p99); chart('c-inflight', inflight);
  document.body.setAttribute('data-ready', 'true');
})();
</script>
</body></html>
`;
}

/** Loads both runs (RunDataError names the one that is not a run) and writes the three files into outDir. */
export function writeCompare(dirA: string, dirB: string, outDir: string): CompareResult {
  const a = loadRun(dirA);
  const b = loadRun(dirB);
  mkdirSync(outDir, { recursive: true });
  const files = { html: join(outDir, 'report.html'), markdown: join(outDir, 'summary.md'), junit: join(outDir, 'junit.xml') };
  writeFileSync(files.html, renderCompareHtml(a, b));
  writeFileSync(files.markdown, renderCompareMd(a, b));
  writeFileSync(files.junit, renderCompareJunit(a, b));
  return { files, runs: [a, b] };
}
