/**
 * Writes the three artefacts of a run next to its summary.json: report.html (people),
 * summary.md (PR comments), junit.xml (CI). This is the one entry point `picco report` and
 * `picco run --report` share, so the two can never drift apart.
 *
 * @example
 *   const { files } = await writeReports('reports/out/run-1', { prometheus: 'http://127.0.0.1:9090' });
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRun, type RunData } from './run-data.ts';
import { renderReportHtml, type ServerPanel } from './html.ts';
import { renderSummaryMd } from './summary-md.ts';
import { renderJunit } from './junit.ts';
import { queryServerPanels } from './prometheus.ts';

export interface ReportOptions {
  /** Base URL of a Prometheus that scraped the target during the run (adds the server-side view). */
  prometheus?: string | undefined;
  /** Directory to write into; default the run directory itself. */
  outDir?: string | undefined;
}

export interface ReportResult {
  files: { html: string; markdown: string; junit: string };
  run: RunData;
  notes: string[];
}

export async function writeReports(runDir: string, opts: ReportOptions = {}): Promise<ReportResult> {
  const run = loadRun(runDir);
  const out = opts.outDir ?? runDir;
  let server: ServerPanel[] | undefined;
  const notes: string[] = (run.summary.invalidReasons ?? []).map((r) => `Run invalid: ${r}`);
  if (opts.prometheus !== undefined) {
    const s = run.summary;
    const endMs = s.endedAt ? Date.parse(s.endedAt) : Date.now();
    const startMs = s.startedAt ? Date.parse(s.startedAt) : endMs - s.durationS * 1000;
    const r = await queryServerPanels(opts.prometheus, startMs, endMs);
    server = r.panels;
    notes.push(...r.notes);
  }
  const files = { html: join(out, 'report.html'), markdown: join(out, 'summary.md'), junit: join(out, 'junit.xml') };
  writeFileSync(files.html, renderReportHtml({ mode: 'report', summary: run.summary, series: run.series, server, notes }));
  writeFileSync(files.markdown, renderSummaryMd(run));
  writeFileSync(files.junit, renderJunit(run));
  return { files, run, notes };
}

export { loadRun, parseSummary, RunDataError, type RunData, type SummaryAsRead, type Second } from './run-data.ts';
export { renderReportHtml, type PageData, type PlanInfo, type ServerPanel } from './html.ts';
export { renderSummaryMd } from './summary-md.ts';
export { renderJunit } from './junit.ts';
