/**
 * The server's Prometheus metrics, registered on a prom-client Registry passed in (never the
 * global default), so tests and several apps in one process never collide. Labels are route
 * patterns, outcomes and service names: a closed, small set; never a PAN, fiscal code, token or
 * IBAN. Duration buckets reach 30 s because overload (queues in front of the simulated
 * card processors) is what picco exists to show.
 *
 * @example
 * const metrics = createMetrics(new Registry());
 * metrics.cardsAdded.add('created');
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.ts';

/**
 * A counter by `outcome` for the request path: counted with plain arithmetic, handed to
 * prom-client when /metrics is scraped (its labels().inc() hashes the label set on every call).
 */
export interface Tally {
  add(outcome: string): void;
}

function tally(registry: Registry, name: string, help: string): Tally {
  const counts = new Map<string, number>();
  new Counter({ name, help, labelNames: ['outcome'], registers: [registry], collect() {
    this.reset();
    for (const [outcome, n] of counts) this.inc({ outcome }, n);
  } });
  return { add: (outcome) => counts.set(outcome, (counts.get(outcome) ?? 0) + 1) };
}

export interface ServerMetrics {
  registry: Registry;
  /** http_requests_total and http_request_duration_seconds (request-metrics.ts says why not prom-client's). */
  http: RequestMetrics;
  cardsAdded: Tally;
  instrumentsEnabled: Tally;
  ibanChecks: Tally;
  downstreamInFlight: Gauge<'service'>;
  downstreamQueueDepth: Gauge<'service'>;
  downstreamCalls: Counter<'service' | 'outcome'>;
  downstreamDuration: Histogram<'service'>;
  faultsInjected: Counter<'route'>;
}

export function createMetrics(registry: Registry, opts: { defaultMetrics?: boolean } = {}): ServerMetrics {
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    http: new RequestMetrics(registry, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 16, 30]),
    cardsAdded: tally(registry, 'wallet_cards_added_total', 'POST /v1/wallet/cc outcomes (created, already_exists, invalid)'),
    instrumentsEnabled: tally(registry, 'bpd_instruments_enabled_total',
      'PUT payment-instruments outcomes (enabled, unchanged, conflict, citizen_not_enabled)'),
    ibanChecks: tally(registry, 'bpd_iban_checks_total', 'IBAN PATCH outcomes (OK, KO, UNKNOWN_PSP, invalid)'),
    downstreamInFlight: new Gauge({ name: 'downstream_in_flight', help: 'Calls being served by a simulated downstream service',
      labelNames: ['service'], registers }),
    downstreamQueueDepth: new Gauge({ name: 'downstream_queue_depth', help: 'Calls waiting for a simulated downstream service',
      labelNames: ['service'], registers }),
    downstreamCalls: new Counter({ name: 'downstream_calls_total', help: 'Downstream calls by outcome (ok, error, rejected, timeout)',
      labelNames: ['service', 'outcome'], registers }),
    downstreamDuration: new Histogram({ name: 'downstream_call_duration_seconds', help: 'Downstream call duration, queue wait included',
      labelNames: ['service'], registers, buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 16, 30] }),
    faultsInjected: new Counter({ name: 'server_faults_injected_total', help: 'Route failures injected by the faults profile',
      labelNames: ['route'], registers }),
  };
}
