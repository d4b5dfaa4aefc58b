/** Recipes for `picco serve` and `picco verify` as README.md and docs/server.md write them. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createTestDatabase } from '../../resilience/pg-database.ts';
import type { Entry } from '../recipe.ts';

async function info(url: string): Promise<unknown> {
  const res = await fetch(`${url}/info`);
  expect(res.status).toBe(200);
  return res.json();
}

interface VerifySummary { verify?: { checks?: Array<{ name: string; status: string }> } }
const verifySummary = (dir: string): VerifySummary => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as VerifySummary;

export const serverVerify: Entry[] = [
  {
    doc: ['npx picco serve --port 8080 &', 'npx picco serve --port 8081 --clock 2020-12-08T10:00:00Z --log &'],
    check: async (r) => {
      expect(r.background).toHaveLength(2);
      for (const url of r.background) await info(url);
    },
  },
  {
    doc: ['npx picco serve --port 8080 --db postgres://postgres@127.0.0.1:5432/picco --workers 2'],
    setup: async () => {
      const db = await createTestDatabase('picco_docs');
      return { vars: { db: db.url }, teardown: () => db.drop() };
    },
    change: [['postgres://postgres@127.0.0.1:5432/picco', '{db}'], ['--workers 2', '--workers 2 &']],
    why: 'a fresh database instead of picco; in the background, so the test can ask both workers, then stop them (SIGTERM drains them)',
    check: async (r) => {
      for (let i = 0; i < 4; i++) await info(r.background[0]!);
    },
  },
  {
    doc: ['npx picco verify --target http://127.0.0.1:8080'],
    by: 'test/verify/verify-documented.test.ts',
    marker: "npxPicco(['verify', '--target', healthy.url])",
    why: 'verify-documented runs it exactly as the README writes it (every default, the load included, through npx from the repository root) against a picco serve on a free port, and against a mutant that accepts a duplicate card',
  },
  {
    doc: ['npx picco verify --target https://pm.example.test --slo reports/slo/launch.yaml --out out/verify'],
    server: [],
    change: [['https://pm.example.test', '{server}']],
    why: 'the reference server on loopback stands for the vendor\'s backend; the load runs as written (98 allowed: on a busy box the generator may fall behind, and the run says so)',
    exits: [[0, 98]],
    timeoutMs: 240_000,
    check: (r) => {
      const s = JSON.parse(readFileSync(join(r.cwd, 'out', 'verify', 'summary.json'), 'utf8')) as { verify: { load: Array<{ scenario: string }> } };
      expect(s.verify.load.map((l) => l.scenario).sort()).toEqual(['card-peak', 'update-reenroll']);
    },
  },
  {
    doc: ['npx picco verify --target-io https://io.example --target-pm https://pm.example/pp-restapi-CD --target-bpd https://bpd.example'],
    server: [],
    change: [['https://io.example', '{server}'], ['https://pm.example', '{server}'], ['https://bpd.example', '{server} --no-load']],
    why: 'one reference server on loopback answers all three origins; --no-load, because the line above runs the same load and this one shows the three origins',
    timeoutMs: 120_000,
  },
  {
    doc: [
      'npx picco serve --port 8080 --clock 2020-12-08T10:00:00Z &',
      'npx picco verify --target http://127.0.0.1:8080 --no-load --out out/verify-reference',
      'npx picco verify --target http://127.0.0.1:8080 --checks cashback-totals,api-contract --no-load',
    ],
    timeoutMs: 120_000,
    check: (r) => {
      const dir = join(r.cwd, 'out', 'verify-reference');
      for (const f of ['summary.json', 'report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(dir, f)), f).toBe(true);
      // Inside the award period cashback-totals is exercised, not skipped.
      expect(r.lines[1]!.stdout).toMatch(/pass\s+cashback-totals/);
      expect(JSON.stringify(verifySummary(dir))).toContain('cashback-totals');
    },
  },
  {
    doc: ['npx picco verify --target http://127.0.0.1:8080 --checks duplicate-card-422,auth-required,api-contract --no-load'],
    server: [],
    change: [['http://127.0.0.1:8080', '{server}']],
    why: 'the reference server on a free port stands for the one at 8080',
    timeoutMs: 120_000,
    check: ({ lines: [l] }) => {
      for (const c of ['duplicate-card-422', 'auth-required', 'api-contract']) expect(l!.stdout).toMatch(new RegExp(`pass\\s+${c}`));
    },
  },
  {
    doc: ['npx vitest run test/resilience'],
    by: 'test/resilience',
    marker: 'durability.test.ts',
    why: 'npm test runs every file of test/resilience; running vitest inside vitest would run them twice',
  },
  {
    doc: ['PICCO_FUZZ_RUNS=5000 npx vitest run test/resilience/hostile-input.test.ts'],
    by: 'test/resilience/hostile-input.test.ts',
    marker: 'PICCO_FUZZ_RUNS',
    why: 'npm test runs this file with its CI count (200 cases per route); 5,000 per route is the longer run the doc offers, the same code',
  },
];
