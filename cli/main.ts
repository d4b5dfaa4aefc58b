/**
 * `picco` entry point: dispatches to one file per command (cli/<command>.ts), each
 * exporting `run(argv): Promise<number>` that returns the exit code. Commands are imported
 * lazily so `picco serve` never loads the engine and `picco run` never loads the server.
 *
 * Exit codes (DESIGN.md): 0 pass, 99 SLO failed, 98 run invalid, 2 bad usage, 1 anything else.
 * An error that escapes a command takes its exit code from the catalogue (harness/errors.ts):
 * a known error is one line naming the problem; anything else is a bug and keeps its stack.
 */
import { EXIT, PiccoError, UsageError } from '../harness/errors.ts';

const COMMANDS = ['serve', 'run', 'plan', 'report', 'capacity', 'verify', 'export'] as const;
type Command = (typeof COMMANDS)[number];

const HELP = `picco: rehearse a national launch before it happens

usage:
  picco serve    [--port 8080] [--db sqlite:PATH | postgres://URL] [--workers N] [--faults FILE]
  picco run      SCENARIO [--target URL | --target NAME=URL ... | --target-io URL --target-pm URL --target-bpd URL]
                 [--scale F] [--speed F] [--duration D] [--out DIR] [--slo FILE] [--segment K/N]
                 [--metrics-port P] [--dashboard [PORT]] [--seed S] [--quiet] [--start-at TIME] [--clock-ref URL]
  picco run      --url URL [--method M] [--body FILE] [--header H]... --rate R --duration D [--out DIR]
  picco plan     SCENARIO [--scale F] [--speed F] [--json]
  picco report   RUN_DIR [--prometheus URL]
  picco report   --merge RUN_DIR... --out DIR
  picco capacity --target URL --scenario S [--slo FILE]
  picco verify   --target URL [--slo FILE] [--out DIR]
  picco export   k6 SCENARIO --out DIR

exit codes: 0 pass, 99 an SLO failed, 98 the run is invalid, 2 bad usage, 1 other errors
`;

function isCommand(s: string): s is Command {
  return (COMMANDS as readonly string[]).includes(s);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? EXIT.usage : EXIT.pass;
  }
  if (!isCommand(cmd)) {
    process.stderr.write(`picco: unknown command '${cmd}'. Commands: ${COMMANDS.join(', ')}. See 'picco --help'.\n`);
    return EXIT.usage;
  }
  try {
    const mod = (await import(`./${cmd}.ts`)) as { run: (argv: string[]) => Promise<number> };
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      for (const problem of err.problems) process.stderr.write(`picco ${cmd}: ${problem}\n`);
      return EXIT.usage;
    }
    if (err instanceof PiccoError) {
      process.stderr.write(`picco ${cmd}: ${err.message} (${err.code})\n`);
      return err.exitCode;
    }
    process.stderr.write(`picco ${cmd}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.error;
  }
}
