/**
 * `picco serve [--port 8080] [--host 127.0.0.1] [--db sqlite:PATH | postgres://URL] [--workers N]
 * [--faults FILE] [--clock INSTANT | fixed:INSTANT] [--architecture resilient | 2020] [--rate-scale F]
 * [--architecture-option KEY=VALUE]... [--log]`: runs the reference server until
 * SIGTERM/SIGINT. When ready it prints exactly one line on stdout,
 * `picco serve listening on http://127.0.0.1:<port>` (the engine parses it; `--port 0` picks a
 * free port). Bad flags and a bad faults file exit 2 naming the flag or the file. `--workers N`
 * (N > 1) needs `--db postgres://`: a node:cluster primary forks N workers sharing the port
 * (reference-server/src/cluster/primary.ts).
 *
 * `--clock 2020-12-08T10:00:00Z` sets the server's clock (default: the system clock): it starts
 * at that instant and runs at real speed; `fixed:INSTANT` stops it there. Award periods,
 * activation dates and token expiry follow it, so the December 2020 cashback rules can be
 * exercised today (`picco verify`'s cashback-totals check needs a clock inside 8-31 Dec 2020).
 * Under `--workers` every worker is anchored to the primary's start, so they all read one time.
 *
 * `--architecture 2020` builds the server the way the December 2020 system was
 * (reference-server/src/architecture-2020/config.ts: fixed pools that wait without limit, the
 * wallet list on the card-authorisation path, 401 on system errors ...), with its national
 * capacities multiplied by `--rate-scale F` (default 1; a rehearsal passes its --scale x
 * --speed). `--architecture-option KEY=VALUE`, repeated, flips one of its switches
 * (`bulkhead=true`, `noticeEmailCache=true`, `systemErrorsAs401=false` ...). It fails only by
 * its limits, so `--faults` is refused with it, and so is `--workers` (its pools are per process).
 *
 * @example
 * picco serve --port 0 --db sqlite:picco.db --faults faults/dec-8.json
 * picco serve --port 0 --clock 2020-12-08T10:00:00Z
 */
import { readFileSync } from 'node:fs';
import { EXIT, Problems, UsageError, parseFlags, HELP_FLAG, helpAsked } from './usage.ts';

