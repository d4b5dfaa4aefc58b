// Generates launch-overview.json and capacity.json (Grafana schema 39): `node dashboards/generate.mjs`.
// Panels are data, so layout and datasource wiring stay uniform; edit here, not in the JSON.
import { writeFileSync } from 'node:fs';
const DS = { type: 'prometheus', uid: '${datasource}' };
// The engine's series carry run_id and segment (K/N): N generators scraped by one Prometheus.
// Every engine query is scoped to the chosen runs and segments (default: all) and sums over
// what it does not group by, so a panel shows the union of the segments, as the merged report.
const ENGINE_SCOPE = 'run_id=~"$run_id",segment=~"$segment"';
function scopeEngine(expr) {
  return expr.replace(/\b(picco_[a-z_]+)(\{([^}]*)\})?/g, (_m, name, _b, inner) => `${name}{${inner ? `${inner},` : ''}${ENGINE_SCOPE}}`);
}
const engineVar = (name, label) => ({
  name, label, type: 'query', datasource: DS, definition: `label_values(picco_arrivals_intended_total, ${name})`,
  query: { query: `label_values(picco_arrivals_intended_total, ${name})`, refId: `${name}-values` },
  includeAll: true, allValue: '.*', multi: true, refresh: 2, sort: 1, hide: 0, current: { selected: true, text: ['All'], value: ['$__all'] },
});
let id = 0;
function panel(title, targets, { type = 'timeseries', unit = 'short', w = 12, h = 8, stack = false, description, extra = {} } = {}) {
  const p = {
    id: ++id, type, title, datasource: DS, gridPos: { x: 0, y: 0, w, h },
    targets: targets.map(([expr, legendFormat, more], i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr: scopeEngine(expr), legendFormat, ...(more ?? {}) })),
    fieldConfig: { defaults: { unit, custom: type === 'timeseries' ? { lineWidth: 1, fillOpacity: stack ? 60 : 10, stacking: { mode: stack ? 'normal' : 'none', group: 'A' } } : {} }, overrides: [] },
    options: type === 'timeseries' ? { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi' } } : {},
    ...extra,
  };
  if (description) p.description = description;
  return p;
}
function row(title) { return { id: ++id, type: 'row', title, collapsed: false, gridPos: { x: 0, y: 0, w: 24, h: 1 }, panels: [] }; }
function layout(panels) {
  let x = 0, y = 0, rowH = 0;
  for (const p of panels) {
    if (x + p.gridPos.w > 24 || p.type === 'row') { x = 0; y += rowH; rowH = 0; }
    p.gridPos.x = x; p.gridPos.y = y; x += p.gridPos.w; rowH = Math.max(rowH, p.gridPos.h);
    if (p.type === 'row') { x = 0; y += 1; rowH = 0; }
  }
  return panels;
}
function dashboard(uid, title, description, panels) {
  return {
    uid, title, description, tags: ['picco'], timezone: 'utc', schemaVersion: 39, version: 1, editable: true,
    refresh: '5s', time: { from: 'now-30m', to: 'now' }, graphTooltip: 1,
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }, engineVar('run_id', 'Run'), engineVar('segment', 'Segment')] },
    annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, name: 'Annotations & Alerts', type: 'dashboard' }] },
    panels: layout(panels),
  };
}
const R = '$__rate_interval';
// The reference server exposes no storage-pool metrics: SQLite (better-sqlite3) runs synchronously
// on the event loop, so its saturation is event-loop lag; PostgreSQL pool waits and commit time
// land in the latency of the write routes. These two series are that honest proxy.
const DB_TARGETS = [
  [`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{method=~"POST|PUT|PATCH|DELETE"}[${R}])))`, 'write routes p99'],
  [`sum(rate(http_request_duration_seconds_sum{method=~"POST|PUT|PATCH|DELETE"}[${R}]))`, 'write requests in service (Little)'],
];
const DB_HELP = 'No storage-pool metrics on the reference server: SQLite is synchronous on the event loop (see event-loop lag); PostgreSQL pool waits and commits show in write-route latency and concurrency.';
const CC = 'method="POST",route=~".*/v1/wallet/cc"';
const WL = 'method="GET",route=~".*/v2/wallet"';

