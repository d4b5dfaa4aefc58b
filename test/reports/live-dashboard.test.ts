import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../harness/dashboard/index.ts';
import { openBrowser, openPage, inkOf } from './browser.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'surge-fail');
const seconds = readFileSync(join(FIXTURE, 'series.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
const summary = JSON.parse(readFileSync(join(FIXTURE, 'summary.json'), 'utf8')) as unknown;
let chromium: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => { chromium = await openBrowser(); });
afterAll(async () => { await chromium?.close(); });

const canvasPng = (id: string) => `document.getElementById(${JSON.stringify(id)}).toDataURL()`;

describe('live dashboard', () => {
  it('updates its charts while a run is in progress and becomes the final report at the end', async () => {
    const dash = await startDashboard({ port: 0, plan: { scenario: 'update-reenroll', durationS: 40 } });
    try {
      expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      for (const s of seconds.slice(0, 3)) dash.push(s);
      const s = await openPage(chromium.browser);
      await s.page.goto(dash.url);
      await s.page.waitForSelector('body[data-ready="true"]');
      expect(await s.page.textContent('#verdict')).toBe('RUNNING');
      expect(await s.page.getAttribute('body', 'data-seconds')).toBe('3');
      const before = { rate: await s.page.evaluate(canvasPng('c-rate')), latency: await s.page.evaluate(canvasPng('c-latency')) };

      // The run goes on: one snapshot per tick (faster than 1 s to keep the test short).
      for (const sec of seconds.slice(3, 12)) {
        dash.push(sec);
        await new Promise((r) => setTimeout(r, 60));
      }
      await s.page.waitForSelector('body[data-seconds="12"]');
      const during = { rate: await s.page.evaluate(canvasPng('c-rate')), latency: await s.page.evaluate(canvasPng('c-latency')) };
      expect(during.rate).not.toBe(before.rate);
      expect(during.latency).not.toBe(before.latency);
      expect(await s.page.textContent('#headline')).toMatch(/^12 s of 40 s/);

      for (const sec of seconds.slice(12)) dash.push(sec);
      dash.finish(summary);
      await s.page.waitForSelector('body[data-final="true"]');
      expect(await s.page.textContent('#verdict')).toBe('FAIL');
      expect(await s.page.locator('#slo-table tr.bad').count()).toBe(3);
      for (const id of ['c-rate', 'c-latency', 'c-status', 'c-endpoints']) expect(await inkOf(s.page, id), id).toBeGreaterThan(0.01);
      expect(s.consoleErrors).toEqual([]);
      expect(s.requests.every((u) => u.startsWith(dash.url))).toBe(true);
      await s.page.screenshot({ path: join(import.meta.dirname, '..', '..', 'reports', 'out', 'test-screenshots', 'live-final.png'), fullPage: true });
      await s.close();

      // A page opened after the run is the final report straight away.
      const late = await openPage(chromium.browser);
      await late.page.goto(dash.url);
      await late.page.waitForSelector('body[data-ready="true"]');
      expect(await late.page.textContent('#verdict')).toBe('FAIL');
      expect(await late.page.getAttribute('body', 'data-seconds')).toBe(String(seconds.length));
      await late.close();
      expect(dash.rejected).toEqual([]);
    } finally {
      await dash.close();
    }
  });

  it('drops a malformed snapshot without stopping the run', async () => {
    const dash = await startDashboard({ port: 0, plan: { scenario: 'x', durationS: 5 } });
    try {
      dash.push({ t: 'nope' });
      dash.push(seconds[0]);
      expect(dash.rejected).toHaveLength(1);
      const body = (await (await fetch(new URL('series.json', dash.url))).json()) as { series: unknown[] };
      expect(body.series).toHaveLength(1);
    } finally {
      await dash.close();
    }
  });

  it('says which flag to change when the port is taken', async () => {
    const a = await startDashboard({ port: 0, plan: { scenario: 'x', durationS: 5 } });
    try {
      const port = Number(new URL(a.url).port);
      await expect(startDashboard({ port, plan: { scenario: 'x', durationS: 5 } })).rejects.toThrow(/--dashboard \d+: port already in use/);
    } finally {
      await a.close();
    }
  });
});

describe('picco run --dashboard', () => {
  it('serves a page whose charts change while a real run is in progress', async () => {
    const { createServer } = await import('node:http');
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const target = createServer((_req, res) => { setTimeout(() => res.end('ok'), 2); });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const port = (target.address() as { port: number }).port;
    const out = mkdtempSync(join(tmpdir(), 'picco-live-'));
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'picco.js'), 'run', '--url', `http://127.0.0.1:${port}/info`,
      '--rate', '80', '--duration', '7s', '--dashboard', '--report', '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PICCO_DASHBOARD_LINGER_MS: '3000' } });
    let stderr = '';
    const url = await new Promise<string>((res, rej) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /live dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
        if (m) res(m[1]!);
      });
      child.once('exit', (code) => rej(new Error(`picco run exited ${code} before serving the dashboard: ${stderr}`)));
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      const s = await openPage(chromium.browser);
      await s.page.goto(url);
      await s.page.waitForSelector('body[data-ready="true"]');
      // Polling from the test side: the page's CSP forbids the eval that waitForFunction needs.
      const seconds = async () => Number(await s.page.getAttribute('body', 'data-seconds'));
      const until = async (ok: () => Promise<boolean>) => {
        for (const end = Date.now() + 20_000; !(await ok()); ) {
          if (Date.now() > end) throw new Error(`timed out; picco run stderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await until(async () => (await seconds()) >= 2);
      const n1 = await seconds();
      const png1 = await s.page.evaluate(canvasPng('c-rate'));
      expect(await s.page.textContent('#verdict')).toBe('RUNNING');
      await until(async () => (await seconds()) >= n1 + 2);
      expect(await s.page.evaluate(canvasPng('c-rate'))).not.toBe(png1);
      await s.page.waitForSelector('body[data-final="true"]', { timeout: 30_000 });
      // PASS normally; INVALID when a busy machine makes the generator lag: either way, final.
      expect(['PASS', 'INVALID']).toContain(await s.page.textContent('#verdict'));
      expect(await inkOf(s.page, 'c-latency')).toBeGreaterThan(0.005);
      expect(s.consoleErrors).toEqual([]);
      await s.close();
      expect([0, 98]).toContain(await exited);
      expect(existsSync(join(out, 'report.html'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      target.closeAllConnections();
      await new Promise((r) => target.close(r));
      rmSync(out, { recursive: true, force: true });
    }
  });
});
