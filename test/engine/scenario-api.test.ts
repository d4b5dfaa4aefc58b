import { describe, expect, it } from 'vitest';
import { constantArrivalRate, constantVus, defineScenario, rampingArrivalRate, rampingVus } from '../../harness/scenario/index.ts';
import { ERRORS, exitCodeOf, PiccoError, UsageError } from '../../harness/errors.ts';
import { ScenarioOptionError } from '../../harness/scenario/option-error.ts';

const plan = () => ({ scenario: 'x', durationS: 1, expected: {}, streams: [] });

describe('picco/scenario', () => {
  it('returns a valid scenario unchanged', () => {
    const s = { name: 'x', description: 'd', origins: { api: {}, shop: { basePath: '/v2' } }, build: plan };
    expect(defineScenario(s)).toBe(s);
  });

  it('names every problem of a scenario at once', () => {
    const bad = { name: '', description: 'd', origins: { 'a/b': {}, shop: { basePath: 'v2/' } }, build: plan };
    expect(() => defineScenario(bad)).toThrow(PiccoError);
    try {
      defineScenario(bad);
    } catch (err) {
      const e = err as PiccoError;
      expect(e.code).toBe('PICCO_ERR_SCENARIO_INVALID');
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(/name must be a non-empty string/);
      expect(e.message).toMatch(/origin 'a\/b'/);
      expect(e.message).toMatch(/basePath 'v2\/' must start with '\/'/);
    }
    expect(() => defineScenario({ name: 'x', description: 'd', origins: {}, build: plan })).toThrow(/at least one origin/);
  });

  it('writes the four executors of k6 with their defaults', () => {
    expect(constantArrivalRate({ rate: 5, durationS: 2 })).toEqual({ type: 'constant-arrival-rate', rate: 5, durationS: 2 });
    expect(rampingArrivalRate({ stages: [{ durationS: 1, target: 3 }] })).toEqual({ type: 'ramping-arrival-rate', startRate: 0, stages: [{ durationS: 1, target: 3 }] });
    expect(constantVus({ vus: 2, durationS: 3 })).toEqual({ type: 'constant-vus', vus: 2, durationS: 3 });
    expect(rampingVus({ stages: [{ durationS: 1, target: 2 }] })).toEqual({ type: 'ramping-vus', startVus: 0, stages: [{ durationS: 1, target: 2 }] });
  });
});

describe('the error catalogue', () => {
  it('gives every error its stable code and the exit code of its row', () => {
    expect(new UsageError(['--rate: bad']).exitCode).toBe(2);
    expect(new ScenarioOptionError('too short').code).toBe('PICCO_ERR_SCENARIO_OPTION');
    expect(exitCodeOf(new ScenarioOptionError('x'))).toBe(2);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
    for (const [code, [exit]] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^PICCO_ERR_[A-Z0-9_]+$/);
      expect([0, 1, 2, 98, 99]).toContain(exit);
    }
  });
});
