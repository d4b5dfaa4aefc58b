/**
 * What `picco run --report` and `picco run --dashboard [PORT]` plug into the engine (loaded by
 * harness/runner/hooks.ts): the live dashboard is fed every merged second and handed the
 * summary at the end, and the three reports are written once the engine's files exist.
 * At the end the dashboard lingers briefly so open pages receive the final report, then closes
 * so `picco run` exits on its own (the report.html written by --report is the lasting copy).
 */
import type { ExtensionOptions, RunHooks } from '../runner/hooks.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import { writeReports } from './index.ts';

/** How long the dashboard keeps serving after the run, so a watching page gets the final state. */
export const DASHBOARD_LINGER_MS = Number(process.env['PICCO_DASHBOARD_LINGER_MS'] ?? 2000);

export function createRunHooks(opts: ExtensionOptions): RunHooks {
  let dash: Dashboard | undefined;
  return {
    async onStart(info) {
      if (opts.dashboard === undefined) return;
      dash = await startDashboard({ port: opts.dashboard, plan: { scenario: info.scenario, durationS: info.durationS } });
      process.stderr.write(`picco run: live dashboard at ${dash.url}\n`);
    },
    onSecond(line) {
      dash?.push(line);
    },
    async onFinish(info) {
      if (opts.report) {
        const r = await writeReports(info.outDir);
        process.stderr.write(`picco run: reports written: ${r.files.html}, ${r.files.markdown}, ${r.files.junit}\n`);
      }
      if (dash !== undefined) {
        dash.finish(info.summary);
        await new Promise((res) => setTimeout(res, DASHBOARD_LINGER_MS));
        await dash.close();
      }
    },
  };
}
