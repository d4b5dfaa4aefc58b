/**
 * How fast the box was while a bench ran, so that absolute figures from different days can be
 * read side by side (ratios within one run need none of this):
 * - `probeCores`: a fixed integer loop (10^8 dependent multiply-adds) pinned to each core in turn,
 *   in milliseconds. The same loop took 3.4 x longer on one evening than on the evening before,
 *   and every CPU-bound figure of that day moved with it (docs/benchmarks.md, ninth round).
 * - `stealMeter`: the share of each core's time the hypervisor gave to other guests ("steal",
 *   /proc/stat, read by the engine's own parser, harness/metrics/steal.ts) between its start and
 *   `read()`, on Linux.
 *
 * @example
 * const steal = stealMeter(); process.stdout.write(`${describeProbe(await probeCores([0, 1]))}\n`); ... steal.read();
 */
import { readFileSync } from 'node:fs';
import { sh } from './lib.ts';
import { cpuJiffies } from '../harness/metrics/steal.ts';

const LOOP = 'const t=process.hrtime.bigint();let x=0;for(let i=0;i<1e8;i++){x=(x*31+i)|0}'
  + 'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6)+" "+x)';

/** Milliseconds the fixed loop took on each core (NaN where taskset or the core is missing). */
export async function probeCores(cores: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const core of cores) {
    const r = await sh('taskset', ['-c', String(core), process.execPath, '-e', LOOP], { timeoutMs: 60_000 });
    out.set(core, r.code === 0 ? Number(r.stdout.split(' ')[0]) : Number.NaN);
  }
  return out;
}

export function describeProbe(ms: ReadonlyMap<number, number>): string {
  const each = [...ms].map(([core, v]) => `${Number.isFinite(v) ? Math.round(v) : '?'} ms on core ${core}`).join(', ');
  return `box: a fixed integer loop (10^8 steps) took ${each}`;
}

/** Steal share per core between two /proc/stat readings. */
export function stealShare(before: ReadonlyMap<number, [number, number]>, after: ReadonlyMap<number, [number, number]>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [core, [s1, t1]] of after) {
    const b = before.get(core);
    if (b === undefined || t1 <= b[1] || !Number.isFinite(s1 - b[0])) continue;
    out.set(core, (s1 - b[0]) / (t1 - b[1]));
  }
  return out;
}

function readStat(): string {
  try {
    return readFileSync('/proc/stat', 'utf8');
  } catch {
    return '';
  }
}

/** Starts counting; `read()` describes each core's steal since, or '' where /proc/stat is absent. */
export function stealMeter(): { read(): string } {
  const before = cpuJiffies(readStat());
  return {
    read() {
      const share = stealShare(before, cpuJiffies(readStat()));
      if (share.size === 0) return '';
      return `steal (time the hypervisor gave to other guests): ${[...share].map(([c, s]) => `core ${c} ${(100 * s).toFixed(1)} %`).join(', ')}`;
    },
  };
}
