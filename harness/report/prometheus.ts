/**
 * The server-side view of a run: PromQL range queries over the run's time window against a
 * Prometheus that scraped the target (and the engine) during the run. The report asks for a
 * fixed set of panels (CPU, event-loop lag, server request rate, DB and downstream saturation)
 * and keeps whatever answers; a panel with no data is reported as a note, never an error,
 * because targets other than the reference server expose different metrics.
 *
 * @example
 *   const panels = await queryServerPanels('http://127.0.0.1:9090', startMs, endMs);
 */
import { PiccoError } from '../errors.ts';
import type { ServerPanel } from './html.ts';

export interface PanelQuery {
  title: string;
  unit: string;
  query: string;
}

/** Window-sized rate() ranges: wide enough to hold two scrapes at the 1 s test interval and 5 s default. */
export const SERVER_PANELS: PanelQuery[] = [
  { title: 'CPU (cores) by process', unit: 'cores', query: 'sum by (job) (rate(process_cpu_seconds_total[15s]))' },
  { title: 'Event-loop lag p99', unit: 'ms', query: 'max by (job) (nodejs_eventloop_lag_p99_seconds) * 1000' },
  { title: 'Server requests by status', unit: 'requests / s', query: 'sum by (status) (rate(http_requests_total[15s]))' },
  { title: 'Server latency p99 by route', unit: 'ms', query: 'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket[15s]))) * 1000' },
  // No storage-pool metrics on the reference server: SQLite is synchronous on the event loop (its
  // saturation is event-loop lag), PostgreSQL pool waits land in write-route latency.
  { title: 'Database: write-route p99 (storage commit inside)', unit: 'ms', query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{method=~"POST|PUT|PATCH|DELETE"}[15s]))) * 1000' },
  { title: 'Admission: in flight by route class', unit: 'requests', query: 'sum by (class) (admission_in_flight)' },
  { title: 'Downstream saturation (queues, in flight)', unit: 'value', query: '{__name__=~"downstream_.+", __name__!~".+_(bucket|sum|count|created|total)"}' },
];

export class PrometheusError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_PROMETHEUS', message, options);
  }
}

interface Matrix {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

function labelOf(metric: Record<string, string>): string {
  const parts = Object.entries(metric).filter(([k]) => k !== 'instance');
  if (parts.length === 0) return 'value';
  const name = metric['__name__'];
  const rest = parts.filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${v}`).join(',');
  return name ? (rest ? `${name}{${rest}}` : name) : rest;
}

export async function rangeQuery(base: string, query: string, startS: number, endS: number, stepS: number): Promise<Matrix> {
  const url = new URL('api/v1/query_range', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', query);
  url.searchParams.set('start', String(startS));
  url.searchParams.set('end', String(endS));
  url.searchParams.set('step', String(stepS));
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new PrometheusError(`--prometheus ${base} is unreachable: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({ status: 'error', error: `HTTP ${res.status}` }))) as Matrix;
  if (body.status !== 'success') throw new PrometheusError(`query '${query}' failed: ${body.error ?? `HTTP ${res.status}`}`);
  return body;
}

/** Runs every panel over [startMs, endMs]; x values are seconds since startMs. */
export async function queryServerPanels(
  base: string,
  startMs: number,
  endMs: number,
  panels: PanelQuery[] = SERVER_PANELS,
): Promise<{ panels: ServerPanel[]; notes: string[] }> {
  const startS = Math.floor(startMs / 1000);
  const endS = Math.ceil(endMs / 1000) + 1;
  const stepS = Math.max(1, Math.ceil((endS - startS) / 300));
  const out: ServerPanel[] = [];
  const notes: string[] = [];
  for (const p of panels) {
    let m: Matrix;
    try {
      m = await rangeQuery(base, p.query, startS, endS, stepS);
    } catch (err) {
      if (err instanceof PrometheusError && /unreachable/.test(err.message)) throw err;
      notes.push((err as Error).message);
      continue;
    }
    const result = m.data?.result ?? [];
    if (result.length === 0) {
      notes.push(`Prometheus had no data for '${p.title}' (${p.query})`);
      continue;
    }
    out.push({
      ...p,
      series: result.slice(0, 12).map((r) => ({
        label: labelOf(r.metric),
        points: r.values.map(([t, v]) => [t - startMs / 1000, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)),
      })),
    });
  }
  return { panels: out, notes };
}
