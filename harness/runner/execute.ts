/**
 * One `picco run`, after its config was validated: run the load, write series as it comes,
 * evaluate SLOs (abortOnFail every second, all of them at the end), decide validity, write
 * summary.json / histograms.json, print the table, call the hooks, and return the exit code.
 * Whoever calls it has already built the scenario's plan once (its facts are read here) and
 * started whatever the targets point at (the CLI starts the embedded reference server).
 *
 * Validity (exit 98): the run describes the generator, not the target, when in any second the
 * generator's own delay (scheduling lag + read delay, per request) at the percentile the SLOs
 * judge (p99 without one) exceeds `maxLagP99Ms` (--max-lag, default 25 ms), when the run-wide
 * scheduling lag p99 does, or when more than `maxDroppedRatio` (default 1 %) of the arrivals were
 * dropped at the in-flight cap. Invalid wins over an SLO failure (99).
 *
 * @example
 * const { exitCode } = await executeRun(config, { name: scenario.name, plan });
 */
import type { ScenarioPlan, Targets } from '../scenario/types.ts';
import { EXIT } from '../errors.ts';
import { scheduleFacts } from '../executors/index.ts';
import { formatSegment, type Segment } from '../executors/segment.ts';
import { abortingFailures, evaluateSlos, type RunView } from '../slo/evaluate.ts';
import type { Slo } from '../slo/parse.ts';
import { judgeGeneratorDelay } from '../metrics/generator-delay.ts';
import { buildSummary, type Summary } from '../output/summary.ts';
import type { SeriesLine } from '../metrics/aggregate.ts';
import { RunFiles } from '../output/files.ts';
import { renderTable } from '../output/table.ts';
import { progress } from '../output/progress.ts';
import { EngineMetrics, startMetricsServer } from '../output/prometheus.ts';
import { runEvents } from './hooks.ts';
import { runLoad } from './run-load.ts';
import type { RunConfig } from './run-config.ts';
import { measureClockOffset, wallNow, type ClockOffset } from '../clock/offset.ts';

export interface RunOutcome {
  exitCode: number;
  summary: Summary;
}

/** The scenario of a scenario run, built once by the caller. */
export interface BuiltScenario {
  name: string;
  plan: ScenarioPlan;
}

/** How summary.json names the target: one origin when every named origin lives on it. */
export function describeTargets(targets: Targets): string {
  const entries = Object.entries(targets);
  const origins = new Set(entries.map(([, url]) => new URL(url).origin));
  if (origins.size === 1) return [...origins][0]!;
  return entries.map(([name, url]) => `${name}=${url}`).join(' ');
}

/**
 * Starts measuring this machine's clock against the run's reference, when asked to: with a
 * start instant, while the workers prepare and wait (done before t = 0); without one, before
 * the start (a few seconds).
 */
async function clockOffsetOf(cfg: RunConfig): Promise<() => Promise<ClockOffset | undefined>> {
  if (cfg.clock === undefined) return async () => undefined;
  const s = cfg.source;
  const ref = cfg.clock.ref ?? (s.kind === 'url' ? new URL(s.url).origin : Object.values(s.targets)[0]);
  if (ref === undefined) return async () => undefined;
  if (cfg.startAt !== undefined) {
    const p = measureClockOffset(ref, { deadlineMs: cfg.startAt.epochMs - 300 });
    return () => p;
  }
  const o = await measureClockOffset(ref, { deadlineMs: wallNow() + 5000 });
  return async () => o;
}

/**
 * The latency percentile the SLOs judge (the highest of them: p(N) is N, med 50, max 100); 99
 * when no SLO judges latency. The generator's delay is held to the bound at that percentile.
 */
export function judgedPercentile(slos: readonly Slo[]): number {
  let p: number | undefined;
  for (const s of slos) {
    if (s.metric !== 'http_req_duration') continue;
    const a = s.aggregate;
    const q = a.kind === 'p' ? a.p : a.kind === 'med' ? 50 : a.kind === 'max' ? 100 : undefined;
    if (q !== undefined) p = Math.max(p ?? 0, q);
  }
  return p ?? 99;
}

