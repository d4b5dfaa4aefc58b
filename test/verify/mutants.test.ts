import { describe, expect, it } from 'vitest';
import { startTarget } from './target.ts';
import { BEHAVIOUR_MUTANTS, slowUnderLoad } from './mutants.ts';
import { LOAD, verify } from './run-verify.ts';

describe('picco verify rejects broken backends, each for its named reason', () => {
  for (const m of BEHAVIOUR_MUTANTS) {
    it(`${m.name}: caught by ${m.caughtBy}`, async () => {
      const target = await startTarget(m.middleware);
      try {
        const { code, summary } = await verify(target, ['--no-load']);
        expect(code).toBe(99);
        const check = summary.verify.checks.find((c) => c.name === m.caughtBy)!;
        expect(check.verdict).toBe('fail');
        expect(check.reason).toMatch(m.reason);
        expect(summary.slo.find((s) => s.name === `check ${m.caughtBy}`)!.pass).toBe(false);
      } finally {
        await target.close();
      }
    });
  }

  it('stops meeting the SLO under load (600 ms added to every answer): caught by the load SLO', async () => {
    const target = await startTarget(slowUnderLoad);
    try {
      const { code, summary } = await verify(target, [...LOAD, '--no-checks']);
      expect(code).toBe(99);
      expect(summary.verify.checks).toEqual([]);
      const load = summary.verify.load[0]!;
      expect(load.verdict).toBe('fail');
      const p95 = load.slo.find((s) => s.name.startsWith('http_req_duration'))!;
      expect(p95.pass).toBe(false);
      expect(p95.value).toBeGreaterThan(400);
    } finally {
      await target.close();
    }
  });
});
