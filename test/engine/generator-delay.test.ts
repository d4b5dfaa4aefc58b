/**
 * Known answers for the generator's own delay, through `picco run` (real worker thread, real
 * sockets): the engine blocked → invalid, naming the second; the target stopped → the delay is
 * the target's and the run valid; a low rate against a fast target → valid, latency ≈ service time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'picco.js');
const dir = mkdtempSync(join(tmpdir(), 'picco-gen-'));

interface Run {
  code: number;
  stderr: string;
  summary: any;
  series: any[];
}

function picco(args: string[], whileRunning?: (out: string) => Promise<void>): Promise<Run> {
  const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', ...args, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const during = whileRunning?.(out);
    child.on('close', async (code) => {
      await during;
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      const series = readFileSync(join(out, 'series.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      resolve({ code: code ?? -1, stderr, summary, series });
    });
  });
}

/** A fast HTTP target in its own process (so it can be stopped with SIGSTOP). */
let target: ChildProcess;
let url = '';
beforeAll(async () => {
  target = spawn(process.execPath, ['-e', `
    const s = require('node:http').createServer((q, r) => { q.resume(); r.end('ok'); });
    s.keepAliveTimeout = 60000;
    s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => target.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  url = `http://127.0.0.1:${port}/`;
});
afterAll(() => {
  target.kill('SIGCONT');
  target.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the run has written `n` seconds of series (the run's own clock, not ours). */
async function seconds(out: string, n: number): Promise<void> {
  for (;;) {
    const f = join(out, 'series.jsonl');
    if (existsSync(f) && readFileSync(f, 'utf8').split('\n').filter(Boolean).length >= n) return;
    await sleep(20);
  }
}

/** True when some second's engine thread waited ≥ 50 ms for a CPU: the box, not the engine, was busy. */
const starved = (r: Run): boolean => r.series.some((l) => (l.generator?.threads ?? []).some((t: { runQueueMs?: number }) => (t.runQueueMs ?? 0) >= 50));

/**
 * Runs until `expected` holds; a run that missed it while the kernel says the engine thread waited
 * for a CPU (other processes on a shared box) is tried again, up to 3 times, then the test is
 * skipped as inconclusive. A miss on a box that gave the engine its CPU fails the test.
 */
async function unlessStarved(ctx: { skip: (note?: string) => void }, expected: (r: Run) => boolean, run: () => Promise<Run>): Promise<Run> {
  let r = await run();
  for (let attempt = 1; attempt < 3 && !expected(r) && starved(r); attempt++) r = await run();
  if (!expected(r) && starved(r)) ctx.skip('the engine thread waited for a CPU in every attempt: this box is too busy to tell');
  return r;
}

describe("the generator's own delay", () => {
  it('makes a run invalid when the engine thread is blocked for 200 ms, naming that second', async (ctx) => {
    const named = (x: Run): boolean => x.code === 98 && x.summary.generator.perSecond.lateSeconds.some((l: { t: number }) => l.t === 2);
    const r = await unlessStarved(ctx, named, () => picco([join(import.meta.dirname, 'fixtures', 'stall.ts'), '--target', url.slice(0, -1)]));
    expect(r.code).toBe(98);
    const late = r.summary.generator.perSecond.lateSeconds as Array<{ t: number; delayMs: number }>;
    const second2 = late.find((l) => l.t === 2);
    expect(second2?.delayMs).toBeGreaterThanOrEqual(100);
    expect(r.summary.valid).toBe(false);
    expect(r.stderr).toMatch(/run invalid: the generator's own delay .* at p99 exceeded 25 ms \(--max-lag\) in \d+ of \d+ seconds: .*second 2 \(/);
    expect(r.stderr).toMatch(/--workers N .* smaller --rate/);
    // the blocked second shows in the engine thread's own event-loop delay
    const eld = r.series.find((l) => l.t === 2).generator.threads[0].eventLoopDelayMs.max;
    expect(eld).toBeGreaterThanOrEqual(150);
  }, 240_000);

  it("attributes a 1 s stop of the target (SIGSTOP) to the target: p99 ≥ 0.8 s and the run stays valid", async (ctx) => {
    // Bound generous (100 ms): the subject is where a second of the target's delay lands, not the box's noise.
    const r = await unlessStarved(ctx, (x) => x.code === 0, () =>
      picco(['--url', url, '--rate', '2000', '--duration', '5s', '--max-lag', '100'], async (out) => {
        await seconds(out, 2); // 2 s into the run, by its own clock
        target.kill('SIGSTOP');
        await sleep(1000);
        target.kill('SIGCONT');
      }),
    );
    expect(r.code).toBe(0);
    expect(r.summary.valid).toBe(true);
    expect(r.summary.latencyMs.p99).toBeGreaterThanOrEqual(800);
    expect(r.summary.requests).toMatchObject({ intended: 10_000, total: 10_000, failed: 0, dropped: 0 });
    // the generator's part of those latencies is small: the second is the target's
    expect(r.summary.generator.delayMs.p99).toBeLessThan(r.summary.latencyMs.p99 / 8);
  }, 240_000);

  it('keeps a low-rate run against a fast target valid, with p99 within a few ms of the service time', async (ctx) => {
    const close = (x: Run): boolean => x.code === 0 && x.summary.latencyMs.p99 - x.summary.serviceTimeMs.p99 < 5;
    const r = await unlessStarved(ctx, close, () => picco(['--url', url, '--rate', '100', '--duration', '3s']));
    expect(r.code).toBe(0);
    expect(r.summary.valid).toBe(true);
    expect(r.summary.latencyMs.p99 - r.summary.serviceTimeMs.p99).toBeLessThan(5);
    expect(r.summary.generator.perSecond.lateSeconds).toEqual([]);
  }, 180_000);
});
