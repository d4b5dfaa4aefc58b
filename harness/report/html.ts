/**
 * report.html: one self-contained page (Chart.js and the data inlined, no network) that a
 * capacity planner can mail around or a CI system can archive. The same page, in `live` mode,
 * is what the `--dashboard` server hands out while a run goes: the trade-off is a slightly
 * larger file (Chart.js is ~200 KB) for a report that opens anywhere, offline, forever.
 *
 * @example
 *   writeFileSync('report.html', renderReportHtml({ mode: 'report', summary, series }));
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Second, SummaryAsRead } from './run-data.ts';
import { escapeHtml, sloValue } from './format.ts';

/** One server-side chart from PromQL range queries; x in seconds since the run's start. */
export interface ServerPanel {
  title: string;
  unit: string;
  query: string;
  series: Array<{ label: string; points: Array<[number, number]> }>;
}

/** The subset of a ScenarioPlan the live page uses (a full ScenarioPlan fits). */
export interface PlanInfo {
  scenario: string;
  durationS: number;
  expected?: Record<string, number>;
}

export interface PageData {
  mode: 'report' | 'live';
  summary: SummaryAsRead | null;
  series: Second[];
  plan?: PlanInfo | undefined;
  server?: ServerPanel[] | undefined;
  /** Problems met while gathering the page's data (e.g. Prometheus unreachable), shown on the page. */
  notes?: string[] | undefined;
}

let chartJs: string | undefined;
let client: string | undefined;

function assets(): { chartJs: string; client: string } {
  if (chartJs === undefined) {
    const require = createRequire(import.meta.url);
    // The package's exports hide dist/; resolve its main entry and take the UMD build beside it.
    chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  }
  client ??= readFileSync(new URL('./client/report-client.js', import.meta.url), 'utf8');
  return { chartJs, client };
}

/** JSON safe to inline in a <script>: no `</script>`, no U+2028/2029 surprises. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function inlineScript(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}

export function renderReportHtml(data: PageData): string {
  const { chartJs: lib, client: code } = assets();
  const scenario = data.summary?.scenario ?? data.plan?.scenario ?? 'run';
  const title = `picco ${data.mode === 'live' ? 'live' : 'report'}: ${scenario}`;
  const summary = data.summary === null ? null : { ...data.summary, slo: data.summary.slo.map((o) => ({ ...o, display: sloValue(o.threshold, o.name, o.value) })) };
  const payload = { mode: data.mode, summary, series: data.series, plan: data.plan ?? null, server: data.server ?? [] };
  const when = data.summary?.startedAt ? ` · ${escapeHtml(data.summary.startedAt)}` : '';
  const target = data.summary?.target ? ` · target ${escapeHtml(data.summary.target)}` : '';
  const notes = (data.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'">
<title>${escapeHtml(title)}</title>
<style>
body{font:13px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f3f4f6;color:#111827}
header{background:#111827;color:#f9fafb;padding:12px 20px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0}header .meta{color:#9ca3af}
.verdict{font-weight:700;padding:3px 10px;border-radius:4px}.verdict.pass{background:#16a34a}.verdict.fail{background:#dc2626}
.verdict.invalid{background:#ca8a04}.verdict.running{background:#2563eb}
main{padding:12px 20px}#headline{margin:4px 0 12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.card{background:#fff;border-radius:6px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card h3{margin:0 0 6px;font-size:14px}.chart{position:relative;height:260px}
table{border-collapse:collapse;width:100%}td,th{padding:3px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
td:first-child,th:first-child{text-align:left}tr.bad td{color:#b91c1c;font-weight:600}tr.ok td:last-child{color:#15803d}
td.st{font-size:11px;color:#4b5563}.q{color:#6b7280;font-size:11px;margin:4px 0 0;overflow-wrap:anywhere}.note{color:#b45309}
h2{font-size:15px;margin:18px 0 8px}
</style></head>
<body data-mode="${data.mode}">
<header><h1>picco · ${escapeHtml(scenario)}</h1><span id="verdict" class="verdict"></span><span class="meta">${data.mode === 'live' ? 'live' : 'report'}${when}${target}</span></header>
<main>
<p id="headline"></p>${notes}
<div class="grid">
<div class="card"><h3>SLO verdicts</h3><table id="slo-table"></table></div>
<div class="card"><h3>Achieved vs intended rate: arrivals (left), requests (right)</h3><div class="chart"><canvas id="c-rate"></canvas></div></div>
<div class="card"><h3>Latency percentiles: from intended start (solid) and service time (dashed)</h3><div class="chart"><canvas id="c-latency"></canvas></div></div>
<div class="card"><h3>Responses by status</h3><div class="chart"><canvas id="c-status"></canvas></div></div>
<div class="card"><h3>Requests and errors by endpoint</h3><div class="chart"><canvas id="c-endpoints"></canvas></div></div>
<div class="card"><h3>In flight (left) and the generator's own delay (right): scheduling lag, lag + read delay, event-loop delay</h3><div class="chart"><canvas id="c-inflight"></canvas></div></div>
</div>
<h2>Endpoints</h2><div class="card"><table id="endpoints-table"></table></div>
<section id="server-section" hidden><h2>Server side (Prometheus)</h2><div class="grid" id="server-charts"></div></section>
</main>
<script>${inlineScript(lib)}</script>
<script>window.__PICCO__ = ${inlineJson(payload)};</script>
<script>${inlineScript(code)}</script>
</body></html>
`;
}
