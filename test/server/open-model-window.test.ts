import { describe, expect, it } from 'vitest';
import { measuredWindowValidity } from '../../bench/server/reference-rows.ts';
import type { Summary } from '../../bench/server-surge.ts';

const DELAY = "the generator's own delay (scheduling lag + read delay) at p99 exceeded 25 ms (--max-lag) in 2 of 14 seconds: ...";
const run = (valid: boolean, reasons: string[], late: number[]): Summary => ({
  durationS: 13, valid, requests: { total: 1, ok: 1, failed: 0, dropped: 0 }, rate: { target: 1, achieved: 1 },
  latencyMs: {}, serviceTimeMs: {}, endpoints: {}, invalidReasons: reasons,
  generator: { perSecond: { maxMs: 25, lateSeconds: late.map((t) => ({ t, delayMs: 40 })) } },
});

describe("the server bench's open-model row judges the seconds it measures", () => {
  it('takes a valid run as valid', () => {
    expect(measuredWindowValidity(run(true, [], []), 3).valid).toBe(true);
  });
  it('takes a run flagged only for its own delay in ramp seconds as valid over the measured window, and says so', () => {
    const v = measuredWindowValidity(run(false, [DELAY], [0, 1]), 3);
    expect(v).toEqual({ valid: true, note: expect.stringContaining('seconds 0, 1 of the ramp') });
  });
  it('refuses a run late in a measured second, or invalid for any other reason', () => {
    expect(measuredWindowValidity(run(false, [DELAY], [1, 3]), 3).valid).toBe(false);
    expect(measuredWindowValidity(run(false, [DELAY, 'scheduling lag p99 40 ms > 25 ms (--max-lag)'], [0]), 3).valid).toBe(false);
    expect(measuredWindowValidity(run(false, ['dropped 5 % of arrivals'], []), 3).valid).toBe(false);
  });
});
