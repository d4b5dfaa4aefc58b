/**
 * `npx picco verify --target URL` exactly as the README writes it (every default, the load
 * phase included) against an unmodified `picco serve`, and against the same server behind a
 * mutant that accepts a duplicate card. The two run side by side (about two minutes together).
 *
 * The box is shared: when the generator falls behind, a load run is invalid and verify exits 98
 * (its figures are the generator's, not the target's), which these tests allow for the healthy
 * server; what they never allow there is a failed check or SLO (99) or a load run that cannot
 * start (the 45 s window a preload of 123 s could not fit used to exit 99 that way).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../resilience/server-process.ts';
import { startProxy, type Proxy } from './proxy.ts';
import { BEHAVIOUR_MUTANTS } from './mutants.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  summary: {
    pass: boolean;
    valid: boolean;
    verify: {
      checks: Array<{ name: string; verdict: string; reason: string }>;
      load: Array<{ scenario: string; verdict: string; reason: string; durationS: number; requests?: { total: number } }>;
    };
  };
}

/** Runs the command line as a user types it, from the repository root; reads the summary it names. */
function npxPicco(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['picco', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const m = /^(?:PASS|FAIL|INVALID)\b.*: (\S*summary\.json)$/m.exec(stdout);
      if (m === null) return reject(new Error(`picco verify exited ${code} without naming its summary:\n${stdout}\n${stderr}`));
      const file = isAbsolute(m[1]!) ? m[1]! : join(ROOT, m[1]!);
      try {
        const summary = JSON.parse(readFileSync(file, 'utf8')) as Outcome['summary'];
        rmSync(dirname(file), { recursive: true, force: true });
        resolve({ code: code ?? 1, stdout, summary });
      } catch (err) {
        reject(err);
      }
    });
  });
}

describe('npx picco verify --target URL, as documented', () => {
  let healthy: ServerProcess;
  let other: ServerProcess;
  let mutant: Proxy;
  let good: Outcome;
  let broken: Outcome;
  const duplicate = BEHAVIOUR_MUTANTS.find((m) => m.caughtBy === 'duplicate-card-422')!;

  beforeAll(async () => {
    [healthy, other] = await Promise.all([startServer([]), startServer([])]);
    mutant = await startProxy(other.url, duplicate.middleware);
    [good, broken] = await Promise.all([
      npxPicco(['verify', '--target', healthy.url]),
      // a second later, so the two default out directories (named by the time) differ
      new Promise<Outcome>((r, j) => setTimeout(() => npxPicco(['verify', '--target', mutant.url]).then(r, j), 1_000)),
    ]);
  }, 420_000);
  afterAll(async () => {
    await mutant?.close();
    await Promise.all([healthy?.stop(), other?.stop()]);
  });

  it('passes an unmodified picco serve: every check, and both default load runs ran their window', () => {
    expect(good.summary.verify.checks.filter((c) => c.verdict === 'fail'), good.stdout).toEqual([]);
    expect(good.summary.verify.load.map((l) => l.scenario)).toEqual(['card-peak', 'update-reenroll']);
    for (const l of good.summary.verify.load) {
      // pass, or invalid when this shared box starved the generator; never an error or a failed SLO
      expect(['pass', 'invalid'], `${l.scenario}: ${l.reason}`).toContain(l.verdict);
      expect(l.requests?.total ?? 0, l.scenario).toBeGreaterThan(0);
    }
    const reenroll = good.summary.verify.load.find((l) => l.scenario === 'update-reenroll')!;
    expect(reenroll.durationS).toBeGreaterThan(30); // the preload came on top of the 30 s window
    const valid = good.summary.verify.load.every((l) => l.verdict === 'pass');
    expect(good.code, good.stdout).toBe(valid ? 0 : 98);
    expect(good.stdout).toMatch(valid ? /^PASS: /m : /^INVALID/m);
  });

  it('fails a backend that accepts a duplicate card (exit 99), naming the check', () => {
    expect(broken.code, broken.stdout).toBe(99);
    const check = broken.summary.verify.checks.find((c) => c.name === 'duplicate-card-422')!;
    expect(check.verdict).toBe('fail');
    expect(check.reason).toMatch(duplicate.reason);
    // the load phase ran too (a load run that cannot start would be an 'error')
    for (const l of broken.summary.verify.load) expect(['pass', 'fail', 'invalid'], `${l.scenario}: ${l.reason}`).toContain(l.verdict);
    expect(broken.stdout).toMatch(/^FAIL: /m);
  });
});
