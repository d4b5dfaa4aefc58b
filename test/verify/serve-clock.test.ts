/**
 * `picco verify`'s cashback-totals check against the reference server as a vendor would start
 * it, every process spawned through the CLI: `picco serve --clock 2020-12-08T10:00:00Z` puts the
 * server inside the December 2020 award period, so the rules are exercised for real (on the
 * system clock the check can only be skipped); mutants that score cashback wrongly, proxies in
 * front of that same server, are each rejected for the named reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClock } from '../../reference-server/src/config.ts';
import { startProxy } from './proxy.ts';
import { CASHBACK_MUTANTS } from './cashback-mutants.ts';

const BIN = fileURLToPath(new URL('../../bin/picco.js', import.meta.url));
// Behaviour, not load: admission control off, as in the other server tests on this shared box.
const ENV = { ...process.env, PICCO_ADMISSION: 'off' };
const dir = mkdtempSync(join(tmpdir(), 'picco-verify-clock-'));

interface Served { proc: ChildProcess; url: string }

function serve(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (d: Buffer) => {
      out += d.toString();
      const m = /picco serve listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m !== null) resolve({ proc, url: m[1]! });
    };
    proc.stdout.on('data', collect);
    proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('exit', (code) => reject(new Error(`picco serve exited ${code}: ${out}`)));
  });
}

async function stop(s: Served | undefined): Promise<void> {
  if (s === undefined || s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
}

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    proc.once('exit', (code) => resolve({ code, stderr }));
  });
}

interface CheckReport { name: string; verdict: string; reason: string }

let runs = 0;
async function verifyCashback(url: string, seed: number): Promise<{ code: number | null; checks: CheckReport[]; stderr: string }> {
  const out = join(dir, `verify-${++runs}`);
  const { code, stderr } = await cli(['verify', '--target', url, '--no-load', '--checks', 'cashback-totals,api-contract', '--seed', String(seed), '--out', out, '--quiet']);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { verify: { checks: CheckReport[] } };
  return { code, checks: summary.verify.checks, stderr };
}

const verdicts = (checks: CheckReport[]) => Object.fromEntries(checks.map((c) => [c.name, c.verdict]));

describe('picco serve --clock', () => {
  it('reads an instant that runs on, a fixed instant, and refuses anything else', () => {
    const running = parseClock('2020-12-08T10:00:00Z', Date.now() - 5000)!;
    expect(running.now().getTime()).toBeGreaterThanOrEqual(Date.parse('2020-12-08T10:00:05Z'));
    expect(running.now().getTime()).toBeLessThan(Date.parse('2020-12-08T11:00:00Z'));
    expect(parseClock('fixed:2020-12-08T11:00:00+01:00')!.now().toISOString()).toBe('2020-12-08T10:00:00.000Z');
    expect(parseClock('fixed:2020-12-08')!.now().toISOString()).toBe('2020-12-08T00:00:00.000Z');
    for (const bad of ['', 'yesterday', '2020-12-08T10:00:00', '2020-13-45T10:00:00Z', 'fixed:', '08/12/2020', '1607421600000']) {
      expect(parseClock(bad), bad).toBeUndefined();
    }
  });

  it('exits 2 naming --clock for a value that is not an instant', async () => {
    for (const bad of ['tomorrow', '2020-12-08 10:00', 'fixed:later']) {
      const r = await cli(['serve', '--port', '0', '--clock', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--clock '${bad}'`);
    }
  });
});

describe('picco verify cashback-totals against picco serve --clock 2020-12-08T10:00:00Z', () => {
  let server: Served | undefined;
  beforeAll(async () => {
    server = await serve(['--db', `sqlite:${join(dir, 'dec-8.sqlite')}`, '--clock', '2020-12-08T10:00:00Z']);
  });
  afterAll(async () => {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes: the rules are exercised, not skipped, and every exchange honours the contract (exit 0)', async () => {
    const r = await verifyCashback(server!.url, 8101);
    expect(r.checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
    expect(verdicts(r.checks)).toEqual({ 'cashback-totals': 'pass', 'api-contract': 'pass' });
    expect(r.code).toBe(0);
  });

  it('on the system clock (no --clock) the same check can only be skipped, and says how to run it', async () => {
    const today = await serve([]);
    try {
      const r = await verifyCashback(today.url, 8102);
      const check = r.checks.find((c) => c.name === 'cashback-totals')!;
      expect(check.verdict).toBe('skip');
      expect(check.reason).toContain('picco serve --clock 2020-12-08T10:00:00Z');
    } finally {
      await stop(today);
    }
  });

  it('runs too with the clock before the period (1 Dec 2020, enrolment open): purchases dated from 8 Dec', async () => {
    const early = await serve(['--clock', '2020-12-01T09:00:00Z']);
    try {
      const r = await verifyCashback(early.url, 8103);
      expect(verdicts(r.checks)).toEqual({ 'cashback-totals': 'pass', 'api-contract': 'pass' });
      expect(r.code).toBe(0);
    } finally {
      await stop(early);
    }
  });

  CASHBACK_MUTANTS.forEach((m, i) => {
    it(`rejects a backend that ${m.name}: caught by cashback-totals (exit 99)`, async () => {
      const proxy = await startProxy(server!.url, m.middleware);
      try {
        const r = await verifyCashback(proxy.url, 8110 + i);
        const check = r.checks.find((c) => c.name === 'cashback-totals')!;
        expect(check.verdict, check.reason).toBe('fail');
        expect(check.reason).toMatch(m.reason);
        expect(r.code).toBe(99);
      } finally {
        await proxy.close();
      }
    });
  });
});
