/**
 * picco SLOs (harness/slo grammar) as k6 thresholds. The grammar was made k6-shaped, so
 * most lines carry over by name: `http_req_failed`, `checks`, `http_reqs`,
 * `dropped_iterations: count`, and request-duration percentiles with an `{endpoint:...}` tag
 * (the exported client tags every request with `endpoint`). What changes meaning is said, never
 * hidden: picco's `http_req_duration` runs from the intended start, k6's from the send (picco's
 * `http_req_service_time`), so both map to k6's `http_req_duration` with a note; a window
 * becomes a whole-run threshold with a note (k6 cannot window, and under k6-operator judges
 * each pod alone). What has no k6 metric (`scheduling_lag`, a dropped *share*) is returned in
 * `untranslated` and written as a comment in the script.
 *
 * @example
 * translateSlos([parseSlo('http_req_failed: rate<0.01')]).thresholds; // { http_req_failed: ['rate<0.01'] }
 */
import type { Slo } from '../slo/parse.ts';

export interface Translation {
  thresholds: Record<string, string[]>;
  untranslated: Array<{ line: string; reason: string }>;
  notes: string[];
}

function addTo(t: Record<string, string[]>, metric: string, expr: string): void {
  const list = (t[metric] ??= []);
  if (!list.includes(expr)) list.push(expr);
}

export function translateSlos(slos: readonly Slo[]): Translation {
  const out: Translation = { thresholds: {}, untranslated: [], notes: [] };
  for (const slo of slos) {
    const a = slo.aggregate;
    const agg = a.kind === 'p' ? `p(${a.p})` : a.kind;
    const op = slo.op === '!=' ? '!=' : slo.op;
    const tag = slo.tag !== undefined ? `{${slo.tag.key}:${slo.tag.value}}` : '';
    let metric: string | undefined;
    switch (slo.metric) {
      case 'http_req_duration':
        metric = `http_req_duration${tag}`;
        out.notes.push(`'${slo.source}': k6's http_req_duration runs from the send, not the intended start; late starts show as dropped_iterations`);
        break;
      case 'http_req_service_time':
        metric = `http_req_duration${tag}`;
        break;
      case 'http_req_failed':
      case 'checks':
      case 'http_reqs':
        metric = `${slo.metric}${tag}`;
        break;
      case 'dropped_iterations':
        if (a.kind === 'count') metric = 'dropped_iterations';
        else out.untranslated.push({ line: slo.source, reason: "k6's dropped_iterations rate is per second, not a share of the intended arrivals" });
        break;
      case 'scheduling_lag':
        out.untranslated.push({ line: slo.source, reason: 'k6 has no scheduling-lag metric' });
        break;
    }
    if (metric === undefined) continue;
    if (slo.windowS !== undefined) out.notes.push(`'${slo.source}': k6 judges thresholds over the whole run, not in every ${slo.windowS}s window; picco report --merge judges the window`);
    addTo(out.thresholds, metric, `${agg}${op}${slo.value}`);
  }
  return out;
}
