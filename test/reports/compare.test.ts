/**
 * `picco report --compare RUN_A RUN_B`: the two fixture runs (one passing, one failing its SLOs)
 * side by side in one report.html rendered by Chromium (charts drawn, no network), one
 * summary.md and one junit.xml with a suite per run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { picco } from '../scenarios/run-picco.ts';
import { inkOf, openBrowser, openPage } from './browser.ts';

const A = join(import.meta.dirname, 'fixtures', 'steady-pass');
const B = join(import.meta.dirname, 'fixtures', 'surge-fail');

describe('picco report --compare', () => {
  it('puts both runs side by side in report.html, summary.md and junit.xml', async () => {
    const out = mkdtempSync(join(tmpdir(), 'picco-compare-'));
    const r = await picco(['report', '--compare', A, B, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| verdict \| PASS \| FAIL \|/);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)?.length).toBe(2);
    expect(junit).toContain('steady-pass');
    expect(junit).toContain('surge-fail');

    const { browser, close } = await openBrowser();
    try {
      const s = await openPage(browser);
      await s.page.goto(pathToFileURL(join(out, 'report.html')).href);
      await s.page.waitForSelector('body[data-ready="true"]');
      for (const id of ['c-rate', 'c-failed', 'c-p99', 'c-inflight']) expect(await inkOf(s.page, id)).toBeGreaterThan(0);
      expect(await s.page.locator('#slo tr').count()).toBeGreaterThan(1);
      expect(s.consoleErrors, s.consoleErrors.join("\n")).toEqual([]);
      expect(s.requests.filter((u) => !u.endsWith('/report.html'))).toEqual([]);
      await s.close();
    } finally {
      await close();
    }
  });

  it('names the flag when it is not given two run directories', async () => {
    const r = await picco(['report', '--compare', A]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--compare');
  });
});