id = 0;
const overview = dashboard('picco-launch-overview', 'picco · launch overview',
  'A launch rehearsal at a glance: the plan against what the engine achieved and what the server saw, latency from the intended start, errors, dropped arrivals, and where the server saturates.', [
  row('Rate against the plan'),
  panel('Arrivals: intended (plan) vs achieved vs dropped', [
    [`sum(rate(picco_arrivals_intended_total[${R}]))`, 'intended (plan)'],
    [`sum(rate(picco_arrivals_intended_total[${R}])) - sum(rate(picco_arrivals_dropped_total[${R}]))`, 'achieved arrivals'],
    [`sum(rate(picco_arrivals_dropped_total[${R}]))`, 'dropped arrivals'],
    [`sum(rate(picco_requests_total[${R}]))`, 'requests (engine)'],
    [`sum(rate(http_requests_total{route!="/metrics"}[${R}]))`, 'requests seen by server'],
  ], { unit: 'reqps', description: 'Open model: intended arrivals come from the schedule (a journey arrival makes several requests); dropped arrivals mean the target (or the generator) is not keeping up.' }),
  panel('Engine rate by endpoint (journey step)', [[`sum by (endpoint) (rate(picco_requests_total[${R}]))`, '{{endpoint}}']], { unit: 'reqps', stack: true }),
  panel('Server rate by route', [[`sum by (method, route) (rate(http_requests_total{route!="/metrics"}[${R}]))`, '{{method}} {{route}}']], { unit: 'reqps', stack: true }),
  panel('Card additions and wallet list (server)', [
    [`sum(rate(http_requests_total{${CC}}[${R}]))`, 'card additions POST /v1/wallet/cc'],
    [`sum(rate(http_requests_total{${WL}}[${R}]))`, 'wallet list GET /v2/wallet'],
  ], { unit: 'reqps', description: 'December 2020: card additions peaked at ~8,000/s on 7 Dec.' }),
  row('Latency'),
  panel('Latency from intended start (engine)', [
    [`histogram_quantile(0.50, sum by (le) (rate(picco_request_latency_seconds_bucket[${R}])))`, 'p50'],
    [`histogram_quantile(0.95, sum by (le) (rate(picco_request_latency_seconds_bucket[${R}])))`, 'p95'],
    [`histogram_quantile(0.99, sum by (le) (rate(picco_request_latency_seconds_bucket[${R}])))`, 'p99'],
    [`histogram_quantile(0.99, sum by (le) (rate(picco_request_service_time_seconds_bucket[${R}])))`, 'p99 service time'],
  ], { unit: 's', description: 'From the intended start (includes queueing the target caused) vs from the actual send (service time). The gap is coordinated omission made visible.' }),
  panel('Server latency p99 by route', [[`histogram_quantile(0.99, sum by (method, route, le) (rate(http_request_duration_seconds_bucket{route!="/metrics"}[${R}])))`, '{{method}} {{route}}']], { unit: 's' }),
  panel('Latency heatmap (engine, from intended start)', [[`sum by (le) (increase(picco_request_latency_seconds_bucket[${R}]))`, '{{le}}', { format: 'heatmap' }]], {
    type: 'heatmap', unit: 's', w: 24,
    extra: { options: { calculate: false, yAxis: { unit: 's' }, color: { mode: 'scheme', scheme: 'Oranges', exponent: 0.5 }, cellGap: 1 } },
  }),
  row('Errors and SLOs'),
  panel('Responses by status (server)', [[`sum by (status) (rate(http_requests_total{route!="/metrics"}[${R}]))`, '{{status}}']], { unit: 'reqps', stack: true }),
  panel('Non-2xx share: server and engine', [
    [`(sum(rate(http_requests_total{route!="/metrics",status!~"2.."}[${R}])) or vector(0)) / sum(rate(http_requests_total{route!="/metrics"}[${R}]))`, 'server'],
    [`(sum(rate(picco_requests_total{status!~"2.."}[${R}])) or vector(0)) / sum(rate(picco_requests_total[${R}]))`, 'engine'],
  ], { unit: 'percentunit' }),
  panel('Errors by endpoint and status (engine)', [[`sum by (endpoint, status) (rate(picco_requests_total[${R}]))`, '{{endpoint}} {{status}}']], { unit: 'reqps' }),
  panel('SLO: error ratio (5m) vs budget', [
    ['slo:card_add_errors:ratio_rate5m', 'card additions 5xx'],
    ['slo:wallet_list_errors:ratio_rate5m', 'wallet list 5xx'],
    ['slo:card_add_slow:ratio_rate5m', 'card additions > 1 s'],
    ['slo:wallet_list_slow:ratio_rate5m', 'wallet list > 0.5 s'],
  ], { unit: 'percentunit', description: 'Recording rules from dashboards/rules/slo.yml. Budgets: 0.1 % 5xx, 1 % slow.' }),
  row('Generator health'),
  panel('Dropped arrivals and in flight', [
    [`sum(rate(picco_arrivals_dropped_total[${R}]))`, 'dropped / s'],
    ['sum(picco_in_flight)', 'in flight'],
  ], { description: 'Dropped: arrivals not started because the in-flight cap was reached (k6 "dropped_iterations").' }),
  panel('Engine scheduling lag p99', [[`histogram_quantile(0.99, sum by (le) (rate(picco_scheduling_lag_seconds_bucket[${R}])))`, 'p99 lag']], { unit: 's', description: 'Above a few ms, the generator itself is behind and the run is invalid.' }),
  panel('Segments: arrivals by segment', [
    [`sum by (segment) (rate(picco_arrivals_intended_total[${R}]))`, '{{segment}}'],
    ['count(count by (segment) (picco_arrivals_intended_total))', 'segments reporting'],
  ], { unit: 'reqps', stack: false, description: 'Each segment takes a 1/N stripe of every second (--segment K/N): the lines should be equal and start together (--start-at). A line that starts late, or a missing one, shifts or drops a stripe of the peak.' }),
  panel('Segments: scheduling lag p99 by segment', [[`histogram_quantile(0.99, sum by (segment, le) (rate(picco_scheduling_lag_seconds_bucket[${R}])))`, '{{segment}}']], { unit: 's', description: 'One generator falling behind shows here before it shows in the union.' }),
  row('Saturation'),
  panel('Event-loop lag p99', [['max by (job) (nodejs_eventloop_lag_p99_seconds)', '{{job}}']], { unit: 's' }),
  panel('CPU by process', [[`sum by (job) (rate(process_cpu_seconds_total[${R}]))`, '{{job}}']], { unit: 'percentunit' }),
  panel('Database: write-route latency and storage-bound concurrency', DB_TARGETS, { unit: 's', description: DB_HELP }),
  panel('Admission control: in flight vs limit, rejections', [
    ['sum by (class) (admission_in_flight)', 'in flight {{class}}'],
    ['sum by (class) (admission_limit)', 'limit {{class}}'],
    [`sum(rate(admission_rejected_total[${R}])) or vector(0)`, 'rejected / s'],
  ], { description: 'The server sheds load per route class before queues grow without bound (issue 7); rejected requests are 503s with Retry-After.' }),
  panel('Downstream queues and in flight', [['sum by (__name__, service) ({__name__=~"downstream_.+", __name__!~".+_(bucket|sum|count|created|total)"})', '{{__name__}} {{service}}']], {
    description: 'Simulated acquirer, ACS, PagoBancomat processors, IBAN check: queue depth and in-flight against capacity.',
  }),
]);

