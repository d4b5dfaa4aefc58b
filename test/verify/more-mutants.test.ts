import { describe, expect, it } from 'vitest';
import { startTarget } from './target.ts';
import { ignoresIdempotencyKey, slowUnderLoad } from './mutants.ts';
import { LOAD, verify } from './run-verify.ts';

describe('picco verify rejects a backend that ignores a declared Idempotency-Key or is slow under load', () => {
  it('ignores the Idempotency-Key it declares: caught by idempotency-key-honoured', async () => {
    // reference-server/openapi.yaml declares Idempotency-Key on POST /v1/wallet/cc (the default --contract).
    const good = await startTarget();
    try {
      const { code, summary } = await verify(good, ['--no-load', '--checks', 'idempotency-key-honoured,api-contract']);
      expect(summary.verify.checks.map((c) => c.verdict)).toEqual(['pass', 'pass']);
      expect(code).toBe(0);
    } finally {
      await good.close();
    }
    const target = await startTarget(ignoresIdempotencyKey);
    try {
      const { code, summary } = await verify(target, ['--no-load', '--checks', 'idempotency-key-honoured']);
      expect(code).toBe(99);
      const check = summary.verify.checks.find((c) => c.name === 'idempotency-key-honoured')!;
      expect(check.verdict).toBe('fail');
      expect(check.reason).toMatch(/repeated with the same Idempotency-Key after the card was verified answered 422 creditcard\.already_exists/);
    } finally {
      await target.close();
    }
  });

  it('stops meeting the SLO under load (2.5 s added to GET /info): caught by the load SLO', async () => {
    const target = await startTarget(slowUnderLoad);
    try {
      const { code, summary } = await verify(target, [...LOAD, '--no-checks']);
      expect(code).toBe(99);
      expect(summary.verify.checks).toEqual([]);
      const load = summary.verify.load[0]!;
      expect(load.verdict).toBe('fail');
      const p95 = load.slo.find((s) => s.name.startsWith('http_req_duration'))!;
      expect(p95.pass).toBe(false);
      expect(p95.value).toBeGreaterThan(1500);
    } finally {
      await target.close();
    }
  });
});
