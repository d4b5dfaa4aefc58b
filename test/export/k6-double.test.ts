import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import { startTarget, type Target } from '../verify/target.ts';

interface DoubleResult {
  requests: Array<{ method: string; url: string; status: number; tags: Record<string, string>; failed: boolean; scenario: string }>;
  checks: Record<string, { pass: number; fail: number }>;
  metrics: Record<string, Array<{ value: number; tags: Record<string, string> }>>;
  scenarios: Record<string, { exec: string; done: number; errors: string[] }>;
}

/** Runs the exported script under the k6 test double in a child process (its http.request blocks). */
function runDouble(script: string, iterations: number, env: Record<string, string>): Promise<DoubleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/export/k6-double/run.mjs', script, String(iterations), JSON.stringify(env)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`k6 double exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as DoubleResult);
    });
  });
}

describe('an exported k6 script run with a test double of the k6 modules', () => {
  let target: Target;
  let result: DoubleResult;
  beforeAll(async () => {
    target = await startTarget();
    const out = mkdtempSync(join(tmpdir(), 'picco-k6-run-'));
    expect(await main(['export', 'k6', 'smoke', '--out', out, '--quiet'])).toBe(0);
    result = await runDouble(join(out, 'script.js'), 2, { PICCO_TARGET: target.url });
  }, 60_000);
  afterAll(async () => {
    await target.close();
  });

  it('completes every journey of every stream without an exception', () => {
    const scenarios = Object.entries(result.scenarios);
    expect(scenarios.length).toBeGreaterThanOrEqual(5);
    for (const [, s] of scenarios) {
      expect(s.errors).toEqual([]);
      expect(s.done).toBe(2);
    }
    const done = result.metrics['picco_journeys']!.filter((m) => m.tags['result'] === 'done');
    expect(done).toHaveLength(scenarios.length * 2);
  });

  it('sends the journeys\' requests to the target, tagged by endpoint', () => {
    expect(target.seen.get('POST /test-login')).toBeGreaterThan(0);
    expect(target.seen.get('POST /pp-restapi-CD/v1/wallet/cc')).toBeGreaterThan(0);
    expect(target.seen.get('PUT /bpd/io/citizen')).toBeGreaterThan(0);
    expect(result.requests.every((r) => typeof r.tags['endpoint'] === 'string' && r.tags['endpoint'] === r.tags['name'])).toBe(true);
    expect(result.requests.filter((r) => r.status === 0)).toEqual([]);
  });

  it('reports the journeys\' checks and outcomes through k6 check() and a Counter', () => {
    expect(result.checks['3ds completed']?.pass).toBeGreaterThan(0);
    expect(result.checks['added card listed']?.fail ?? 0).toBe(0);
    const outcomes = new Set(result.metrics['picco_outcomes']!.map((m) => m.tags['outcome']));
    expect(outcomes.has('cards_added')).toBe(true);
  });
});

describe('card-peak exported at fleet scale (scale 1: 8,000 card additions/s) under the double', () => {
  let target: Target;
  let result: DoubleResult;
  beforeAll(async () => {
    target = await startTarget();
    const out = mkdtempSync(join(tmpdir(), 'picco-k6-fleet-'));
    expect(await main(['export', 'k6', 'card-peak', '--scale', '1', '--out', out, '--quiet'])).toBe(0);
    result = await runDouble(join(out, 'script.js'), 2, { PICCO_TARGET: target.url });
  }, 60_000);
  afterAll(async () => {
    await target.close();
  });

  it('builds its streams in the VU and walks the warm-up and the card burst against the target', () => {
    expect(Object.keys(result.scenarios)).toEqual(['warm-up', 'card-burst']);
    for (const s of Object.values(result.scenarios)) {
      expect(s.errors).toEqual([]);
      expect(s.done).toBe(2);
    }
    expect(target.seen.get('POST /test-login')).toBeGreaterThan(0);
    expect(target.seen.get('POST /pp-restapi-CD/v1/wallet/cc')).toBeGreaterThan(0);
    expect(result.requests.filter((r) => r.failed)).toEqual([]);
  });
});
