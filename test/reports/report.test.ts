import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

type JunitCase = { name?: string; classname?: string; failure?: Array<{ message?: string }>; error?: Array<{ message?: string }>; 'system-out'?: string[] };
type JunitSuites = { tests?: number; failures?: number; errors?: number; testsuite?: Array<{ testcase?: JunitCase[] }> };

/** A copy of a fixture whose summary.json `edit` changed. */
function editedFixture(name: string, as: string, edit: (s: Record<string, any>) => void): string {
  const dir = join(work, as);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, any>;
  edit(s);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(s));
  return dir;
}

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
    const sloCases = cases.filter((c) => c.name !== 'run validity' && !Object.keys(run.summary.checks ?? {}).includes(c.name!));
    expect(sloCases.map((c) => c.name)).toEqual(run.summary.slo.map((o) => o.name));
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

  it('writes a testcase for the run\'s validity and one per check even when the run has no SLO', async () => {
    const dir = editedFixture('steady-pass', 'no-slo', (s) => {
      s.slo = [];
      s.checks = { 'card added': { pass: 740, fail: 0 }, 'wallet loaded': { pass: 12, fail: 3 } };
    });
    const { files } = await writeReports(dir);
    const xml = readFileSync(files.junit, 'utf8');
    const parsed = (await parse(xml)) as JunitSuites;
    expect(parsed.tests).toBe(3);
    expect(parsed.failures).toBe(0);
    expect(parsed.errors).toBe(0);
    const cases = parsed.testsuite![0]!.testcase!;
    expect(cases.map((c) => [c.classname, c.name])).toEqual([
      ['picco.update-reenroll', 'run validity'],
      ['picco.update-reenroll.checks', 'card added'],
      ['picco.update-reenroll.checks', 'wallet loaded'],
    ]);
    expect(cases[0]!['system-out']?.[0]).toMatch(/kept its schedule/);
    // a check failing with no checks SLO is told, not failed: the exit code was 0
    expect(cases[2]!['system-out']?.[0]).toMatch(/3 of 15 failed.*no checks SLO was broken/);
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toMatch(/Run validity: ✅ valid/);
    expect(md).toMatch(/No SLO: the verdict is the run's validity alone/);
    expect(md).toMatch(/\| card added \| 740 \| 0 \| ✅ \|/);
    expect(md).toMatch(/\| wallet loaded \| 12 \| 3 \| ⚠️ \|/);
  });

  it('fails a check\'s testcase when a checks SLO covering it failed, and only that check', async () => {
    const dir = editedFixture('steady-pass', 'checks-slo', (s) => {
      s.pass = false;
      s.slo = [{ name: 'checks{check:wallet loaded}: rate>99%', threshold: '>0.99', value: 0.8, pass: false }];
      s.checks = { 'card added': { pass: 740, fail: 2 }, 'wallet loaded': { pass: 12, fail: 3 } };
    });
    const { files } = await writeReports(dir);
    const parsed = (await parse(readFileSync(files.junit, 'utf8'))) as JunitSuites;
    expect(parsed.failures).toBe(2); // the SLO and the check it covers
    const cases = parsed.testsuite![0]!.testcase!;
    const wallet = cases.find((c) => c.name === 'wallet loaded')!;
    expect(wallet.failure?.[0]?.message).toMatch(/wallet loaded: 3 of 15 failed \(20\.0%\); checks\{check:wallet loaded\}: rate>99% failed/);
    expect(cases.find((c) => c.name === 'card added')!.failure).toBeUndefined();
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/\| wallet loaded \| 12 \| 3 \| ❌ \|/);
  });

  it('says an invalid run is invalid in summary.md\'s validity line too', async () => {
    const dir = editedFixture('steady-pass', 'invalid-md', (s) => {
      s.valid = false;
      s.invalidReasons = ['dropped 3.00 % of arrivals > 1 %'];
    });
    const { files } = await writeReports(dir);
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/Run validity: ⚠️ invalid, dropped 3\.00 % of arrivals > 1 %: the numbers are not the target's/);
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
