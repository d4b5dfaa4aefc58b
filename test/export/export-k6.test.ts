import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../cli/main.ts';
import { planToOptions, timeUnitFor } from '../../harness/export/k6-options.ts';
import { translateSlos } from '../../harness/export/k6-thresholds.ts';
import { parseSlo } from '../../harness/slo/parse.ts';
import type { ScenarioPlan, Journey } from '../../harness/scenario/types.ts';
import { parseK6Script, typeCheckOptions } from './k6-static.ts';

const noop: Journey = { name: 'noop', async run() {} };

describe('picco export k6', () => {
  const out = mkdtempSync(join(tmpdir(), 'picco-export-'));
  let script = '';

  it('writes a k6 script and a k6-operator TestRun for a registered scenario', async () => {
    expect(await main(['export', 'k6', 'smoke', '--out', out, '--parallelism', '3', '--quiet'])).toBe(0);
    script = readFileSync(join(out, 'script.js'), 'utf8');
    const docs = parseAllDocuments(readFileSync(join(out, 'testrun.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
    const [cm, tr] = docs;
    expect(cm).toMatchObject({ kind: 'ConfigMap', data: { 'script.js': script } });
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', spec: { parallelism: 3, script: { configMap: { name: cm!['metadata'].name, file: 'script.js' } } } });
  });

  it('parses as an ES module whose options object has no free identifiers and whose imports are k6 modules only', () => {
    const p = parseK6Script(script);
    expect(new Set(p.imports)).toEqual(new Set(['k6', 'k6/http', 'k6/execution', 'k6/metrics']));
    const scenarios = Object.values(p.options['scenarios'] as Record<string, { exec: string; executor: string }>);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) expect(p.exportedFunctions).toContain(s.exec);
    expect(scenarios.every((s) => s.executor.endsWith('arrival-rate'))).toBe(true);
  });

  it('has options that type-check against k6 Options (@types/k6, TypeScript compiler API)', () => {
    expect(typeCheckOptions(parseK6Script(script).optionsSource)).toEqual([]);
  });

  it('the type check rejects options k6 would reject', () => {
    const diags = typeCheckOptions(`{ scenarios: { a: { executor: 'ramping-arrival-rate', startRate: 1, timeUnit: '1s', stages: [{ duration: '1s', target: '8000' }], preAllocatedVUs: 1 } } }`);
    expect(diags.join('\n')).toMatch(/not assignable to type 'number'/);
  });

  it('refuses bad usage with exit 2, naming the flag', async () => {
    expect(await main(['export', 'k6', 'smoke'])).toBe(2);
    expect(await main(['export', 'jmeter', 'smoke', '--out', out])).toBe(2);
    expect(await main(['export', 'k6', 'smoke', '--out', out, '--scale', 'x'])).toBe(2);
  });
});

describe('picco export k6 card-peak', () => {
  it('carries the capacity criteria as k6 thresholds', async () => {
    const out = mkdtempSync(join(tmpdir(), 'picco-export-card-peak-'));
    expect(await main(['export', 'k6', 'card-peak', '--out', out, '--scale', '0.01', '--quiet'])).toBe(0);
    const p = parseK6Script(readFileSync(join(out, 'script.js'), 'utf8'));
    expect(p.options['thresholds']).toEqual({
      'http_req_duration{endpoint:POST /v1/wallet/cc}': ['p(99)<1000'],
      http_req_failed: ['rate<0.01'],
    });
    // the dropped share has no k6 metric: said in the script, not silently lost
    expect(readFileSync(join(out, 'script.js'), 'utf8')).toMatch(/SLO not translated: dropped_iterations: rate<1%/);
  }, 60_000);
});

describe('what an exported script bundles', () => {
  it('takes the scenario\'s own module and what its journeys use: no faker, no other scenario', async () => {
    const out = mkdtempSync(join(tmpdir(), 'picco-export-bundle-'));
    expect(await main(['export', 'k6', 'card-peak', '--scale', '1', '--out', out, '--quiet'])).toBe(0);
    const script = readFileSync(join(out, 'script.js'), 'utf8');
    expect(script).not.toMatch(/@faker-js|fakerIT|faker_exports/); // person-names.ts draws the names
    expect(script).not.toMatch(/preload-wallets|buildSmoke|launchModel/); // the launch pack and smoke stay out
    expect(script).toMatch(/\.build\(\{[^}]*"streamsOnly": true \}\)/); // each VU builds its streams, not the plan's predictions
    expect(Buffer.byteLength(script)).toBeLessThan(150_000); // was ~600 KB with faker and the whole pack
  }, 60_000);
});

describe('plan to k6 options', () => {
  const plan: ScenarioPlan = {
    scenario: 'x',
    durationS: 30,
    expected: {},
    streams: [
      { name: '7 Dec surge', journey: noop, params: {}, executor: { type: 'ramping-arrival-rate', startRate: 0.5, stages: [{ durationS: 20, target: 6.25 }, { durationS: 20, target: 6.25 }] } },
      { name: 'late', journey: noop, params: {}, startS: 31, executor: { type: 'constant-arrival-rate', rate: 1, durationS: 5 } },
    ],
  };

  it('keeps fractional rates exact with a larger timeUnit and cuts streams at the plan duration', () => {
    const { options, streams } = planToOptions(plan, { thresholds: {} });
    expect(streams).toHaveLength(1);
    expect(options.scenarios['7_Dec_surge']).toMatchObject({
      executor: 'ramping-arrival-rate', startRate: 50, timeUnit: '100s',
      stages: [{ duration: '20s', target: 625 }, { duration: '10s', target: 625 }],
    });
    expect(timeUnitFor([1, 2])).toBe(1);
    expect(timeUnitFor([1 / 3])).toBe(1000);
  });

  it('translates SLOs into k6 thresholds and says what it cannot translate', () => {
    const t = translateSlos([
      parseSlo('http_req_service_time{endpoint:POST /v1/wallet/cc}: p(99)<800'),
      parseSlo('http_req_failed: rate<1% in every 10s window'),
      parseSlo('checks: rate>0.99'),
      parseSlo('scheduling_lag: p(99)<5'),
    ]);
    expect(t.thresholds).toEqual({
      'http_req_duration{endpoint:POST /v1/wallet/cc}': ['p(99)<800'],
      http_req_failed: ['rate<0.01'],
      checks: ['rate>0.99'],
    });
    expect(t.untranslated.map((u) => u.line)).toEqual(['scheduling_lag: p(99)<5']);
    expect(t.notes.join(' ')).toMatch(/10s window/);
  });
});

describe('every registered scenario exports', () => {
  it('to a k6 script that parses, imports only k6 modules and whose options type-check', async () => {
    const { scenarioNames } = await import('../../scenarios/index.ts');
    const names = scenarioNames();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const out = mkdtempSync(join(tmpdir(), `picco-export-${name}-`));
      expect(await main(['export', 'k6', name, '--out', out, '--scale', '0.01', '--speed', '60', '--quiet'])).toBe(0);
      const p = parseK6Script(readFileSync(join(out, 'script.js'), 'utf8'));
      expect(p.imports.every((i) => i === 'k6' || i.startsWith('k6/'))).toBe(true);
      expect(Object.keys(p.options['thresholds'] as Record<string, string[]>).length, `${name} exports thresholds`).toBeGreaterThan(0);
      expect(typeCheckOptions(p.optionsSource)).toEqual([]);
    }
  }, 60_000);
});