id = 0;
const capacity = dashboard('picco-capacity', 'picco · capacity',
  'Where the knee is: throughput against latency and saturation, per core and per instance, for planning instance counts (see `picco capacity`).', [
  row('Throughput and latency'),
  panel('Throughput: achieved vs intended', [
    [`sum(rate(picco_arrivals_intended_total[${R}]))`, 'intended'],
    [`sum(rate(http_requests_total{route!="/metrics"}[${R}]))`, 'served'],
    [`sum(rate(http_requests_total{route!="/metrics",status=~"2.."}[${R}]))`, 'served 2xx (goodput)'],
  ], { unit: 'reqps' }),
  panel('p99 latency from intended start vs service time', [
    [`histogram_quantile(0.99, sum by (le) (rate(picco_request_latency_seconds_bucket[${R}])))`, 'p99 from intended start'],
    [`histogram_quantile(0.99, sum by (le) (rate(picco_request_service_time_seconds_bucket[${R}])))`, 'p99 service time'],
    [`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route!="/metrics"}[${R}])))`, 'p99 server-side'],
  ], { unit: 's' }),
  panel('Requests per CPU-second (server)', [[`sum(rate(http_requests_total{route!="/metrics"}[${R}])) / sum(rate(process_cpu_seconds_total{job="picco-server"}[${R}]))`, 'requests per core-second']], {
    description: 'Efficiency per core: divide a target rate by this to get cores, then instances. It falls as contention grows (USL sigma, kappa).',
  }),
  panel('Little\'s law: concurrency in the server', [[`sum(rate(http_request_duration_seconds_sum{route!="/metrics"}[${R}]))`, 'mean requests in service']], {
    description: 'rate(duration sum) = arrival rate x mean time in system = mean concurrency (Little).',
  }),
  row('Saturation'),
  panel('CPU by process (cores)', [[`sum by (job, instance) (rate(process_cpu_seconds_total[${R}]))`, '{{job}} {{instance}}']], { unit: 'short' }),
  panel('Event-loop lag p99 and mean', [
    ['max by (job) (nodejs_eventloop_lag_p99_seconds)', 'p99 {{job}}'],
    ['max by (job) (nodejs_eventloop_lag_mean_seconds)', 'mean {{job}}'],
  ], { unit: 's' }),
  panel('Heap used', [['sum by (job) (nodejs_heap_size_used_bytes)', '{{job}}']], { unit: 'bytes' }),
  panel('GC time share', [[`sum by (job) (rate(nodejs_gc_duration_seconds_sum[${R}]))`, '{{job}}']], { unit: 'percentunit' }),
  panel('Database: write-route latency and storage-bound concurrency', DB_TARGETS, { unit: 's', description: DB_HELP }),
  panel('Admission: in flight against the adaptive limit', [['sum by (class) (admission_in_flight) / sum by (class) (admission_limit)', '{{class}}']], { unit: 'percentunit' }),
  panel('Downstream saturation', [['sum by (__name__, service) ({__name__=~"downstream_.+", __name__!~".+_(bucket|sum|count|created|total)"})', '{{__name__}} {{service}}']], {}),
  panel('Open connections and handles', [['sum by (job) (nodejs_active_handles_total)', '{{job}}']], {}),
  panel('Generator headroom: scheduling lag p99', [[`histogram_quantile(0.99, sum by (le) (rate(picco_scheduling_lag_seconds_bucket[${R}])))`, 'p99 lag']], { unit: 's' }),
]);
for (const [f, d] of [['launch-overview.json', overview], ['capacity.json', capacity]]) {
  writeFileSync(new URL(f, import.meta.url), JSON.stringify(d, null, 2) + '\n');
}
