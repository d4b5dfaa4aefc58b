/**
 * The flags of issue 16 at the CLI's edge: bad usage is exit 2 naming the flag, before anything
 * starts; `picco serve --architecture 2020` serves the 2020 build with its capacities scaled.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { picco } from './run-picco.ts';

describe('issue 16 flags', () => {
  it('refuses what the 2020 architecture and the client profiles cannot mean, naming the flag', async () => {
    const cases: [string[], string][] = [
      [['serve', '--architecture', '2020', '--faults', 'scenarios/faults/injected-symptoms.json'], '--faults cannot be combined'],
      [['serve', '--architecture', '2021'], "--architecture '2021'"],
      [['serve', '--rate-scale', '0.1'], '--rate-scale'],
      [['serve', '--architecture', '2020', '--architecture-option', 'bulkhead=maybe'], '--architecture-option bulkhead'],
      [['run', 'update-reenroll', '--client', '2019'], "--client '2019'"],
      [['run', 'smoke', '--client', 'fixed'], '--client'],
      [['run', 'update-reenroll', '--architecture', '2020', '--target', 'http://127.0.0.1:9'], '--architecture and --rate-scale apply to the embedded'],
      [['run', 'update-reenroll', '--closed', '0'], '--closed'],
    ];
    for (const [args, message] of cases) {
      const r = await picco(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  }, 120_000);

  it('serves the 2020 build with its national capacities times --rate-scale', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'picco.js'), 'serve', '--port', '0',
      '--architecture', '2020', '--rate-scale', '0.02', '--architecture-option', 'bulkhead=true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      const arch = await (await fetch(`${url}/__picco/architecture`)).json() as { architecture: string; rateScale: number; bulkhead: boolean; capacity: Record<string, number> };
      expect([arch.architecture, arch.rateScale, arch.bulkhead]).toEqual(['2020', 0.02, true]);
      expect(arch.capacity.pmThreads).toBe(24); // 1,200 x 0.02
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
