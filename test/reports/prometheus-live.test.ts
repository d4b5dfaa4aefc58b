import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from './prometheus-harness.ts';
import { startLiveStack, type LiveStack } from './live-stack.ts';
import { loadRun, writeReports } from '../../harness/report/index.ts';
import { openBrowser, openPage, inkOf } from './browser.ts';

interface Target { expr: string; refId: string }
interface Panel { title: string; type: string; targets?: Target[]; panels?: Panel[] }

function panelsOf(file: string): Panel[] {
  const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: Panel[] };
  return d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** Grafana's variables as Grafana expands them for a 1 s scrape ($__rate_interval = 4 × scrape), all runs and segments. */
function expand(expr: string): string {
  return expr.replaceAll('$__rate_interval', '4s').replaceAll('$__interval', '1s').replaceAll('$__range', '1m').replaceAll('$run_id', '.*').replaceAll('$segment', '.*');
}

let stack: LiveStack;

beforeAll(async () => {
  // smoke: every main journey (card additions, wallet list, BPD ...) in about 15 s.
  stack = await startLiveStack('smoke');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a real run scraped by a real Prometheus', () => {
  it('ran the scenario to the end and wrote summary.json', () => {
    expect(existsSync(join(stack.runDir, 'summary.json')), stack.runStderr).toBe(true);
    // 0 pass, 99 SLO failed, 98 invalid on a busy machine: all are complete runs with a summary.
    expect([0, 98, 99]).toContain(stack.runExit);
  });

  it('counts the same requests server-side and engine-side as summary.json, within the scrape-interval edge', async () => {
    const run = loadRun(stack.runDir);
    const total = run.summary.requests.total;
    expect(total).toBeGreaterThan(100);
    // The edge: what completed in the last 4 s of the run may postdate the engine's last scrape
    // (1 s scrape interval + the per-second aggregation + one second of slack).
    const edge = run.series.slice(-4).reduce((a, s) => a + s.completed, 0) + 1;
    const [engine] = await stack.prom.query('sum(last_over_time(picco_requests_total[10m]))');
    const [server] = await stack.prom.query('sum(http_requests_total{route!="/metrics"})');
    const engineCount = Number(engine!.value[1]);
    const serverCount = Number(server!.value[1]);
    expect(engineCount).toBeLessThanOrEqual(total);
    expect(total - engineCount, `engine ${engineCount} vs summary ${total} (edge ${edge})`).toBeLessThanOrEqual(edge);
    expect(Math.abs(serverCount - total), `server ${serverCount} vs summary ${total} (edge ${edge})`).toBeLessThanOrEqual(edge);
    // Card additions, endpoint by endpoint.
    const cc = Object.entries(run.summary.endpoints).find(([k]) => k === 'POST /v1/wallet/cc')![1].count;
    const [serverCc] = await stack.prom.query('sum(http_requests_total{method="POST",route=~".*/v1/wallet/cc"})');
    expect(Math.abs(Number(serverCc!.value[1]) - cc)).toBeLessThanOrEqual(edge);
  });

  it('evaluates the recording rules of dashboards/rules on the scraped data', async () => {
    const r = await stack.prom.query('last_over_time(slo:card_add_errors:ratio_rate5m[10m])');
    expect(r.length).toBe(1);
    expect(Number(r[0]!.value[1])).toBeGreaterThanOrEqual(0);
  });

  describe.each(['launch-overview.json', 'capacity.json'])('Grafana dashboard %s', (file) => {
    it('has only panels whose PromQL parses and returns data', async () => {
      const panels = panelsOf(file).filter((p) => p.type !== 'text');
      expect(panels.length).toBeGreaterThan(8);
      const empty: string[] = [];
      for (const p of panels) {
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          const r = await stack.prom.queryRange(expand(t.expr), Math.floor(stack.startS), Math.ceil(stack.endS), 1);
          expect(r.status, `${p.title} ${t.refId}: ${t.expr}: ${r.error ?? ''}`).toBe('success');
          const points = r.result.reduce((n, s) => n + s.values.filter(([, v]) => v !== 'NaN').length, 0);
          if (points === 0) empty.push(`${p.title} [${t.refId}] ${t.expr}`);
        }
      }
      expect(empty).toEqual([]);
    });
  });

  it('adds the server-side view to report.html with --prometheus, drawn in Chromium', async () => {
    const r = await writeReports(stack.runDir, { prometheus: stack.prom.url });
    const html = readFileSync(r.files.html, 'utf8');
    for (const title of ['CPU (cores) by process', 'Event-loop lag p99', 'Server requests by status', 'Downstream saturation']) expect(html).toContain(title);
    const browser = await openBrowser();
    try {
      const s = await openPage(browser.browser);
      await s.page.goto(pathToFileURL(r.files.html).href);
      await s.page.waitForSelector('body[data-ready="true"]');
      expect(await s.page.isVisible('#server-section')).toBe(true);
      const n = await s.page.locator('#server-charts canvas').count();
      expect(n).toBeGreaterThanOrEqual(4);
      for (let i = 0; i < n; i++) expect(await inkOf(s.page, `c-server-${i}`), `server chart ${i}`).toBeGreaterThan(0.003);
      expect(s.consoleErrors).toEqual([]);
      expect(s.requests).toEqual([pathToFileURL(r.files.html).href]);
      await s.page.screenshot({ path: join(import.meta.dirname, '..', '..', 'reports', 'out', 'test-screenshots', 'report-with-prometheus.png'), fullPage: true });
      await s.close();
    } finally {
      await browser.close();
    }
  });
});
