/**
 * `picco run SCENARIO ...` and `picco run --url URL --rate R --duration D ...`: the flags become
 * one validated RunConfig (run-flags.ts); without --target this command starts the embedded
 * reference server in its own process and points every origin of the scenario at it; the
 * engine (harness/runner/execute.ts) does the run.
 *
 * @example
 * picco run december-2020 --scale 0.0001 --speed 3600
 * picco run --url http://127.0.0.1:8080/info --rate 1000 --duration 30s --slo slo.yaml
 */
import { executeRun } from '../harness/runner/execute.ts';
import { EMBEDDED_SERVER_NICE, startEmbeddedServer, type EmbeddedServer } from './embedded-server.ts';
import { parseRunFlags } from './run-flags.ts';
import { targetsAt } from './targets.ts';

export { parseStages, RUN_FLAGS, newRunId, normalizeOptionalPort } from './run-flags.ts';

export async function run(argv: string[]): Promise<number> {
  const { cfg, built, resolved, embedded, defaultsLine, startNote } = await parseRunFlags(argv);
  if (!cfg.quiet && defaultsLine !== undefined) process.stderr.write(`picco run ${defaultsLine}\n`);
  if (!cfg.quiet && startNote !== undefined) process.stderr.write(`picco run: note: ${startNote}\n`);
  let server: EmbeddedServer | undefined;
  try {
    if (embedded !== undefined && cfg.source.kind === 'scenario') {
      server = await startEmbeddedServer({ extraArgs: embedded.serverArgs, nice: EMBEDDED_SERVER_NICE });
      cfg.source.targets = targetsAt(server.url, resolved!.scenario.origins);
    }
    if (!cfg.quiet) process.stderr.write(`picco run ${cfg.runId}: writing ${cfg.outDir}\n`);
    const { exitCode } = await executeRun(cfg, built);
    return exitCode;
  } finally {
    await server?.stop();
  }
}
