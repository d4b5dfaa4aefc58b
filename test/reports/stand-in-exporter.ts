/**
 * TEMPORARY stand-in for the reference server and the engine while they are being built: two
 * prom-client registries with the contract's metric names, advanced by a timer. To be replaced
 * by the real `picco serve` + `picco run --metrics-port` before the suite is final.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface StandIn {
  server: string;
  engine: string;
  totals: { server: number; engine: number };
  stop(): Promise<void>;
}

function listen(reg: Registry): Promise<{ srv: Server; addr: string }> {
  const srv = createServer((req, res) => {
    void reg.metrics().then((m) => { res.setHeader('content-type', reg.contentType); res.end(m); });
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => {
    const a = srv.address();
    r({ srv, addr: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
  }));
}

export async function startStandIn(): Promise<StandIn> {
  const s = new Registry();
  const e = new Registry();
  collectDefaultMetrics({ register: s });
  collectDefaultMetrics({ register: e });
  const httpReq = new Counter({ name: 'http_requests_total', help: 'x', labelNames: ['method', 'route', 'status'], registers: [s] });
  const httpDur = new Histogram({ name: 'http_request_duration_seconds', help: 'x', labelNames: ['method', 'route', 'status'], registers: [s] });
  const dq = new Gauge({ name: 'downstream_queue_depth', help: 'x', labelNames: ['service'], registers: [s] });
  const db = new Gauge({ name: 'db_pool_in_use', help: 'x', registers: [s] });
  const pr = new Counter({ name: 'picco_requests_total', help: 'x', labelNames: ['endpoint', 'status'], registers: [e] });
  const intended = new Counter({ name: 'picco_arrivals_intended_total', help: 'x', registers: [e] });
  const dropped = new Counter({ name: 'picco_arrivals_dropped_total', help: 'x', registers: [e] });
  const inflight = new Gauge({ name: 'picco_in_flight', help: 'x', registers: [e] });
  const lat = new Histogram({ name: 'picco_request_latency_seconds', help: 'x', labelNames: ['endpoint'], registers: [e] });
  const svc = new Histogram({ name: 'picco_request_service_time_seconds', help: 'x', labelNames: ['endpoint'], registers: [e] });
  const lag = new Histogram({ name: 'picco_scheduling_lag_seconds', help: 'x', registers: [e] });
  const totals = { server: 0, engine: 0 };
  dropped.inc(0);
  const timer = setInterval(() => {
    for (const [m, route, ep] of [['POST', '/pp-restapi-CD/v1/wallet/cc', 'POST /v1/wallet/cc'], ['GET', '/pp-restapi-CD/v2/wallet', 'GET /v2/wallet']] as const) {
      for (let i = 0; i < 20; i++) {
        const st = i === 0 ? '503' : m === 'POST' ? '201' : '200';
        const d = 0.01 + Math.random() * 0.2;
        httpReq.inc({ method: m, route, status: st });
        httpDur.observe({ method: m, route, status: st }, d);
        pr.inc({ endpoint: ep, status: st });
        intended.inc();
        lat.observe({ endpoint: ep }, d * 1.5);
        svc.observe({ endpoint: ep }, d);
        totals.server++;
        totals.engine++;
      }
    }
    lag.observe(0.001);
    inflight.set(5);
    dq.set({ service: 'acquirer' }, Math.random() * 10);
    db.set(Math.random() * 4);
  }, 100);
  const a = await listen(s);
  const b = await listen(e);
  return {
    server: a.addr,
    engine: b.addr,
    totals,
    async stop() {
      clearInterval(timer);
      await Promise.all([new Promise((r) => a.srv.close(r)), new Promise((r) => b.srv.close(r))]);
    },
  };
}
