/** Steal time from /proc: the parsers on fixed text, and a live read where the kernel has it. */
import { describe, expect, it } from 'vitest';
import { meanStealMs, parseCpuList, StealStat } from '../../harness/metrics/steal.ts';
import { LoopWatch } from '../../harness/metrics/loop-watch.ts';

const PROC_STAT = [
  'cpu  4705 356 584 3699 23 23 0 40 0 0',
  'cpu0 2000 100 300 1800 10 10 0 12 0 0',
  'cpu1 2705 256 284 1899 13 13 0 28 0 0',
  'intr 114930548 113199788 3 0 5 263 0 4 [... many more]',
].join('\n');

describe('steal time', () => {
  it('reads the CPUs a thread may run on as /proc writes them', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('')).toEqual([]);
    expect(parseCpuList('0-x')).toEqual([]);
  });

  it('gives the mean steal of those CPUs in ms (10 ms ticks), not the all-CPU line', () => {
    expect(meanStealMs(PROC_STAT, [0])).toBe(120);
    expect(meanStealMs(PROC_STAT, [1])).toBe(280);
    expect(meanStealMs(PROC_STAT, [0, 1])).toBe(200);
    // an allowed CPU with no line (not online): the mean of those listed; none listed, no figure
    expect(meanStealMs(PROC_STAT, [0, 5])).toBe(120);
    expect(meanStealMs(PROC_STAT, [5, 6])).toBeUndefined();
    expect(meanStealMs('cpu0 1 2 3 4 5 6 7\n', [0])).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('reads this machine\'s steal, and a loop\'s second carries it', async () => {
    const s = StealStat.open();
    expect(s).toBeDefined();
    const a = s!.read()!;
    expect(a).toBeGreaterThanOrEqual(0);
    expect(s!.read()!).toBeGreaterThanOrEqual(a);
    s!.close();
    const w = new LoopWatch();
    w.start();
    await new Promise((r) => setTimeout(r, 30));
    const second = w.second();
    w.stop();
    expect(second.stealMs).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(second.stealMs)).toBe(true);
  });
});
