/**
 * The live dashboard of `picco run --dashboard [PORT]`: a loopback HTTP server whose page is
 * report.html in live mode, fed once a second by Server-Sent Events, and which turns into the
 * final report when the run ends. SSE rather than WebSockets or polling: one-way, text, built
 * into every browser, no dependency, and a reconnecting page replays what it missed (`?from=N`).
 * Snapshots are validated but never thrown at the caller: a dashboard must not stop a run.
 *
 * @example
 *   const dash = await startDashboard({ port: 0, plan });
 *   console.log(`dashboard: ${dash.url}`);
 *   engine.on('second', (s) => dash.push(s));
 *   dash.finish(summary);            // page becomes the final report
 *   await dash.close();              // at exit
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderReportHtml, type PlanInfo } from '../report/html.ts';
import { parseSecond, parseSummary, type Second, type SummaryAsRead } from '../report/run-data.ts';

export interface DashboardOptions {
  /** Loopback port; 0 picks a free one. */
  port: number;
  /** The run's plan (a ScenarioPlan fits): scenario name and duration frame the live charts. */
  plan: PlanInfo;
  /** Bind address; loopback by default, since the page shows a run's internals. */
  host?: string;
}

export interface Dashboard {
  url: string;
  /** One per-second snapshot, in the series.jsonl line format. */
  push(second: unknown): void;
  /** The run's summary.json object: the page becomes the final report. */
  finish(summary: unknown): void;
  close(): Promise<void>;
  /** Snapshots or summaries that did not validate (dropped, the run goes on). */
  readonly rejected: string[];
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const series: Second[] = [];
  let summary: SummaryAsRead | null = null;
  const clients = new Set<ServerResponse>();
  const rejected: string[] = [];
  const plan: PlanInfo = { scenario: opts.plan.scenario, durationS: opts.plan.durationS, ...(opts.plan.expected ? { expected: opts.plan.expected } : {}) };

  const send = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  function events(req: IncomingMessage, res: ServerResponse, from: number) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    for (let i = Math.max(0, from); i < series.length; i++) send(res, 'second', series[i]);
    if (summary !== null) {
      send(res, 'final', { summary });
      res.end();
      return;
    }
    clients.add(res);
    req.on('close', () => clients.delete(res));
  }

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (u.pathname === '/' || u.pathname === '/report.html') {
      const html = renderReportHtml({ mode: summary === null ? 'live' : 'report', summary, series, plan });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    } else if (u.pathname === '/events') {
      events(req, res, Number(u.searchParams.get('from') ?? '0') || 0);
    } else if (u.pathname === '/series.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ series, summary }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the dashboard serves / and /events\n');
    }
  });
  const heartbeat = setInterval(() => { for (const c of clients) c.write(': keep-alive\n\n'); }, 15_000);
  heartbeat.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`--dashboard ${opts.port}: port already in use; pick another or pass --dashboard 0`) : err));
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/`;

  return {
    url,
    rejected,
    push(second) {
      let s: Second;
      try {
        s = parseSecond(second, 'dashboard snapshot');
      } catch (err) {
        rejected.push((err as Error).message);
        return;
      }
      series.push(s);
      for (const c of clients) send(c, 'second', s);
    },
    finish(final) {
      try {
        summary = parseSummary(final, 'dashboard summary');
      } catch (err) {
        rejected.push((err as Error).message);
        return;
      }
      for (const c of clients) {
        send(c, 'final', { summary });
        c.end();
      }
      clients.clear();
    },
    async close() {
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
