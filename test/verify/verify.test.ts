import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import { startTarget, type Target } from './target.ts';
import { LOAD, verify } from './run-verify.ts';

describe('picco verify against the reference server', () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => {
    await target.close();
  });

  it('passes every check, the contract and the load SLOs (exit 0)', async () => {
    const { code, summary, out } = await verify(target, LOAD);
    const failed = summary.verify.checks.filter((c) => c.verdict === 'fail');
    expect(failed).toEqual([]);
    expect(summary.verify.contract).toEqual([]);
    expect(summary.verify.load).toHaveLength(1);
    expect(summary.verify.load[0]!.verdict).toBe('pass');
    expect(code).toBe(0);
    const names = summary.verify.checks.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['duplicate-card-422', 'hpan-owned-409', 'not-enrolled-403', 'iban-outcomes', 'citizen-delete-cascade', 'cashback-totals', 'auth-required', 'other-citizen-data-unreachable', 'pan-never-echoed', 'api-contract']));
    expect(summary.verify.checks.find((c) => c.name === 'cashback-totals')!.verdict).toBe('pass');
    // openapi.yaml declares Idempotency-Key, so the check runs for real on the reference server.
    expect(summary.verify.checks.find((c) => c.name === 'idempotency-key-honoured')!.verdict).toBe('pass');
    for (const f of ['report.html', 'summary.md', 'junit.xml']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('check duplicate-card-422');
  });

  it('refuses bad usage with exit 2', async () => {
    expect(await main(['verify'])).toBe(2);
    expect(await main(['verify', '--target', 'nope'])).toBe(2);
    expect(await main(['verify', '--target', target.url, '--checks', 'no-such-check'])).toBe(2);
    expect(await main(['verify', '--target', target.url, '--slo', 'missing.yaml'])).toBe(2);
    expect(await main(['verify', '--target', 'http://127.0.0.1:9', '--quiet'])).toBe(2); // nothing listens on the discard port
  });
});
