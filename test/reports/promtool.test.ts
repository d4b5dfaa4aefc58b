import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from './prometheus-harness.ts';

function promtool(...args: string[]): string {
  return execFileSync('promtool', args, { cwd: DASHBOARDS, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('dashboards/prometheus.yml and rules', () => {
  it('passes promtool check config (which also checks every rule file)', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toMatch(/SUCCESS: prometheus\.yml is valid/);
  });

  it('passes promtool check rules for each rule file', () => {
    const files = readdirSync(join(DASHBOARDS, 'rules')).filter((f) => f.endsWith('.yml')).map((f) => join('rules', f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const out = promtool('check', 'rules', ...files);
    expect(out.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  it('fires the multi-window burn-rate alerts exactly as the promtool unit tests expect', () => {
    const tests = readdirSync(join(DASHBOARDS, 'rules', 'tests')).filter((f) => f.endsWith('.yml')).map((f) => join('rules', 'tests', f));
    expect(tests.length).toBeGreaterThan(0);
    expect(promtool('test', 'rules', ...tests)).toMatch(/SUCCESS/);
  });
});
