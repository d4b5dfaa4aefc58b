/**
 * The engine section's generator-delay table (not a section of its own): at each rate, one
 * `picco run --url` of `seconds` and one autocannon run of the same length against the same nginx,
 * both pinned to the generator core, and what each generator adds to the p99 it reports:
 * - picco: latency p99 (from the intended start) − service-time p99, its measured generator delay
 *   p99 (scheduling lag + read delay, per request), its engine thread's event-loop delay, and
 *   every second's p99 (the start-up artefact shows there first);
 * - autocannon: its p99 (from its own send, back-filled by its expected-interval correction)
 *   minus the target's service time (picco's service p99 at a low rate), and its process's
 *   event-loop delay.
 *
 * @example
 * const rows = await delayTable(url, [10_000, 20_000], 8, baselineMs, log);
 */
import { runAutocannon, type AutocannonResult } from './autocannon-peer.ts';
import { runPicco, type PiccoResult } from './lib.ts';

export interface DelayRow {
  rate: number;
  picco: {
    code: number;
    valid: boolean;
    p99: number;
    /** The worst second's p99, ms. */
    worstSecondP99: number;
    worstSecond: number;
    svcP99: number;
    /** Measured generator delay p99 (lag + read delay), whole run and worst second, ms. */
    genP99: number;
    genWorstSecond: number;
    /** Worst engine-thread event-loop delay: p99 of the worst second and max, ms. */
    eldP99: number;
    eldMax: number;
    achieved: number;
    usPerRequest: number;
    causes: string[];
  };
  autocannon: AutocannonResult | undefined;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

export function piccoRow(r: PiccoResult) {
  const s = r.summary;
  let worstSecondP99 = 0;
  let worstSecond = 0;
  let eldP99 = 0;
  let eldMax = 0;
  for (const l of r.series) {
    // the last seconds hold only the drain of the schedule's last arrivals
    if (l.latencyMs.p99 > worstSecondP99) {
      worstSecondP99 = l.latencyMs.p99;
      worstSecond = l.t;
    }
    for (const th of l.generator?.threads ?? []) {
      eldP99 = Math.max(eldP99, th.eventLoopDelayMs.p99);
      eldMax = Math.max(eldMax, th.eventLoopDelayMs.max);
    }
  }
  const g = s.generator;
  return {
    code: r.code,
    valid: s.valid,
    p99: s.latencyMs.p99,
    worstSecondP99,
    worstSecond,
    svcP99: s.serviceTimeMs.p99,
    genP99: g.delayMs?.p99 ?? 0,
    genWorstSecond: g.perSecond?.worstMs ?? 0,
    eldP99,
    eldMax,
    achieved: s.rate.requests,
    usPerRequest: g.cpuUsPerRequest,
    causes: [...new Set((g.perSecond?.lateSeconds ?? []).map((l) => `${l.t}:${l.cause}`))],
  };
}

export async function delayTable(url: string, rates: number[], seconds: number, baselineSvcMs: number, log: (s: string) => void): Promise<DelayRow[]> {
  const rows: DelayRow[] = [];
  for (const rate of rates) {
    const p = piccoRow(await runPicco(url, rate, seconds));
    log(`    picco ${rate}/s: exit ${p.code} (${p.valid ? 'valid' : 'invalid'}), p99 ${p.p99} ms, worst second ${p.worstSecond} p99 ${p.worstSecondP99} ms, service p99 ${p.svcP99} ms, ` +
      `p99 − service ${r2(p.p99 - p.svcP99)} ms, generator delay p99 ${p.genP99} ms (worst second ${p.genWorstSecond}), event-loop delay p99 ${p.eldP99} / max ${p.eldMax} ms, ` +
      `${p.achieved} req/s, ${p.usPerRequest} µs CPU/request${p.causes.length > 0 ? `, late seconds ${p.causes.join(' ')}` : ''}`);
    let a: AutocannonResult | undefined;
    try {
      a = await runAutocannon(url, rate, seconds);
      log(`    autocannon ${rate}/s: ${a.rate} req/s, p99 ${a.p99} ms (− target service ${baselineSvcMs} ms = ${r2(a.p99 - baselineSvcMs)} ms), event-loop delay p99 ${a.eldP99} / max ${a.eldMax} ms, errors ${a.errors}`);
    } catch (err) {
      log(`    autocannon ${rate}/s: failed (${String(err)})`);
    }
    rows.push({ rate, picco: p, autocannon: a });
  }
  return rows;
}

/** The rows as the markdown table docs/benchmarks.md keeps. */
export function markdown(rows: DelayRow[], wrk: { rate: number; p99Ms: number }, baselineSvcMs: number): string {
  const lines = [
    '| rate (req/s) | picco exit | picco p99 | worst second p99 | p99 − service p99 | generator delay p99 (measured) | event-loop delay p99 / max | autocannon achieved | autocannon p99 − target service | autocannon event-loop delay p99 / max |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const p = r.picco;
    const a = r.autocannon;
    lines.push(
      `| ${r.rate.toLocaleString('en')} | ${p.code}${p.valid ? '' : ' (invalid)'} | ${p.p99} | ${p.worstSecondP99} (s${p.worstSecond}) | ${r2(p.p99 - p.svcP99)} | ${p.genP99} | ${p.eldP99} / ${p.eldMax} | ` +
        `${a === undefined ? '-' : a.rate.toLocaleString('en')} | ${a === undefined ? '-' : r2(a.p99 - baselineSvcMs)} | ${a === undefined ? '-' : `${a.eldP99} / ${a.eldMax}`} |`,
    );
  }
  lines.push(`| wrk -t1 -c64 (ceiling, closed loop) | | ${r2(wrk.p99Ms)} at ${Math.round(wrk.rate).toLocaleString('en')} | | | | | | | |`);
  lines.push('');
  lines.push(`All figures in ms. Target service time (picco's service p99 at 1,000 req/s): ${baselineSvcMs} ms.`);
  return lines.join('\n');
}
