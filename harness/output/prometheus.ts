/**
 * The engine's own Prometheus exposition on `--metrics-port` (prom-client, its own Registry,
 * never the global one). Fed from the main thread's merged seconds, so the engine's hot path
 * never touches prom-client: counters add the second's deltas, histograms replay the second's
 * HDR buckets (value × count).
 *
 * Metrics: picco_requests_total{endpoint,status}, picco_arrivals_intended_total,
 * picco_arrivals_dropped_total, picco_in_flight, picco_request_latency_seconds{endpoint},
 * picco_request_service_time_seconds{endpoint}, picco_scheduling_lag_seconds, and the generator's
 * own delay: picco_generator_delay_seconds (per request, scheduling lag + read delay),
 * picco_read_delay_seconds, and per engine thread picco_event_loop_delay_seconds{worker,quantile}
 * and picco_event_loop_utilisation{worker} of the last second, picco_gc_pause_seconds_total{worker}.
 * Every series also
 * carries `segment` (K/N, `1/1` for a whole run) and `run_id` (the run's id: segments of one
 * rehearsal share it, e.g. with --run-id), so one Prometheus scraping N generators sums them and
 * can still tell a lagging segment apart.
 *
 * @example
 * const m = new EngineMetrics({ segment: '2/4', run_id: 'rehearsal-1' });
 * const s = await startMetricsServer(9464, m); m.second(record); await s.close();
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SecondRecord } from '../metrics/aggregate.ts';
import { decode } from '../metrics/histogram.ts';

const LAG_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 16, 30];

interface Iter {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

function replay(b64: string, h: Histogram<string>, labels: Record<string, string>): void {
  if (b64 === '') return;
  const it = (decode(b64) as unknown as { recordedValuesIterator: Iter }).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    const s = v.valueIteratedTo / 1e6;
    for (let k = 0; k < v.countAtValueIteratedTo; k++) h.observe(labels, s);
  }
}

export class EngineMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'picco_requests_total', help: 'Requests completed by the engine', labelNames: ['endpoint', 'status'], registers: [this.registry] });
  private readonly intended = new Counter({ name: 'picco_arrivals_intended_total', help: 'Arrivals the schedule released', registers: [this.registry] });
  private readonly dropped = new Counter({ name: 'picco_arrivals_dropped_total', help: 'Arrivals dropped at the in-flight cap', registers: [this.registry] });
  private readonly inFlight = new Gauge({ name: 'picco_in_flight', help: 'Requests or journeys in flight', registers: [this.registry] });
  private readonly latency = new Histogram({ name: 'picco_request_latency_seconds', help: 'Latency from the intended start', labelNames: ['endpoint'], buckets: BUCKETS, registers: [this.registry] });
  private readonly service = new Histogram({ name: 'picco_request_service_time_seconds', help: 'Service time from the actual send', labelNames: ['endpoint'], buckets: BUCKETS, registers: [this.registry] });
  private readonly lag = new Histogram({ name: 'picco_scheduling_lag_seconds', help: 'Release time minus intended time', buckets: LAG_BUCKETS, registers: [this.registry] });
  private readonly gen = new Histogram({ name: 'picco_generator_delay_seconds', help: "Per request, the generator's part of its latency: scheduling lag + read delay", buckets: LAG_BUCKETS, registers: [this.registry] });
  private readonly read = new Histogram({ name: 'picco_read_delay_seconds', help: 'Per response, upper bound on how long it sat readable before the engine recorded it', buckets: LAG_BUCKETS, registers: [this.registry] });
  private readonly eld = new Gauge({ name: 'picco_event_loop_delay_seconds', help: "Engine thread's event-loop delay over the last second", labelNames: ['worker', 'quantile'], registers: [this.registry] });
  private readonly elu = new Gauge({ name: 'picco_event_loop_utilisation', help: "Engine thread's event-loop utilisation over the last second (0..1)", labelNames: ['worker'], registers: [this.registry] });
  private readonly gc = new Counter({ name: 'picco_gc_pause_seconds_total', help: "Engine thread's garbage-collection pauses", labelNames: ['worker'], registers: [this.registry] });

  constructor(labels: { segment: string; run_id: string } = { segment: '1/1', run_id: '' }) {
    this.registry.setDefaultLabels(labels);
  }

  second(r: SecondRecord): void {
    this.intended.inc(r.intended);
    this.dropped.inc(r.dropped);
    this.inFlight.set(r.inFlight);
    for (const [endpoint, e] of Object.entries(r.endpoints)) {
      for (const [status, n] of Object.entries(e.status)) this.requests.inc({ endpoint, status }, n);
      replay(e.latency, this.latency, { endpoint });
      replay(e.serviceTime, this.service, { endpoint });
    }
    replay(r.lag, this.lag, {});
    replay(r.genDelay ?? '', this.gen, {});
    replay(r.readDelay ?? '', this.read, {});
    for (const th of r.threads ?? []) {
      const worker = String(th.worker);
      this.eld.set({ worker, quantile: '0.5' }, th.eventLoopDelayMs.p50 / 1000);
      this.eld.set({ worker, quantile: '0.99' }, th.eventLoopDelayMs.p99 / 1000);
      this.eld.set({ worker, quantile: '1' }, th.eventLoopDelayMs.max / 1000);
      this.elu.set({ worker }, th.utilisation);
      this.gc.inc({ worker }, th.gcMs.total / 1000);
    }
  }
}

export async function startMetricsServer(port: number, m: EngineMetrics): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void m.registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': m.registry.contentType }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
