/**
 * The bench's reading of the box (bench/box.ts): the fixed loop pinned to a core, and the
 * hypervisor's steal between two /proc/stat readings.
 */
import { describe, expect, it } from 'vitest';
import { describeProbe, probeCores, stealShare } from '../../bench/box.ts';
import { cpuJiffies } from '../../harness/metrics/steal.ts';

const STAT_BEFORE = `cpu  72556 632 20844 158456 8498 0 8005 15005 0 0
cpu0 27299 632 8246 95525 395 0 3272 7988 0 0
cpu1 45256 0 12598 62931 8103 0 4732 7016 0 0
intr 1 2 3
`;
// core 0: 1,000 jiffies later, 250 of them stolen; core 1: 500 later, none stolen
const STAT_AFTER = `cpu  0 0 0 0 0 0 0 0 0 0
cpu0 27599 632 8346 95875 395 0 3272 8238 0 0
cpu1 45456 0 12698 63131 8103 0 4732 7016 0 0
`;

describe('bench box reading', () => {
  it('reads each core\'s steal and total from /proc/stat, not the all-cores line', () => {
    const j = cpuJiffies(STAT_BEFORE);
    expect([...j.keys()]).toEqual([0, 1]);
    expect(j.get(0)).toEqual([7988, 27299 + 632 + 8246 + 95525 + 395 + 0 + 3272 + 7988]);
  });

  it('gives the share of each core\'s time stolen between two readings', () => {
    const share = stealShare(cpuJiffies(STAT_BEFORE), cpuJiffies(STAT_AFTER));
    expect(share.get(0)).toBeCloseTo(0.25, 10);
    expect(share.get(1)).toBe(0);
    expect(stealShare(cpuJiffies(STAT_AFTER), cpuJiffies(STAT_AFTER)).size).toBe(0);
  });

  it('times the fixed loop pinned to a core, and says so when the core cannot be had', async () => {
    const ms = await probeCores([0, 4096]);
    expect(ms.get(0)).toBeGreaterThan(0);
    expect(ms.get(4096)).toBeNaN();
    expect(describeProbe(ms)).toMatch(/^box: a fixed integer loop \(10\^8 steps\) took \d+ ms on core 0, \? ms on core 4096$/);
  });
});
