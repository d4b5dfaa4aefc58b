import { afterEach, describe, expect, it, vi } from 'vitest';
import { lateProblem, parseStartAt } from '../../harness/clock/start-at.ts';
import { agreeEpoch, LateStart } from '../../harness/clock/start-gate.ts';
import { parseStartFlags } from '../../cli/start-flags.ts';
import { Problems } from '../../cli/usage.ts';
import { exitCodeOf } from '../../harness/errors.ts';

const NOW = Date.parse('2026-12-08T08:59:30.000Z');

describe('--start-at TIME', () => {
  it('reads an ISO instant with its zone, or +D from now', () => {
    expect(parseStartAt('2026-12-08T09:00:00Z', NOW)).toEqual({ ok: true, epochMs: NOW + 30_000, relative: false });
    expect(parseStartAt('2026-12-08T10:00:00.250+01:00', NOW)).toEqual({ ok: true, epochMs: NOW + 30_250, relative: false });
    expect(parseStartAt('+30s', NOW)).toEqual({ ok: true, epochMs: NOW + 30_000, relative: true });
    expect(parseStartAt('+1m30s', NOW)).toMatchObject({ epochMs: NOW + 90_000 });
    expect(parseStartAt('+250ms', NOW)).toMatchObject({ epochMs: NOW + 250 });
  });
  it('refuses what is not one instant on every machine, naming --start-at', () => {
    for (const bad of ['tomorrow', '+30', '+s', '2026-12-08', '2026-12-08 09:00:00Z', '2026-13-08T09:00:00Z']) {
      const r = parseStartAt(bad, NOW);
      expect(r.ok, bad).toBe(false);
      expect((r as { problem: string }).problem).toMatch(/^--start-at '/);
    }
    expect(parseStartAt('2026-12-08T09:00:00', NOW)).toMatchObject({ ok: false, problem: expect.stringMatching(/give its zone/) });
  });
});

describe('the start gate', () => {
  const clockAt = (ms: number) => () => ms;
  it('without --start-at: now plus the lead', async () => {
    expect(await agreeEpoch({ maxLagP99Ms: 25 }, 50, undefined, clockAt(NOW))).toEqual({ epochMs: NOW + 50, mode: 'ready', waitedMs: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  it('early: waits for the instant (less the lead) and gives it as t = 0', async () => {
    vi.useFakeTimers({ now: NOW });
    let done = false;
    const p = agreeEpoch({ startAt: { epochMs: NOW + 120_000, text: 'x' }, maxLagP99Ms: 25 }, 20).then((r) => ((done = true), r));
    await vi.advanceTimersByTimeAsync(119_970);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(await p).toEqual({ epochMs: NOW + 120_000, mode: 'start-at', waitedMs: 119_980 });
  });
  it('a long wait is cut shortly before the instant to re-warm; a short one is not; a re-warm that makes it late refuses', async () => {
    vi.useFakeTimers({ now: NOW });
    const calls: number[] = [];
    const before = { msBefore: 1000, run: async () => void calls.push(Date.now()) };
    const p = agreeEpoch({ startAt: { epochMs: NOW + 30_000, text: 'x' }, maxLagP99Ms: 25 }, 20, undefined, Date.now, before);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await p).toMatchObject({ epochMs: NOW + 30_000 });
    expect(calls).toEqual([NOW + 29_000]);
    const short = agreeEpoch({ startAt: { epochMs: Date.now() + 500, text: 'x' }, maxLagP99Ms: 25 }, 20, undefined, Date.now, before);
    await vi.advanceTimersByTimeAsync(500);
    await short;
    expect(calls).toHaveLength(1);
    const slow = { msBefore: 1000, run: () => vi.advanceTimersByTimeAsync(2000).then(() => undefined) };
    const late = agreeEpoch({ startAt: { epochMs: Date.now() + 10_000, text: 'y' }, maxLagP99Ms: 25 }, 20, undefined, Date.now, slow).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(12_000);
    expect(await late).toBeInstanceOf(LateStart);
  });
  it('late within --max-lag: starts (its lag is recorded); beyond it: refuses, exit 2, saying by how much', async () => {
    const at = { epochMs: NOW, text: '2026-12-08T08:59:30Z' };
    expect(await agreeEpoch({ startAt: at, maxLagP99Ms: 25 }, 50, undefined, clockAt(NOW + 20))).toMatchObject({ epochMs: NOW, waitedMs: 0 });
    const err = await agreeEpoch({ startAt: at, maxLagP99Ms: 25 }, 50, undefined, clockAt(NOW + 3012)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LateStart);
    expect(exitCodeOf(err)).toBe(2);
    expect((err as LateStart).message).toBe(lateProblem(at.text, 3012, 25));
    expect((err as LateStart).message).toMatch(/^--start-at 2026-12-08T08:59:30Z: this process reached it 3,012 ms late \(bound: --max-lag 25 ms\)/);
  });
});

describe('picco run --start-at / --clock-ref flags', () => {
  const seg = { index: 1, count: 2 };
  const whole = { index: 0, count: 1 };
  const parse = (f: Record<string, string>, s = seg) => {
    const p = new Problems();
    const r = parseStartFlags(f, s, 25, p, NOW);
    return { r, problems: p.list };
  };
  it('an instant for a segment: measured against the target unless --clock-ref says where', () => {
    expect(parse({ 'start-at': '2026-12-08T09:00:00Z' })).toEqual({ r: { startAt: { epochMs: NOW + 30_000, text: '2026-12-08T09:00:00Z' }, clock: {} }, problems: [] });
    expect(parse({ 'start-at': '2026-12-08T09:00:00Z', 'clock-ref': 'ntp://10.0.0.1' }).r.clock).toEqual({ ref: 'ntp://10.0.0.1' });
    expect(parse({}).r).toEqual({});
  });
  it('+D with --segment: resolved here, with a note that other machines need the instant', () => {
    const { r, problems } = parse({ 'start-at': '+10s' });
    expect(problems).toEqual([]);
    expect(r.startAt?.epochMs).toBe(NOW + 10_000);
    expect(r.note).toMatch(/segments on other machines must get that instant/);
  });
  it('refuses +D without --segment, an instant past the bound, and a --clock-ref that is no reference', () => {
    expect(parse({ 'start-at': '+10s' }, whole).problems.join()).toMatch(/^--start-at '\+10s' without --segment/);
    expect(parse({ 'start-at': '2026-12-08T09:00:00Z' }, whole).problems).toEqual([]);
    expect(parse({ 'start-at': '2026-12-08T08:59:29.900Z' }).problems).toEqual(['--start-at 2026-12-08T08:59:29.900Z is 100 ms in the past (bound: --max-lag 25 ms): give a later instant']);
    expect(parse({ 'start-at': '2026-12-08T08:59:29.990Z' }).problems).toEqual([]);
    expect(parse({ 'clock-ref': 'ftp://x' }).problems.join()).toMatch(/^--clock-ref 'ftp:\/\/x' must be ntp:/);
    expect(parse({ 'clock-ref': 'nope' }).problems.join()).toMatch(/^--clock-ref 'nope' is not a URL/);
  });
});
