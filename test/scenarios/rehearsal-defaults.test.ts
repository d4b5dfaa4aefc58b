/**
 * The README's main command (`picco run december-2020`, no flags) is a laptop rehearsal: the
 * scenario's own scale and speed, announced on stderr, the same in `picco plan`; explicit flags
 * win; and the launch is judged by the launch SLOs that reports/slo/launch.yaml states.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getScenario } from '../../scenarios/index.ts';
import { LAUNCH_SLOS, REHEARSAL } from '../../scenarios/december-2020.ts';
import { resolveScaleSpeed } from '../../harness/scenario/defaults.ts';
import { picco } from './run-picco.ts';

describe('rehearsal defaults', () => {
  it('december-2020 and its windows default to the rehearsal; flags win; other scenarios stay at 1', () => {
    const dec = getScenario('december-2020')!;
    expect(resolveScaleSpeed(dec, undefined, undefined)).toEqual({ ...REHEARSAL, defaulted: true });
    expect(resolveScaleSpeed(getScenario('december-2020@7dec18:00'), undefined, undefined)).toEqual({ ...REHEARSAL, defaulted: true });
    expect(resolveScaleSpeed(dec, 1, 1)).toEqual({ scale: 1, speed: 1, defaulted: false });
    expect(resolveScaleSpeed(dec, 0.5, undefined)).toEqual({ scale: 0.5, speed: REHEARSAL.speed, defaulted: true });
    expect(resolveScaleSpeed(getScenario('smoke'), undefined, undefined)).toEqual({ scale: 1, speed: 1, defaulted: false });
  });

  it('the rehearsal replays all eleven days in a few minutes', () => {
    const plan = getScenario('december-2020')!.build({ ...REHEARSAL, seed: 1 });
    expect(plan.durationS).toBeGreaterThan((11 * 86_400) / REHEARSAL.speed);
    expect(plan.durationS).toBeLessThan(6 * 60);
    expect(plan.expected.cards_added).toBeGreaterThan(100);
    expect(plan.expected.card_422_on_readd).toBeGreaterThan(0);
  });

  it('a --duration the window\'s preload would use up is bad usage (exit 2, naming --duration), in plan and in run', async () => {
    for (const cmd of ['plan', 'run']) {
      const r = await picco([cmd, 'december-2020@7dec18:15', '--scale', '0.008', '--speed', '60', '--duration', '45s', '--target', 'http://127.0.0.1:9'].slice(0, cmd === 'plan' ? 8 : 10));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--duration 45s leaves nothing of the window: its preload .* takes 98 s/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(r.stderr).not.toMatch(/writing/); // nothing started, nothing written
    }
    const ok = await picco(['plan', 'december-2020@7dec18:15', '--scale', '0.008', '--speed', '60', '--duration', '200s']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('`picco plan december-2020` shows the rehearsal it will run and says so', async () => {
    const r = await picco(['plan', 'december-2020', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { scale: number; speed: number; slo: string[] };
    expect(out).toMatchObject(REHEARSAL);
    expect(out.slo).toEqual([...LAUNCH_SLOS]);
    const text = await picco(['plan', 'december-2020']);
    expect(text.stderr).toMatch(/rehearsal defaults --scale 0\.0001 --speed 3600/);
    expect(text.stdout).toMatch(/scale 0\.0001, speed 3600/);
  }, 60_000);

  it('a zero --scale is refused naming the flag (exit 2)', async () => {
    const r = await picco(['plan', 'december-2020', '--scale', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scale/);
  }, 60_000);

  it('the launch SLOs are those of reports/slo/launch.yaml', () => {
    const file = parse(readFileSync(new URL('../../reports/slo/launch.yaml', import.meta.url), 'utf8')) as string[];
    expect([...LAUNCH_SLOS]).toEqual(file);
  });
});

describe('picco run --faults', () => {
  it('starts the embedded server with the profile: the wallet list fails as configured', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'picco-faults-'));
    const file = join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ routes: { 'GET /pp-restapi-CD/v2/wallet': { errorRate: 1, errorStatus: 404 } } }));
    const out = join(dir, 'run');
    const r = await picco(['run', 'smoke', '--faults', file, '--out', out, '--quiet', '--max-lag', '1000']);
    expect([0, 99], r.stderr).toContain(r.code);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { endpoints: Record<string, { count: number; failed: number }> };
    const wallet = s.endpoints['GET /v2/wallet']!;
    expect(wallet.count).toBeGreaterThan(0);
    expect(wallet.failed).toBe(wallet.count);
  }, 120_000);

  it('refuses a missing file, and a profile with --target, naming the flag (exit 2)', async () => {
    const missing = await picco(['run', 'smoke', '--faults', 'no-such-profile.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--faults no-such-profile\.json: no such file/);
    const withTarget = await picco(['run', 'smoke', '--target', 'http://127.0.0.1:9', '--faults', 'scenarios/faults/injected-symptoms.json']);
    expect(withTarget.code).toBe(2);
    expect(withTarget.stderr).toMatch(/--faults applies to the embedded reference server/);
    const bad = await picco(['run', 'smoke', '--faults', 'package.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--faults package\.json/);
  }, 60_000);
});
