import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'junit2json';
import { writeReports } from '../../harness/report/index.ts';
import { openBrowser, openPage, inkOf } from './browser.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const SHOTS = join(import.meta.dirname, '..', '..', 'reports', 'out', 'test-screenshots');
let work: string;
let chromium: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'picco-report-'));
  chromium = await openBrowser();
});
afterAll(async () => {
  await chromium?.close();
  rmSync(work, { recursive: true, force: true });
});

function copyFixture(name: string): string {
  const dir = join(work, name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

describe('picco report', () => {
  it('writes report.html, summary.md and junit.xml next to summary.json', async () => {
    const dir = copyFixture('surge-fail');
    const r = await writeReports(dir);
    for (const f of Object.values(r.files)) expect(existsSync(f)).toBe(true);
    const md = readFileSync(r.files.markdown, 'utf8');
    expect(md).toContain('FAIL');
    expect(md).toContain('p99 latency POST /v1/wallet/cc');
    expect(md.length).toBeLessThan(4000); // a PR comment, not a report
  });

  it('renders charts in headless Chromium with no console errors and no network', async () => {
    const dir = copyFixture('surge-fail');
    const { files } = await writeReports(dir);
    const s = await openPage(chromium.browser);
    await s.page.goto(pathToFileURL(files.html).href);
    await s.page.waitForSelector('body[data-ready="true"]');
    for (const id of ['c-rate', 'c-latency', 'c-status', 'c-endpoints', 'c-inflight']) {
      expect(await inkOf(s.page, id), id).toBeGreaterThan(0.01);
    }
    expect(await s.page.textContent('#verdict')).toBe('FAIL');
    expect(await s.page.locator('#slo-table tr.bad').count()).toBe(3);
    expect(await s.page.locator('#endpoints-table tr').count()).toBe(6);
    expect(s.consoleErrors).toEqual([]);
    expect(s.requests.filter((u) => u !== pathToFileURL(files.html).href)).toEqual([]);
    await s.page.screenshot({ path: join(SHOTS, 'report-surge-fail.png'), fullPage: true });
    expect(statSync(join(SHOTS, 'report-surge-fail.png')).size).toBeGreaterThan(20_000);
    await s.close();
  });

  it('writes one JUnit testcase per SLO, failures carrying value vs threshold', async () => {
    const dir = copyFixture('surge-fail');
    const { files, run } = await writeReports(dir);
    const parsed = await parse(readFileSync(files.junit, 'utf8'));
    expect(parsed).toBeDefined();
    const suites = (parsed as { testsuite?: Array<{ testcase?: Array<{ name?: string; failure?: Array<{ message?: string }> }>; failures?: number; tests?: number }> }).testsuite!;
    const cases = suites[0]!.testcase!;
    expect(cases.map((c) => c.name)).toEqual(run.summary.slo.map((o) => o.name));
    expect(suites[0]!.failures).toBe(3);
    const cc = cases.find((c) => c.name === 'p99 latency POST /v1/wallet/cc')!;
    expect(cc.failure?.[0]?.message).toMatch(/1331 ms vs threshold p\(99\) < 800ms/);
    expect(cases.find((c) => c.name === 'p95 latency GET /v2/wallet')!.failure).toBeUndefined();
  });

  it('marks a passing run as passing everywhere', async () => {
    const dir = copyFixture('steady-pass');
    const { files } = await writeReports(dir);
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/PASS/);
    const parsed = (await parse(readFileSync(files.junit, 'utf8'))) as { failures?: number };
    expect(parsed.failures).toBe(0);
  });

  it('reports an invalid run as an error with its reasons, not as SLO failures', async () => {
    const dir = copyFixture('steady-pass');
    const { writeFileSync } = await import('node:fs');
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    s.valid = false;
    s.invalidReasons = ['scheduling lag p99 40.00 ms > 25 ms (--max-lag): the generator fell behind its schedule'];
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
    const { files } = await writeReports(dir);
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/INVALID[\s\S]*run invalid: scheduling lag p99 40\.00 ms/);
    const parsed = (await parse(readFileSync(files.junit, 'utf8'))) as { errors?: number; failures?: number; testsuite?: Array<{ testcase?: Array<{ name?: string; error?: Array<{ message?: string }> }> }> };
    expect(parsed.errors).toBe(1);
    expect(parsed.failures).toBe(0);
    const tc = parsed.testsuite![0]!.testcase!.find((c) => c.name === 'run validity')!;
    expect(tc.error![0]!.message).toMatch(/generator fell behind/);
  });

  it('names the file and field when summary.json is malformed', async () => {
    const dir = join(work, 'bad');
    cpSync(join(FIXTURES, 'steady-pass'), dir, { recursive: true });
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    delete s.requests;
    (await import('node:fs')).writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
    await expect(writeReports(dir)).rejects.toThrow(/summary\.json.*requests/);
  });
});