/** Arrivals of a schedule that fall in a segment's stripe. */
function inStripe(total: number, seg: Segment): number {
  return total <= seg.index ? 0 : Math.ceil((total - seg.index) / seg.count);
}

export async function executeRun(cfg: RunConfig, built?: BuiltScenario): Promise<RunOutcome> {
  let scenarioName: string;
  let target: string;
  let scheduleS: number;
  let planned = 0;
  let expected: Record<string, number> = {};
  const slos = cfg.slos;
  let cutMs = Number.POSITIVE_INFINITY;
  let targetRate = 0;

  if (cfg.source.kind === 'url') {
    const s = cfg.source;
    const facts = scheduleFacts(s.executor);
    scheduleS = facts.durationS;
    planned = inStripe(facts.arrivals, cfg.segment);
    targetRate = facts.peak;
    scenarioName = `${s.method} ${s.url}`;
    target = new URL(s.url).origin;
  } else {
    if (built === undefined) throw new TypeError('executeRun: a scenario run needs its built plan');
    const s = cfg.source;
    const plan = built.plan;
    scenarioName = built.name;
    scheduleS = plan.durationS;
    expected = plan.expected;
    if (s.options.durationS !== undefined) cutMs = s.options.durationS * 1000;
    for (const st of plan.streams) {
      const f = scheduleFacts(st.executor);
      planned += inStripe(f.arrivals, cfg.segment);
      targetRate += f.peak;
    }
    target = describeTargets(s.targets);
  }

  const keepEndpointSeconds = slos.some((s) => s.windowS !== undefined && s.tag?.key === 'endpoint');
  const files = new RunFiles(cfg.outDir);
  const prog = progress({ quiet: cfg.quiet, durationS: scheduleS });
  const metrics = cfg.metricsPort !== undefined ? new EngineMetrics({ segment: formatSegment(cfg.segment), run_id: cfg.runId }) : undefined;
  const metricsServer = metrics !== undefined ? await startMetricsServer(cfg.metricsPort!, metrics) : undefined;
  const startInfo = { runId: cfg.runId, outDir: cfg.outDir, scenario: scenarioName, target, durationS: scheduleS, rate: targetRate };
  runEvents.emit('start', startInfo);
  for (const h of cfg.hooks) await h.onStart?.(startInfo);

  let abortedBy: string[] = [];
  let busiest: SeriesLine | undefined;
  const interrupt = new AbortController();
  const onSigint = (): void => {
    abortedBy = ['SIGINT'];
    process.stderr.write('\npicco run: interrupted, stopping arrivals and writing the outputs (Ctrl-C again to quit now)\n');
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const clockOffset = await clockOffsetOf(cfg);
    const result = await runLoad(cfg, {
      cutMs,
      signal: interrupt.signal,
      onSecond: (line, agg) => {
        if (busiest === undefined || line.started > busiest.started) busiest = line;
        files.second(line);
        prog.update(line);
        const rec = agg.seconds[agg.seconds.length - 1];
        if (metrics !== undefined && rec !== undefined) metrics.second(rec);
        runEvents.emit('second', line);
        for (const h of cfg.hooks) h.onSecond?.(line);
        // Per-endpoint histograms of each second are only needed by windowed endpoint SLOs;
        // dropping them keeps long runs small (counts stay, whole-run histograms stay exact).
        if (rec !== undefined && !keepEndpointSeconds) for (const e of Object.values(rec.endpoints)) e.latency = e.serviceTime = '';
      },
      shouldAbort: (agg) => {
        if (!slos.some((s) => s.abortOnFail)) return false;
        const failing = abortingFailures(slos, { seconds: agg.seconds, totals: agg }, agg.seconds.length);
        if (failing.length === 0) return false;
        abortedBy = failing.map((f) => f.name);
        return true;
      },
    });
    prog.done();
    const agg = result.agg;
    const offset = await clockOffset();
    const view: RunView = { seconds: agg.seconds, totals: agg };
    const sloResults = evaluateSlos(slos, view);
    const lagP99 = agg.lag.totalCount === 0 ? 0 : agg.lag.getValueAtPercentile(99) / 1000;
    const droppedRatio = agg.intended === 0 ? 0 : agg.dropped / agg.intended;
    const reasons: string[] = [];
    const verdict = judgeGeneratorDelay(agg.seconds, { percentile: judgedPercentile(slos), maxMs: cfg.maxLagP99Ms });
    if (verdict.reason !== undefined) reasons.push(verdict.reason);
    if (lagP99 > cfg.maxLagP99Ms) reasons.push(`scheduling lag p99 ${lagP99.toFixed(2)} ms > ${cfg.maxLagP99Ms} ms (--max-lag): the generator fell behind its schedule`);
    if (droppedRatio > cfg.maxDroppedRatio) {
      reasons.push(`${(droppedRatio * 100).toFixed(2)} % of arrivals dropped at the in-flight cap ${cfg.limits.inFlightCap} > ${(cfg.maxDroppedRatio * 100).toFixed(2)} % (--max-dropped)`);
    }
    const aborted = result.aborted;
    const summary = buildSummary({
      runId: cfg.runId,
      scenario: scenarioName,
      target,
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      scheduleS,
      plannedArrivals: planned,
      agg,
      slo: sloResults,
      valid: reasons.length === 0,
      invalidReasons: reasons,
      aborted,
      expected,
      cpu: result.done.map((d) => d.elu),
      nice: result.done.map((d) => d.nice),
      warmup: result.done.reduce((a, d) => a + d.warmup, 0),
      cpuMs: result.cpuMs,
      bounds: { maxLagP99Ms: cfg.maxLagP99Ms, maxDroppedRatio: cfg.maxDroppedRatio },
      start: {
        mode: result.start.mode,
        intendedAt: result.startedAt.toISOString(),
        ...(cfg.startAt !== undefined ? { startAt: cfg.startAt.text } : {}),
        clockOffsetMs: offset?.offsetMs ?? null,
        clockOffsetUncertaintyMs: offset?.uncertaintyMs ?? null,
        clockRef: offset?.ref ?? null,
        waitedMs: Math.round(result.start.waitedMs),
      },
      verdict,
      config: {
        rate: targetRate,
        connections: cfg.limits.connections,
        pipelining: cfg.limits.pipelining,
        inFlightCap: cfg.limits.inFlightCap,
        segment: formatSegment(cfg.segment),
        workers: cfg.workers,
        timeoutMs: cfg.limits.timeoutMs,
        seed: cfg.seed,
        ...(cfg.source.kind === 'scenario' ? { scale: cfg.source.options.scale, speed: cfg.source.options.speed } : {}),
        ...(aborted ? { abortedBy } : {}),
      },
    });
    if (busiest !== undefined) {
      const b = busiest;
      summary.busiestSecond = { t: b.t, intended: b.intended, started: b.started, ok: b.ok, failed: b.failed, dropped: b.dropped, latencyP99Ms: b.latencyMs.p99, serviceTimeP99Ms: b.serviceTimeMs.p99 };
    }
    files.finish(summary, agg);
    if (!cfg.quiet) process.stdout.write(renderTable(summary));
    for (const r of sloResults) {
      if (!r.pass) {
        const where = r.window !== undefined ? ` in window ${r.window.startS}s-${r.window.endS}s` : '';
        process.stderr.write(`picco run: SLO failed: ${r.name}: value ${r.value}${where}, ${Math.abs(r.by)} ${r.by > 0 ? 'over' : 'under'} the threshold ${r.threshold}\n`);
      }
    }
    for (const reason of reasons) process.stderr.write(`picco run: run invalid: ${reason}\n`);
    const interrupted = interrupt.signal.aborted;
    const exitCode = interrupted ? EXIT.error : !summary.valid ? EXIT.invalid : !summary.pass ? EXIT.sloFailed : EXIT.pass;
    const finishInfo = { runId: cfg.runId, outDir: cfg.outDir, summary, exitCode };
    runEvents.emit('finish', finishInfo);
    for (const h of cfg.hooks) await h.onFinish?.(finishInfo);
    return { exitCode, summary };
  } finally {
    process.removeListener('SIGINT', onSigint);
    await metricsServer?.close();
  }
}
