/**
 * Headless Chromium for the report tests: the Debian binary driven by playwright-core, with the
 * flags that keep it off the network and a fresh profile per launch. Collects console errors
 * and every request that is not the page itself, so tests can assert "no network".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export interface Session {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'picco-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1400, height: 1600 },
  });
  return {
    browser: ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function openPage(ctx: BrowserContext): Promise<Session> {
  const page = await ctx.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  return { page, consoleErrors, requests, close: () => page.close() };
}

/** Fraction of a canvas's pixels that are not transparent (0 = blank). */
export async function inkOf(page: Page, canvasId: string): Promise<number> {
  // A string expression: the test tsconfig has no DOM lib, and this runs in the page anyway.
  const expr = `(() => {
    const c = document.getElementById(${JSON.stringify(canvasId)});
    if (!c || c.width === 0 || c.height === 0) return 0;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    return ink / (c.width * c.height);
  })()`;
  return (await page.evaluate(expr)) as number;
}

export type { Browser };
