/**
 * What a run's verdict is made of, item by item, for the CI views (junit.xml, summary.md) to
 * say the same thing: the run's validity (always one item, so a run with no SLO is never "no
 * tests ran"), one item per check the journeys made, one per SLO.
 *
 * A check item fails only when its failures broke the verdict: when a `checks` SLO covering it
 * (untagged, or tagged `check:<its name>`) failed. As in k6, a failing check alone does not fail
 * a run; junit.xml's failure count then agrees with the exit code (a CI that fails the build on
 * JUnit failures and one that reads the exit code reach the same verdict), and the check's
 * counts still say how often it failed.
 *
 * @example
 *   const { validity, checks } = verdictItems(run.summary);
 */
import type { SummaryAsRead } from './run-data.ts';
import { pct, ms, int } from './format.ts';

export interface ValidityItem {
  valid: boolean;
  /** Why the run is (in)valid, in one line. */
  text: string;
}

export interface CheckItem {
  name: string;
  pass: number;
  fail: number;
  /** The check's failures broke the verdict (a covering `checks` SLO failed). */
  failing: boolean;
  /** "9 of 9 passed" / "3 of 9 failed (checks: rate>99% failed)". */
  text: string;
}

const CHECKS_SLO = /^checks(?:\{check:(.*)\})?\s*:/;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function validityItem(s: SummaryAsRead): ValidityItem {
  if (!s.valid) {
    const why = (s.invalidReasons ?? []).join('; ') || 'the generator could not keep up';
    return { valid: false, text: `${why}: the numbers are not the target's` };
  }
  const g = s.generator ?? {};
  const lag = num(g['lagP99Ms']);
  const parts = [lag !== undefined ? `scheduling lag p99 ${ms(lag)}` : undefined, `${int(s.requests.dropped)} arrivals dropped`].filter((x) => x !== undefined);
  return { valid: true, text: `the generator kept its schedule (${parts.join(', ')}): the figures are the target's` };
}

/** Checks of the run, minus those already reported as SLOs named `check <name>` (picco verify). */
export function checkItems(s: SummaryAsRead): CheckItem[] {
  const sloNames = new Set(s.slo.map((o) => o.name));
  const failedCheckSlos = s.slo.flatMap((o) => {
    const m = CHECKS_SLO.exec(o.name);
    return m !== null && !o.pass ? [{ name: o.name, tag: m[1] }] : [];
  });
  return Object.entries(s.checks ?? {})
    .filter(([name]) => !sloNames.has(`check ${name}`))
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([name, c]) => {
      const total = c.pass + c.fail;
      const broke = c.fail > 0 ? failedCheckSlos.filter((f) => f.tag === undefined || f.tag === name) : [];
      const text = c.fail === 0
        ? `${int(c.pass)} of ${int(total)} passed`
        : `${int(c.fail)} of ${int(total)} failed (${pct(c.fail, total)})${broke.length > 0 ? `; ${broke.map((b) => b.name).join(', ')} failed` : '; no checks SLO was broken'}`;
      return { name, pass: c.pass, fail: c.fail, failing: broke.length > 0, text };
    });
}
