import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, startPrometheus, type TestPrometheus } from './prometheus-harness.ts';
import { startStandIn, type StandIn } from './stand-in-exporter.ts';

interface Target { expr: string; refId: string }
interface Panel { title: string; type: string; targets?: Target[]; panels?: Panel[] }

function panelsOf(file: string): Panel[] {
  const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: Panel[] };
  return d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** Grafana's template variables, as Grafana would expand them for a 1 s scrape interval. */
function expand(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5s').replaceAll('$__interval', '1s').replaceAll('$__range', '1m');
}

let prom: TestPrometheus;
let load: StandIn;
let startS: number;

beforeAll(async () => {
  load = await startStandIn();
  prom = await startPrometheus({ 'picco-server': load.server, 'picco-engine': load.engine });
  startS = Date.now() / 1000;
  await prom.waitForTargetsUp(2);
  // Enough scrapes (1 s) for 5 s rate windows and recording rules to produce points.
  await new Promise((r) => setTimeout(r, 8000));
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await load?.stop();
});

describe.each(['launch-overview.json', 'capacity.json'])('Grafana dashboard %s', (file) => {
  it('has only panels whose PromQL parses and returns data from a real Prometheus', async () => {
    const panels = panelsOf(file).filter((p) => p.type !== 'text');
    expect(panels.length).toBeGreaterThan(8);
    const empty: string[] = [];
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        const endS = Date.now() / 1000;
        const r = await prom.queryRange(expand(t.expr), startS, endS, 1);
        expect(r.status, `${p.title} ${t.refId}: ${t.expr}: ${r.error ?? ''}`).toBe('success');
        const points = r.result.reduce((n, s) => n + s.values.filter(([, v]) => v !== 'NaN').length, 0);
        if (points === 0) empty.push(`${p.title} [${t.refId}] ${t.expr}`);
      }
    }
    expect(empty).toEqual([]);
  });
});
