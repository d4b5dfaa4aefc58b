import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startTarget } from './target.ts';
import { ignoresIdempotencyKey, slowUnderLoad } from './mutants.ts';
import { LOAD, verify } from './run-verify.ts';

/** openapi.yaml with Idempotency-Key declared on POST /v1/wallet/cc, as a vendor's contract would offer it. */
function contractDeclaringIdempotency(): string {
  const doc = parse(readFileSync('reference-server/openapi.yaml', 'utf8')) as { paths: Record<string, Record<string, { parameters?: unknown[] }>> };
  const op = doc.paths['/pp-restapi-CD/v1/wallet/cc']!['post']!;
  op.parameters = [...(op.parameters ?? []), { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }];
  const file = join(mkdtempSync(join(tmpdir(), 'picco-contract-')), 'openapi.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

describe('picco verify rejects a backend that ignores a declared Idempotency-Key or is slow under load', () => {
  it('ignores the Idempotency-Key it declares: caught by idempotency-key-honoured', async () => {
    const contract = contractDeclaringIdempotency();
    const good = await startTarget();
    try {
      const { code, summary } = await verify(good, ['--no-load', '--contract', contract, '--checks', 'idempotency-key-honoured,api-contract']);
      expect(summary.verify.checks.map((c) => c.verdict)).toEqual(['pass', 'pass']);
      expect(code).toBe(0);
    } finally {
      await good.close();
    }
    const target = await startTarget(ignoresIdempotencyKey);
    try {
      const { code, summary } = await verify(target, ['--no-load', '--contract', contract, '--checks', 'idempotency-key-honoured']);
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
