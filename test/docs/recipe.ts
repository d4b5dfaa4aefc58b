/**
 * A recipe runs documented commands the way a reader would type them, in a scratch directory
 * that looks like a checkout (scenarios/, dashboards/, deploy/, reports/slo/ ... linked from the
 * repository; out/ and reports/out/ are the scratch directory's own, so no run writes into the
 * repository), through /bin/sh, so globs and `VAR=value` prefixes work as in a terminal.
 *
 * What a recipe may change, each change listed in the recipe with why:
 * - `npx picco` runs as `node bin/picco.js` (what npx resolves it to in a checkout);
 * - a background `picco serve --port N &` gets `--port 0` and the port it printed replaces
 *   `127.0.0.1:N` in the lines after it (tests never take fixed ports on a shared box);
 * - `change` pairs: a smaller --scale or --duration, a loopback server for a remote host.
 *
 * Recipes are data plus a check; test/docs/commands-*.test.ts run them, and
 * test/docs/commands-covered.test.ts holds every documented command to one recipe or to a row of
 * docs/commands-not-run.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, normalise } from './doc-commands.ts';

export interface LineResult {
  /** The documented line. */
  doc: string;
  /** What was run. */
  ran: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RecipeRun {
  /** The scratch directory the commands ran in. */
  cwd: string;
  /** Foreground lines, in order. */
  lines: LineResult[];
  /** URL of the server the recipe started for `{server}`, if any. */
  server?: string;
  /** URLs that the background `picco serve` lines printed, in order. */
  background: string[];
}

export interface Setup {
  /** Values for `{name}` in `change`. */
  vars: Record<string, string>;
  teardown(): Promise<void>;
}

export interface Recipe {
  /** The documented lines, exactly as the docs write them (comments left out). */
  doc: string[];
  /** Replacements applied to every line before it runs: [from, to]. `{server}` is the recipe's server. */
  change?: Array<[string, string]>;
  /** Why each change is needed (required when `change` is given). */
  why?: string;
  /** Starts `picco serve --port 0 ARGS` before the lines; its URL replaces `{server}`. */
  server?: string[];
  /** Prepares what the changed lines need (a database ...); its vars fill `{name}` in `change`. */
  setup?: (cwd: string) => Promise<Setup>;
  /** Expected exit code(s) of each foreground line, in order (default 0 each). A run that may be
   * judged invalid on a busy box (98: the generator fell behind) lists 98 too: the test checks that
   * the command works, never how fast the box is. */
  exits?: Array<number | number[]>;
  timeoutMs?: number;
  /** Known to fail today, with the issue that fixes it: the test then asserts it still fails (so the fix flips it and this field must go). */
  knownBroken?: string;
  /** Folders copied into the scratch directory instead of linked, for commands that write into them. */
  copy?: string[];
  check?: (r: RecipeRun) => void | Promise<void>;
}

/** A documented command that an existing test runs in its own way (named, so it can be checked). */
export interface RunElsewhere {
  doc: string[];
  /** The test file (or folder) that runs it. */
  by: string;
  /** A string that file contains where it runs the command, so a rename or removal is noticed. */
  marker: string;
  why: string;
}

export type Entry = Recipe | RunElsewhere;
export const isElsewhere = (e: Entry): e is RunElsewhere => 'by' in e;

const BIN = join(ROOT, 'bin', 'picco.js');
const LINKED = ['scenarios', 'dashboards', 'deploy', 'reference-server', 'harness', 'bin', 'package.json', 'node_modules', 'tsconfig.json'];

function scratch(copy: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'picco-docs-'));
  for (const f of LINKED) {
    if (copy.includes(f)) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    else symlinkSync(join(ROOT, f), join(dir, f));
  }
  mkdirSync(join(dir, 'reports'));
  for (const f of ['slo', 'examples']) symlinkSync(join(ROOT, 'reports', f), join(dir, 'reports', f));
  return dir;
}

function shellLine(line: string): string {
  return line.replace(/(^|[\s;&|(])npx picco(?=\s|$)/g, `$1node '${BIN}'`);
}

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: '1',
    PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    // The dashboard lingers 2 s after a run for a browser to catch the final report; none is watching here.
    PICCO_DASHBOARD_LINGER_MS: '0',
  };
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    /* gone */
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

/** Starts a line in the background; resolves once `picco serve` printed its URL (other lines: at once). */
function background(line: string, cwd: string): Promise<{ child: ChildProcess; url?: string }> {
  const child = spawn('/bin/sh', ['-c', `exec ${shellLine(line)}`], { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`'${line}' did not become ready in 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /picco serve listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`'${line}' exited ${code} before it was ready:\n${out}`));
    });
    if (!/\bpicco serve\b/.test(line)) {
      clearTimeout(timer);
      resolve({ child });
    }
  });
}

function foreground(line: string, cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('/bin/sh', ['-c', shellLine(line)], { cwd, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

export async function runRecipe(r: Recipe): Promise<RecipeRun> {
  const cwd = scratch(r.copy ?? []);
  const started: ChildProcess[] = [];
  const hosts: Array<[string, string]> = [];
  const lines: LineResult[] = [];
  const bgUrls: string[] = [];
  let server: string | undefined;
  const setup = await r.setup?.(cwd);
  const vars: Record<string, string> = { ...setup?.vars };
  try {
    if (r.server !== undefined) {
      const s = await background(`npx picco serve --port 0 ${r.server.join(' ')}`, cwd);
      started.push(s.child);
      server = s.url;
      vars['server'] = s.url!;
    }
    const fill = (to: string): string => to.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
    for (const doc of r.doc) {
      let line = normalise(doc);
      for (const [from, to] of r.change ?? []) line = line.replaceAll(from, fill(to));
      for (const [from, to] of hosts) line = line.replaceAll(from, to);
      if (line.endsWith('&')) {
        line = line.slice(0, -1).trim();
        const port = /\bpicco serve\b.*--port (\d+)/.exec(line)?.[1];
        if (port !== undefined) line = line.replace(`--port ${port}`, '--port 0');
        const bg = await background(line, cwd);
        started.push(bg.child);
        if (bg.url !== undefined) bgUrls.push(bg.url);
        if (port !== undefined && bg.url !== undefined) hosts.push([`127.0.0.1:${port}`, new URL(bg.url).host]);
        continue;
      }
      const res = await foreground(line, cwd, r.timeoutMs ?? 120_000);
      lines.push({ doc, ran: line, ...res });
    }
    const run: RecipeRun = { cwd, lines, background: bgUrls, ...(server !== undefined ? { server } : {}) };
    for (const [i, l] of lines.entries()) {
      const want = [r.exits?.[i] ?? 0].flat();
      if (l.code === null || !want.includes(l.code)) {
        throw new Error(`'${l.doc}' (ran '${l.ran}') exited ${l.code}, expected ${want.join(' or ')}\nstdout:\n${l.stdout.slice(-3000)}\nstderr:\n${l.stderr.slice(-3000)}`);
      }
    }
    await r.check?.(run);
    return run;
  } finally {
    for (const c of started.reverse()) await stop(c);
    await setup?.teardown();
    rmSync(cwd, { recursive: true, force: true });
  }
}
