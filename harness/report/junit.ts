/**
 * junit.xml: the run as a CI test suite. It always holds a testcase for the run's validity (an
 * <error> when the generator fell behind: the target was not measured, so no objective can be
 * said to have failed), one per SLO (failures carrying "value vs threshold"), and one per check
 * the journeys made (classname `<suite>.checks`; a <failure> only when a `checks` SLO covering
 * it failed, see verdict-items.ts). So a run with no SLO is never an empty suite, which CI
 * systems read as "no tests ran", and the failure count agrees with the exit code.
 *
 * @example
 *   writeFileSync('junit.xml', renderJunit(loadRun(dir)));
 */
import type { RunData } from './run-data.ts';
import { sloValue } from './format.ts';
import { checkItems, validityItem } from './verdict-items.ts';

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function renderJunit(run: RunData): string {
  const s = run.summary;
  const suite = `picco.${s.scenario}`;
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  const perCase = s.slo.length > 0 ? s.durationS / s.slo.length : 0;
  const head = (name: string, classname: string, time: number) => `    <testcase name="${xml(name)}" classname="${xml(classname)}" time="${time.toFixed(3)}"`;
  const validity = validityItem(s);
  if (validity.valid) {
    cases.push(`${head('run validity', suite, 0)}>\n      <system-out>${xml(validity.text)}</system-out>\n    </testcase>`);
  } else {
    errors++;
    cases.push(`${head('run validity', suite, 0)}>\n      <error message="${xml(validity.text)}" type="RunInvalid"/>\n    </testcase>`);
  }
  for (const o of s.slo) {
    const value = sloValue(o.threshold, o.name, o.value);
    if (o.pass) {
      cases.push(`${head(o.name, suite, perCase)}>\n      <system-out>${xml(`${value} within ${o.threshold}`)}</system-out>\n    </testcase>`);
    } else {
      failures++;
      const msg = `${o.name}: ${value} vs threshold ${o.threshold}`;
      cases.push(`${head(o.name, suite, perCase)}>\n      <failure message="${xml(msg)}" type="SLOFailed">${xml(`value ${o.value ?? 'n/a'} (${value}) does not satisfy ${o.threshold}`)}</failure>\n    </testcase>`);
    }
  }
  for (const c of checkItems(s)) {
    if (c.failing) {
      failures++;
      cases.push(`${head(c.name, `${suite}.checks`, 0)}>\n      <failure message="${xml(`${c.name}: ${c.text}`)}" type="CheckFailed"/>\n    </testcase>`);
    } else {
      cases.push(`${head(c.name, `${suite}.checks`, 0)}>\n      <system-out>${xml(c.text)}</system-out>\n    </testcase>`);
    }
  }
  const tests = cases.length;
  const ts = s.startedAt ?? new Date().toISOString();
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="picco" tests="${tests}" failures="${failures}" errors="${errors}" time="${s.durationS}">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${s.durationS}" timestamp="${xml(ts)}">`,
    '    <properties>',
    `      <property name="scenario" value="${xml(s.scenario)}"/>`,
    `      <property name="target" value="${xml(s.target ?? '')}"/>`,
    `      <property name="requests" value="${s.requests.total}"/>`,
    `      <property name="achievedRate" value="${s.rate.achieved ?? ''}"/>`,
    `      <property name="valid" value="${s.valid}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
