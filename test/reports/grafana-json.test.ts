import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from './prometheus-harness.ts';

interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid: string }; targets?: Array<{ expr: string; format?: string }> }
interface Dashboard { uid: string; title: string; schemaVersion: number; templating: { list: Array<{ name: string; type: string }> }; panels: Panel[] }

const files = ['launch-overview.json', 'capacity.json'];
const load = (f: string) => JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')) as Dashboard;

describe.each(files)('Grafana dashboard %s (structure)', (file) => {
  const d = load(file);
  it('is importable: unique uid, a Prometheus datasource variable every panel uses', () => {
    expect(d.uid).toMatch(/^picco-/);
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(d.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    for (const p of d.panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid, p.title).toBe('${datasource}');
  });
  it('lays panels on the 24-column grid without overlaps and with unique ids', () => {
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    const cells = new Set<string>();
    for (const p of d.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const k = `${x},${y}`;
          expect(cells.has(k), `${p.title} overlaps at ${k}`).toBe(false);
          cells.add(k);
        }
      }
    }
  });
});

describe.each(files)('Grafana dashboard %s (segments)', (file) => {
  const d = load(file);
  const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).filter((e) => e.includes('picco_'));
  it('scopes every engine series to the chosen runs and segments, and sums across segments', () => {
    for (const name of ['run_id', 'segment']) {
      const v = d.templating.list.find((x) => x.name === name) as unknown as { type: string; includeAll: boolean; allValue: string; query: { query: string } };
      expect(v, name).toMatchObject({ type: 'query', includeAll: true, allValue: '.*' });
      expect(v.query.query).toBe(`label_values(picco_arrivals_intended_total, ${name})`);
    }
    expect(exprs.length).toBeGreaterThan(3);
    for (const e of exprs) {
      for (const m of e.matchAll(/picco_[a-z_]+(\{[^}]*\})?/g)) expect(m[1] ?? '', e).toMatch(/run_id=~"\$run_id",segment=~"\$segment"\}$/);
      // N generators are N instances: never split an engine figure by instance
      expect(e).not.toMatch(/by \([^)]*instance/);
    }
  });
});

describe('launch overview content', () => {
  const d = load('launch-overview.json');
  const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
  it('covers plan vs achieved, latency heatmap, errors, dropped and saturation', () => {
    expect(exprs).toContain('picco_arrivals_intended_total');
    expect(exprs).toContain('picco_arrivals_dropped_total');
    expect(d.panels.some((p) => p.type === 'heatmap' && p.targets?.[0]?.format === 'heatmap')).toBe(true);
    expect(exprs).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(exprs).toMatch(/downstream_/);
    expect(exprs).toMatch(/slo:card_add_errors:ratio_rate5m/);
    expect(exprs).toMatch(/slo:wallet_list_errors:ratio_rate5m/);
    expect(exprs).toContain('sum by (segment) (rate(picco_arrivals_intended_total');
  });
});
