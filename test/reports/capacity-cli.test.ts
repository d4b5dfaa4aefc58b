import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapacity } from '../../harness/capacity/index.ts';
import { uslX } from '../../harness/capacity/usl.ts';
import { openBrowser, openPage, inkOf } from './browser.ts';

let work: string;
beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'picco-cap-')); });
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base = { scenario: 'card-peak', workers: 1, repeats: 3, stepDurationS: 10, startScale: 0.01, maxScale: 1, factor: 2, tolerance: 0.05, maxRates: 12, speed: 10 };

describe('picco capacity from a USL measurements file', () => {
  it('answers the planner question for 8,000 card additions/s and 14,000 ops/s and draws the fit', async () => {
    const cards = { lambda: 900, sigma: 0.03, kappa: 0.0002 };
    const ops = { lambda: 2600, sigma: 0.05, kappa: 0.0001 };
    const wobble = [0.98, 1.02, 1.0];
    const measurements = [1, 2, 4, 8].flatMap((n) => wobble.map((w) => ({ workers: n, cardAdditionsPerS: uslX(n, cards) * w, opsPerS: uslX(n, ops) * w })));
    const usl = join(work, 'usl.json');
    writeFileSync(usl, JSON.stringify({ measurements }));
    const out = join(work, 'out');
    const { report, files } = await runCapacity({ ...base, usl, outDir: out });
    expect(report.usl.map((u) => u.metric)).toEqual(['cardAdditionsPerS', 'opsPerS']);
    const c = report.usl[0]!;
    expect(Math.abs(c.fit.lambda - 900) / 900).toBeLessThan(0.05);
    expect(c.projection.instances).toBeGreaterThan(8);
    expect(c.projection.p5).not.toBeNull();
    const md = readFileSync(files.md, 'utf8');
    expect(md).toMatch(/8,000 card additions\/s: \*\*\d+ instances\*\*/);
    expect(md).toMatch(/14,000 ops\/s: \*\*\d+ instances\*\* \(90% interval \d+–\d+/);

    const browser = await openBrowser();
    try {
      const s = await openPage(browser.browser);
      await s.page.goto(pathToFileURL(files.html).href);
      await s.page.waitForSelector('body[data-ready="true"]');
      expect(await inkOf(s.page, 'c-usl-0')).toBeGreaterThan(0.01);
      expect(await inkOf(s.page, 'c-usl-1')).toBeGreaterThan(0.01);
      expect(s.consoleErrors).toEqual([]);
      expect(s.requests).toEqual([pathToFileURL(files.html).href]);
      await s.close();
    } finally {
      await browser.close();
    }
  });

  it('explains what to measure when fewer than three sizes are known', async () => {
    const usl = join(work, 'two.json');
    writeFileSync(usl, JSON.stringify({ measurements: [{ workers: 1, cardAdditionsPerS: 100, opsPerS: 700 }, { workers: 2, cardAdditionsPerS: 190, opsPerS: 1300 }] }));
    const { report } = await runCapacity({ ...base, usl, outDir: join(work, 'out2') });
    expect(report.usl).toEqual([]);
    expect(report.uslNote).toMatch(/3 or more worker counts.*has 2/);
  });

  it('rejects a malformed measurements file naming the field and the format', async () => {
    const usl = join(work, 'bad.json');
    writeFileSync(usl, JSON.stringify({ measurements: [{ workers: 0, cardAdditionsPerS: 1 }] }));
    await expect(runCapacity({ ...base, usl, outDir: join(work, 'out3') })).rejects.toThrow(/--usl .*measurements\.0\.workers.*format/);
  });
});
