/**
 * The server's Prometheus metrics, registered on a prom-client Registry passed in (never the
 * global default), so tests and several apps in one process never collide. Labels are route
 * patterns, outcomes and service names: a closed, small set; never a PAN, fiscal code, token or
 * IBAN. Duration buckets reach 30 s because overload (queues in front of the simulated
 * card processors) is what picco exists to show.
 *
 * @example
 * const metrics = createMetrics(new Registry());
 * metrics.cardsAdded.inc({ outcome: 'created' });
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.ts';

export interface ServerMetrics {
  registry: Registry;
  /** http_requests_total and http_request_duration_seconds (request-metrics.ts says why not prom-client's). */
  http: RequestMetrics;
  cardsAdded: Counter<'outcome'>;
  instrumentsEnabled: Counter<'outcome'>;
  ibanChecks: Counter<'outcome'>;
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
    cardsAdded: new Counter({ name: 'wallet_cards_added_total', help: 'POST /v1/wallet/cc outcomes (created, already_exists, invalid)',
      labelNames: ['outcome'], registers }),
    instrumentsEnabled: new Counter({ name: 'bpd_instruments_enabled_total',
      help: 'PUT payment-instruments outcomes (enabled, unchanged, conflict, citizen_not_enabled)', labelNames: ['outcome'], registers }),
    ibanChecks: new Counter({ name: 'bpd_iban_checks_total', help: 'IBAN PATCH outcomes (OK, KO, UNKNOWN_PSP, invalid)',
      labelNames: ['outcome'], registers }),
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
