import { describe, expect, it } from 'vitest';
import { startTarget } from './target.ts';
import { BEHAVIOUR_MUTANTS } from './mutants.ts';
import { verify } from './run-verify.ts';

describe('picco verify rejects broken backends, each for its named reason', () => {
  for (const m of BEHAVIOUR_MUTANTS) {
    it(`${m.name}: caught by ${m.caughtBy}`, async () => {
      const target = await startTarget(m.middleware);
      try {
        // Only the check that must catch it: the full suite's pass on the unbroken server is verify.test.ts.
        const { code, summary } = await verify(target, ['--no-load', '--checks', m.caughtBy]);
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
});
