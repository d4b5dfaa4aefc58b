import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareHandler } from 'hono';
import { startTarget, type Target } from './target.ts';
import { BEHAVIOUR_MUTANTS } from './mutants.ts';
import { verify } from './run-verify.ts';

describe('picco verify rejects broken backends, each for its named reason', () => {
  // One reference server; each test switches the mutant in front of it and verifies with its own
  // seed (fresh citizens), so no test sees another's data.
  let current: MiddlewareHandler | undefined;
  let target: Target;
  beforeAll(async () => {
    target = await startTarget((c, next) => (current !== undefined ? current(c, next) : next()));
  });
  afterAll(async () => {
    await target.close();
  });

  BEHAVIOUR_MUTANTS.forEach((m, i) => {
    it(`${m.name}: caught by ${m.caughtBy}`, async () => {
      current = m.middleware;
      try {
        // Only the check that must catch it: the full suite's pass on the unbroken server is verify.test.ts.
        const { code, summary } = await verify(target, ['--no-load', '--checks', m.caughtBy, '--seed', String(7001 + i)]);
        expect(code).toBe(99);
        const check = summary.verify.checks.find((c) => c.name === m.caughtBy)!;
        expect(check.verdict).toBe('fail');
        expect(check.reason).toMatch(m.reason);
        expect(summary.slo.find((s) => s.name === `check ${m.caughtBy}`)!.pass).toBe(false);
      } finally {
        current = undefined;
      }
    });
  });

  it('the same checks pass on the same server once the mutant is removed', async () => {
    const { code, summary } = await verify(target, ['--no-load', '--checks', BEHAVIOUR_MUTANTS.map((m) => m.caughtBy).join(','), '--seed', '7100']);
    expect(summary.verify.checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
    expect(code).toBe(0);
  });
});
