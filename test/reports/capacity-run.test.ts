import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, stopChild } from './live-stack.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'picco.js');
let dir: string;
let server: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'picco-caprun-'));
  server = await startServe(dir);
}, 60_000);
afterAll(async () => {
  if (server) await stopChild(server.child);
  rmSync(dir, { recursive: true, force: true });
});

describe('picco capacity against the reference server', () => {
  it('runs repeated real card-peak steps, prints criteria and noise band, and writes capacity.md/html', async () => {
    const out = join(dir, 'cap');
    const usl = join(dir, 'usl.json');
    const args = [BIN, 'capacity', '--target', server.url, '--scenario', 'card-peak', '--speed', '10', '--step-duration', '3s',
      '--start-scale', '0.002', '--max-scale', '0.004', '--repeats', '2', '--max-rates', '2', '--max-lag', '1000', '--workers', '1', '--usl', usl, '--out', out];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect([0, 99], stderr + stdout).toContain(code);
    expect(stdout).toMatch(/criteria: A run holds when `picco run` exits 0/);
    expect(stdout).toMatch(/scale 0\.002: (holds|mixed|fails|invalid) \([0-2]\/[12] passed\) intended [\d.]+\/s/);
    expect(stdout).toMatch(/knee: .*noise band/);
    const report = JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')) as { knee: { trials: Array<{ figures: Record<string, number> }>; results: unknown[] } };
    expect(report.knee.results.length).toBeGreaterThanOrEqual(1);
    // Two repeats per scale, unless a run was invalid (the search stops there).
    expect(report.knee.trials.length).toBeGreaterThanOrEqual(report.knee.results.length);
    expect(report.knee.trials.length).toBeLessThanOrEqual(report.knee.results.length * 2);
    for (const t of report.knee.trials) {
      expect(t.figures['opsPerS']).toBeGreaterThan(0);
      expect(t.figures['cardAdditionsPerS']).toBeGreaterThanOrEqual(0);
    }
    const md = readFileSync(join(out, 'capacity.md'), 'utf8');
    expect(md).toMatch(/\| scale \| verdict \| passes \|/);
    expect(md).toMatch(/USL fit needs knees at 3 or more worker counts/);
    expect(existsSync(join(out, 'capacity.html'))).toBe(true);
  }, 120_000);
});
