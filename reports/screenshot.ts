/**
 * Screenshots a report.html (or any picco page) in headless Chromium, off the network, for
 * READMEs and PR comments: `node --import tsx reports/screenshot.ts RUN_DIR/report.html OUT.png`.
 * The page must finish drawing (body[data-ready="true"]) before the shot is taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export async function screenshot(htmlPath: string, pngPath: string, width = 1400): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'picco-shot-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width, height: 1000 },
  });
  try {
    const page = await ctx.newPage();
    await page.goto(pathToFileURL(resolve(htmlPath)).href);
    await page.waitForSelector('body[data-ready="true"]');
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const [, script, html, png] = process.argv;
if (script !== undefined && resolve(script) === resolve(import.meta.filename) && html && png) {
  await screenshot(html, png);
  process.stdout.write(`${png}\n`);
}
