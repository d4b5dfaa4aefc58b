/** Recipes for `picco plan`, `picco run` and `picco report` as README.md, docs/cli.md, docs/outputs.md and docs/scenarios.md write them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startPrometheus } from '../../reports/prometheus-harness.ts';
import type { Entry, RecipeRun } from '../recipe.ts';

// Runs share a 2-core box with other tests: a busy box may shed some requests (fast 503s) or make
// the run invalid (98), so the checks hold what the command does, never how fast the box is.
const summaryIn = (dir: string): { pass: boolean; valid: boolean; requests: { total: number; failed: number; intended: number } } =>
  JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

/** The one run directory a run without --out wrote under reports/out/. */
function defaultRunDir(r: RecipeRun): string {
  const dirs = readdirSync(join(r.cwd, 'reports', 'out'));
  expect(dirs).toHaveLength(1);
  return join(r.cwd, 'reports', 'out', dirs[0]!);
}

export const planRun: Entry[] = [
  {
    doc: ['npx picco plan december-2020'],
    check: ({ lines: [l] }) => {
      // docs/scenarios.md and docs/benchmarks.md quote these figures.
      expect(l!.stdout).toMatch(/plan december-2020: 269s, 20760 arrivals/);
      expect(l!.stderr).toMatch(/rehearsal defaults --scale 0\.0001 --speed 3600/);
    },
  },
  {
    doc: ['npx picco plan december-2020 --scale 1 --speed 1 --json'],
    check: ({ lines: [l] }) => {
      const plan = JSON.parse(l!.stdout) as { scale: number; expected: Record<string, number> };
      expect(plan.scale).toBe(1);
      expect(Object.keys(plan.expected).some((k) => k.startsWith('launch.'))).toBe(true);
    },
  },
  {
    doc: ['npx picco plan update-reenroll --scale 0.01 --speed 60'],
    check: ({ lines: [l] }) => {
      // "7 Dec in 26 min (1,440 s + 122 s preload)"
      expect(l!.stdout).toMatch(/plan update-reenroll: 1562\.5s/);
      expect(l!.stdout).toMatch(/preload-wallets .* for 122\.5s/);
    },
  },
  {
    doc: ['npx picco run december-2020'],
    change: [['npx picco run december-2020', 'npx picco run december-2020 --duration 20s']],
    why: 'the whole rehearsal takes about 4.5 minutes; its first 20 s (the preload and 1 Dec) run the same code from the same defaults',
    exits: [[0, 98]],
    timeoutMs: 90_000,
    check: (r) => {
      const l = r.lines[0]!;
      expect(l.stderr).toMatch(/rehearsal defaults --scale 0\.0001 --speed 3600/);
      const s = summaryIn(defaultRunDir(r));
      expect(s.requests.total).toBeGreaterThan(100);
      if (l.code === 0) expect(s.pass && s.valid).toBe(true);
    },
  },
  {
    doc: ['npx picco run december-2020@7dec18:00 --scale 0.002 --speed 20 --duration 3m'],
    change: [['--scale 0.002 --speed 20 --duration 3m', '--scale 0.0005 --speed 20 --duration 30s']],
    why: 'at --scale 0.002 the window\'s preload alone takes 41 s and the run 3 minutes; at 0.0005 the preload takes about 10 s and 30 s reach into the evening surge',
    exits: [[0, 98, 99]],
    timeoutMs: 90_000,
    check: (r) => expect(summaryIn(defaultRunDir(r)).requests.total).toBeGreaterThan(0),
  },
  {
    doc: [
      'npx picco run smoke --out reports/out/smoke',
      'npx picco report reports/out/smoke',
      'npx picco report reports/out/smoke --prometheus http://127.0.0.1:9090',
    ],
    change: [['http://127.0.0.1:9090', '{prometheus}']],
    why: 'a real Prometheus (from dashboards/prometheus.yml) on a free port instead of 9090',
    setup: async () => {
      const prom = await startPrometheus({ 'picco-server': '127.0.0.1:9', 'picco-engine': '127.0.0.1:9' });
      return { vars: { prometheus: prom.url }, teardown: () => prom.stop() };
    },
    exits: [[0, 98], [0, 98], [0, 98]],
    timeoutMs: 90_000,
    check: (r) => {
      const dir = join(r.cwd, 'reports', 'out', 'smoke');
      expect(summaryIn(dir).requests.total).toBeGreaterThan(0);
      for (const f of ['report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(dir, f)), f).toBe(true);
      expect(r.lines[1]!.stdout).toContain('junit.xml');
      // With Prometheus the report has its server-side section; panels this target lacks are notes, not errors.
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/[Pp]rometheus/);
    },
  },
  {
    doc: ['npx picco run december-2020@7dec --report'],
    change: [['--report', '--report --duration 12s']],
    why: 'the 7 Dec window to the end takes about 2 minutes at the rehearsal defaults; 12 s (the 5 s preload and 7 Dec morning) show the reports written at the end',
    exits: [[0, 98, 99]],
    timeoutMs: 90_000,
    check: (r) => {
      const dir = defaultRunDir(r);
      for (const f of ['summary.json', 'report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(dir, f)), f).toBe(true);
    },
  },
  {
    doc: ['npx picco run december-2020@7dec --dashboard 8089'],
    change: [['--dashboard 8089', '--dashboard 0 --duration 10s']],
    why: 'a free port instead of 8089; 10 s instead of the whole window',
    exits: [[0, 98, 99]],
    timeoutMs: 90_000,
    check: (r) => {
      expect(r.lines[0]!.stderr + r.lines[0]!.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
      expect(existsSync(join(defaultRunDir(r), 'summary.json'))).toBe(true);
    },
  },
  {
    doc: ['npx picco run --url http://127.0.0.1:8080/info --rate 1000 --duration 30s'],
    server: [],
    change: [['http://127.0.0.1:8080', '{server}'], ['--duration 30s', '--duration 5s']],
    why: 'the reference server on a free port stands for the one at 8080; 5 s instead of 30',
    exits: [[0, 98]],
    check: (r) => {
      const s = summaryIn(defaultRunDir(r));
      expect(s.requests.intended).toBe(5000); // 1,000/s for 5 s, exactly
      expect(s.requests.total).toBeGreaterThan(0);
    },
  },
  {
    doc: ['npx picco run card-peak --target http://127.0.0.1:8080 --scale 0.01 --duration 30s --slo reports/slo/launch.yaml'],
    server: [],
    change: [['http://127.0.0.1:8080', '{server}'], ['--duration 30s', '--duration 12s']],
    why: 'the reference server on a free port stands for the one at 8080; 12 s instead of 30',
    exits: [[0, 98]],
    timeoutMs: 90_000,
    check: (r) => expect(summaryIn(defaultRunDir(r)).requests.total).toBeGreaterThan(100),
  },
  {
    doc: [
      'npx picco serve --port 8080 &',
      'prometheus --config.file=dashboards/prometheus.yml --storage.tsdb.path=prometheus-data &',
      'npx picco run card-peak --target http://127.0.0.1:8080 --metrics-port 9464',
    ],
    by: 'test/reports/live-stack.ts',
    marker: "'--metrics-port'",
    why: 'test/reports/prometheus-live.test.ts starts the same three processes (picco serve, Prometheus configured from dashboards/prometheus.yml, picco run --metrics-port), on free ports and with smoke instead of card-peak at scale 1 (8,000 card additions/s for 75 s)',
  },
];
