/**
 * junit.xml: one testcase per SLO so a CI system shows each objective as a test, failures
 * carrying "value vs threshold" in the message. An invalid run (the generator fell behind) is
 * reported as an <error> on an extra testcase rather than as SLO failures: the target was not
 * measured, so no objective can be said to have failed.
 *
 * @example
 *   writeFileSync('junit.xml', renderJunit(loadRun(dir)));
 */
import type { RunData } from './run-data.ts';
import { sloValue } from './format.ts';

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
  for (const o of s.slo) {
    const value = sloValue(o.threshold, o.name, o.value);
    const head = `    <testcase name="${xml(o.name)}" classname="${xml(suite)}" time="${perCase.toFixed(3)}"`;
    if (o.pass) {
      cases.push(`${head}>\n      <system-out>${xml(`${value} within ${o.threshold}`)}</system-out>\n    </testcase>`);
    } else {
      failures++;
      const msg = `${o.name}: ${value} vs threshold ${o.threshold}`;
      cases.push(`${head}>\n      <failure message="${xml(msg)}" type="SLOFailed">${xml(`value ${o.value ?? 'n/a'} (${value}) does not satisfy ${o.threshold}`)}</failure>\n    </testcase>`);
    }
  }
  if (!s.valid) {
    errors++;
    cases.push(
      `    <testcase name="run validity" classname="${xml(suite)}" time="0">\n      <error message="${xml((s.invalidReasons ?? []).join('; ') || 'the generator could not keep up')}: the numbers are not the target's" type="RunInvalid"/>\n    </testcase>`,
    );
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
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
