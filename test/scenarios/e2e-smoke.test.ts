/**
 * smoke end to end: `picco run smoke` against the embedded reference server (real sockets,
 * SQLite), then every outcome the plan predicts is compared one to one. The rates are tiny, so
 * on a quiet machine nothing is shed and the counts are exact; if the box is busy (other test
 * files run in parallel on two cores) the server may shed a write with 503, and each failed
 * request can cost at most one outcome, so the tolerance is the number of failed requests.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { picco, summary } from './run-picco.ts';
import { SMOKE_SLOS } from '../../scenarios/smoke.ts';

describe('smoke, end to end', () => {
  it('produces exactly the outcomes the plan predicts', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'picco-smoke-')), 'run');
    const r = await picco(['run', 'smoke', '--out', out, '--quiet', '--max-lag', '1000', '--report']);
    expect(r.stderr).toMatch(/^picco run: reports written: [^\n]*junit\.xml\n$/);
    expect(r.code).toBe(0);
    const s = summary(out);
    const slack = s.requests.failed;
    expect(slack).toBeLessThanOrEqual(5);
    for (const [k, want] of Object.entries(s.expected)) {
      expect(Math.abs((s.outcomes[k] ?? 0) - want), `${k}: got ${s.outcomes[k] ?? 0}, plan ${want}`).toBeLessThanOrEqual(slack);
    }
    for (const [name, c] of Object.entries(s.checks)) expect(c.fail, name).toBeLessThanOrEqual(slack);
    // the default SLOs judged the run, and junit.xml is never an empty suite
    expect(s.slo.map((o) => o.name)).toEqual([...SMOKE_SLOS]);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    const tests = Number(/<testsuite [^>]*tests="(\d+)"/.exec(junit)![1]);
    expect(tests).toBe(1 + SMOKE_SLOS.length + Object.keys(s.checks).length);
    expect(junit).toMatch(/<testcase name="run validity"/);
    expect(junit).toMatch(/failures="0" errors="0"/);
  }, 120_000);
});
