/** Runs the real `picco` CLI in a child process (embedded reference server, real sockets). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'picco.js');

export function picco(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', ...env }, ...(cwd !== undefined ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface Summary {
  outcomes: Record<string, number>;
  expected: Record<string, number>;
  checks: Record<string, { pass: number; fail: number }>;
  requests: { total: number; ok: number; failed: number; dropped: number };
  slo: Array<{ name: string; threshold: string; value: number | null; pass: boolean }>;
  valid: boolean;
}

export function summary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}

/** |got - want| ≤ max(floor, share × want). */
export function near(got: number, want: number, share: number, floor = 1): boolean {
  return Math.abs(got - want) <= Math.max(floor, share * want);
}
