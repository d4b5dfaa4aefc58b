/** Runs `picco verify` in-process against a target and reads its summary.json. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import type { Target } from './target.ts';

export interface CheckReport { name: string; verdict: 'pass' | 'fail' | 'skip'; reason: string }
export interface VerifySummary {
  pass: boolean;
  slo: Array<{ name: string; pass: boolean }>;
  verify: { checks: CheckReport[]; contract: Array<{ problem: string }>; load: Array<{ scenario: string; verdict: string; slo: Array<{ name: string; pass: boolean; value: number | null }> }> };
}

export const LOAD = ['--load-scenarios', 'test/verify/fixtures/light-load.ts', '--slo', 'test/verify/fixtures/slo.yaml', '--load-duration', '3s', '--speed', '1',
  // The test machine is shared: validity of the generator is not what these tests are about.
  '--max-lag', '10000', '--max-dropped', '0.9'];

export async function verify(target: Target, extra: string[] = []): Promise<{ code: number; summary: VerifySummary; out: string }> {
  const out = mkdtempSync(join(tmpdir(), 'picco-verify-out-'));
  // A later --seed in `extra` wins (parseArgs keeps the last value).
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    errors.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['verify', '--target', target.url, '--out', out, '--quiet', '--seed', '4242', ...extra]);
  } finally {
    process.stderr.write = write;
  }
  if (!existsSync(join(out, 'summary.json'))) throw new Error(`picco verify exited ${code} without a summary: ${errors.join('')}`);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as VerifySummary;
  return { code, summary, out };
}
