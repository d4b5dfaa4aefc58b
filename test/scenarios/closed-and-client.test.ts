/**
 * `--client` and `--closed VUS` as the launch scenarios plan them (no sockets): the client
 * profiles differ where the app's code changed in December 2020, and a closed loop keeps the
 * journeys but drops the presses, compresses no think time and retries nothing.
 */
import { describe, expect, it } from 'vitest';
import { getScenario } from '../../scenarios/index.ts';
import { clientProfile } from '../../scenarios/journeys/client-profile.ts';
import type { JourneyContext } from '../../scenarios/journeys/app-client.ts';

const surge = () => {
  const s = getScenario('december-2020@7dec18:15');
  if (s === undefined) throw new Error('no scenario');
  return s;
};
const opts = { scale: 0.0005, speed: 60, seed: 1, durationS: 60 };

describe('client profiles', () => {
  it('gives the app of 7 Dec no backoff and no persisted wallet list, and the app of 1.16 both', () => {
    const dec7 = clientProfile('2020-12-07');
    const fixed = clientProfile('fixed');
    expect([dec7.backoff, dec7.walletCache === undefined, dec7.singleFlightRefresh]).toEqual([false, true, false]);
    expect([fixed.backoff, fixed.walletCache !== undefined, fixed.singleFlightRefresh]).toEqual([true, true, true]);
    expect(clientProfile(undefined).name).toBe('fixed');
  });

  it('is what the launch scenario hands its journeys for --client', () => {
    expect(surge().clients).toEqual(['fixed', '2020-12-07']);
    const plan = surge().build({ ...opts, client: '2020-12-07' });
    const ctx = plan.streams.find((s) => s.name.startsWith('browse-wallet'))!.params as JourneyContext;
    expect(ctx.client?.name).toBe('2020-12-07');
    const def = surge().build(opts).streams.find((s) => s.name.startsWith('browse-wallet'))!.params as JourneyContext;
    expect(def.client?.name).toBe('fixed');
  });
});

describe('--closed VUS', () => {
  it('prints the VUs that give the open run\'s average throughput', () => {
    const plan = surge().build(opts);
    const vus = plan.expected.closed_vus_for_average_throughput!;
    expect(vus).toBeGreaterThan(0);
    expect(plan.notes?.some((n) => n.startsWith(`--closed ${vus} gives`))).toBe(true);
  });

  it('turns the journeys into closed loops of VUS users without presses, think at speed 1, no retries', () => {
    const open = surge().build(opts);
    const vus = open.expected.closed_vus_for_average_throughput!;
    const closed = surge().build({ ...opts, closedVus: vus });
    const loops = closed.streams.filter((s) => s.executor.type === 'constant-vus');
    expect(loops.reduce((n, s) => n + (s.executor as { vus: number }).vus, 0)).toBe(vus);
    expect(closed.streams.some((s) => s.name.startsWith('impatient-retry'))).toBe(false);
    expect(closed.streams.find((s) => s.name === 'preload-wallets')?.executor.type).toBe('constant-arrival-rate');
    for (const s of loops) {
      const ctx = s.params as JourneyContext;
      expect([ctx.speed, ctx.noRetries]).toEqual([1, true]);
    }
    expect(closed.durationS).toBe(open.durationS);
  });
});
