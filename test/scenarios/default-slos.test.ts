/**
 * Every registered scenario gates on something by default: its plan carries SLOs that parse,
 * so `picco run NAME` has a verdict beyond validity and `picco export k6 NAME` has thresholds.
 */
import { describe, expect, it } from 'vitest';
import { getScenario, scenarioNames } from '../../scenarios/index.ts';
import { CARD_PEAK_SLOS } from '../../scenarios/card-peak.ts';
import { DEFAULT_CAPACITY_SLO } from '../../harness/capacity/index.ts';
import { parseSlo } from '../../harness/slo/parse.ts';

describe('default SLOs', () => {
  it('every registered scenario has default SLOs, each of them valid SLO grammar', () => {
    for (const name of [...scenarioNames(), 'december-2020@7dec18:00']) {
      const plan = getScenario(name)!.build({ scale: 0.001, speed: 60, seed: 1, durationS: 20 });
      expect(plan.slo?.length ?? 0, name).toBeGreaterThan(0);
      for (const line of plan.slo!) expect(() => parseSlo(line), `${name}: ${line}`).not.toThrow();
    }
  });

  it('card-peak and card-peak-full judge by the criteria picco capacity uses', () => {
    expect([...CARD_PEAK_SLOS]).toEqual(DEFAULT_CAPACITY_SLO);
    for (const name of ['card-peak', 'card-peak-full']) {
      expect(getScenario(name)!.build({ scale: 0.01, speed: 1, seed: 1 }).slo).toEqual(DEFAULT_CAPACITY_SLO);
    }
  });

  it('smoke judges behaviour only: no latency objective a slow CI box could fail', () => {
    const slo = getScenario('smoke')!.build({ scale: 1, speed: 1, seed: 1 }).slo!.map((l) => parseSlo(l));
    expect(slo.map((s) => s.metric).sort()).toEqual(['checks', 'dropped_iterations', 'http_req_failed']);
  });
});

describe('streamsOnly plans (what a k6 VU builds)', () => {
  it('have the same streams, executors, start times and citizens as the full plan, for every scenario', () => {
    for (const name of [...scenarioNames(), 'december-2020@7dec18:00']) {
      for (const scale of [0.001, 0.05]) {
        const o = { scale, speed: 60, seed: 3 };
        const full = getScenario(name)!.build(o);
        const lean = getScenario(name)!.build({ ...o, streamsOnly: true });
        const shape = (p: typeof full) => p.streams.map((s) => ({ name: s.name, journey: s.journey.name, executor: s.executor, startS: s.startS, citizens: [0, 1, 977, 12_345].map((k) => s.citizenOf?.(k)) }));
        expect(shape(lean), `${name} at ${scale}`).toEqual(shape(full));
        expect(lean.durationS).toBe(full.durationS);
      }
    }
  });
});