/** The real time (epoch ms) a running `--clock` is anchored to, passed from the primary to its workers. */
const CLOCK_ANCHOR_ENV = 'PICCO_CLOCK_ANCHOR_MS';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    workers: { type: 'string' },
    faults: { type: 'string' },
    clock: { type: 'string' },
    architecture: { type: 'string' },
    'rate-scale': { type: 'string' },
    'architecture-option': { type: 'string', multiple: true },
    log: { type: 'boolean' },
    ...HELP_FLAG,
  });
  if (helpAsked(values, 'usage: picco serve [--port 8080] [--host 127.0.0.1] [--db sqlite:PATH | postgres://URL] [--workers N] [--faults FILE] [--clock INSTANT | fixed:INSTANT] [--architecture resilient | 2020] [--rate-scale F] [--architecture-option KEY=VALUE]... [--log]\n')) return EXIT.pass;
  const problems = new Problems();
  if (positionals.length > 0) problems.add(`unexpected argument '${positionals[0]}': picco serve takes only flags`);
  const port = problems.number('--port', values.port, { min: 0, max: 65535, integer: true }) ?? 8080;
  const workers = problems.number('--workers', values.workers, { min: 1, max: 256, integer: true }) ?? 1;
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') problems.add('--host must not be empty');
  const db = values.db;
  if (db !== undefined && !/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(db)) {
    problems.add(`--db '${db}' is not sqlite:PATH or postgres://URL`);
  }
  const { workersProblem, runPrimary } = await import('../reference-server/src/cluster/primary.ts');
  const workersIssue = workersProblem(workers, db);
  if (workersIssue !== undefined) problems.add(workersIssue);
  let faults;
  if (values.faults !== undefined) {
    const { parseFaults } = await import('../reference-server/src/downstream/faults.ts');
    try {
      faults = parseFaults(readFileSync(values.faults, 'utf8'), `--faults ${values.faults}`);
    } catch (err) {
      const msg = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `--faults ${values.faults}: no such file` : (err as Error).message;
      problems.add(msg);
    }
  }
  const cluster = (await import('node:cluster')).default;
  // A forked worker takes the primary's anchor, so a running clock reads the same in every worker.
  const inherited = cluster.isWorker ? Number(process.env[CLOCK_ANCHOR_ENV]) : NaN;
  const clockAnchor = Number.isFinite(inherited) && inherited > 0 ? inherited : Date.now();
  let clock;
  if (values.clock !== undefined) {
    const { parseClock } = await import('../reference-server/src/config.ts');
    clock = parseClock(values.clock, clockAnchor);
    if (clock === undefined) {
      problems.add(`--clock '${values.clock}' is not an instant: write an ISO 8601 time with a zone (2020-12-08T10:00:00Z), a date (2020-12-08), or fixed:INSTANT to stop the clock there`);
    }
  }
  const architecture = await architectureFlags(problems, values, { workers, faults: values.faults !== undefined });
  problems.throwIfAny();
  // --workers N: this process supervises N forked copies of itself (node:cluster) and prints the ready line.
  if (workers > 1 && cluster.isPrimary) {
    process.env[CLOCK_ANCHOR_ENV] = String(clockAnchor); // cluster.fork passes it on
    return runPrimary({ workers, host });
  }

  const { startServer } = await import('../reference-server/src/main.ts');
  let server;
  try {
    server = await startServer({
      port, host, ...(db !== undefined ? { db } : {}), ...(faults !== undefined ? { faults } : {}),
      ...(clock !== undefined ? { clock } : {}),
      ...(architecture !== undefined ? { architecture } : {}),
      ...(values.log === true ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UsageError([`--port ${port}: address already in use`]);
    if (e.code === 'EACCES') throw new UsageError([`--port ${port}: permission denied`]);
    if (e.code === 'PICCO_ERR_STORAGE_UNSUPPORTED') throw new UsageError([e.message]);
    if (e.code === 'SQLITE_CANTOPEN') throw new UsageError([`--db ${db ?? ''}: cannot open the database file`]);
    throw err;
  }
  process.stdout.write(`picco serve listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await server.close();
  // A cluster worker's IPC channel would keep it alive after the server closed.
  if (cluster.isWorker) cluster.worker?.disconnect();
  return EXIT.pass;
}

/** `--architecture`, `--rate-scale`, `--architecture-option`: the 2020 build, or undefined for the resilient one. */
async function architectureFlags(
  problems: Problems,
  values: { architecture?: string | undefined; 'rate-scale'?: string | undefined; 'architecture-option'?: string[] | undefined },
  others: { workers: number; faults: boolean },
) {
  const name = values.architecture ?? 'resilient';
  const options = values['architecture-option'] ?? [];
  if (name !== 'resilient' && name !== '2020') {
    problems.add(`--architecture '${name}' is not resilient or 2020`);
    return undefined;
  }
  const rateScale = problems.number('--rate-scale', values['rate-scale'], { min: 1e-6, max: 100 });
  if (name === 'resilient') {
    if (values['rate-scale'] !== undefined || options.length > 0) {
      problems.add('--rate-scale and --architecture-option apply to --architecture 2020 only');
    }
    return undefined;
  }
  if (others.faults) problems.add('--faults cannot be combined with --architecture 2020: it fails only by its limits, never by an injected error');
  if (others.workers > 1) problems.add('--workers cannot be combined with --architecture 2020: its pools are per process (use --rate-scale)');
  const { architecture2020Schema, resolveArchitecture2020 } = await import('../reference-server/src/architecture-2020/config.ts');
  const opts: Record<string, unknown> = {};
  for (const o of options) {
    const m = /^([A-Za-z0-9]+)=(.+)$/.exec(o);
    if (m === null) {
      problems.add(`--architecture-option '${o}' is not KEY=VALUE (e.g. bulkhead=true)`);
      continue;
    }
    const [, key, v] = m as unknown as [string, string, string];
    opts[key] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
  }
  if (rateScale !== undefined) opts['rateScale'] = rateScale;
  const parsed = architecture2020Schema.safeParse(opts);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = i.path.join('.');
      problems.add(key === 'rateScale' ? `--rate-scale: ${i.message}` : `--architecture-option ${key || '(unknown)'}: ${i.message}`);
    }
    return undefined;
  }
  return resolveArchitecture2020(parsed.data);
}
