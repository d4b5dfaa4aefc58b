import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseSegment } from '../../harness/executors/segment.ts';
import { parseStartAt } from '../../harness/clock/start-at.ts';

const parse = (text: string) => parseAllDocuments(text).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Record<string, any>;
});
const docs = (path: string) => parse(readFileSync(path, 'utf8'));
const flag = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];

/** The Job as submit.sh would apply it (dry run: printed, not sent to a cluster). */
function submitted(args: string[]): Array<Record<string, any>> {
  const out = execFileSync('deploy/kubernetes/submit.sh', args, { env: { ...process.env, PICCO_KUBECTL_DRY_RUN: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parse(out);
}

function exitOf(cmd: string, args: string[], env: Record<string, string> = {}): { code: number; stderr: string } {
  try {
    execFileSync(cmd, args, { stdio: 'pipe', env: { ...process.env, ...env } });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString() };
  }
}

/** Runs the Job's shell command with a given completion index and returns the picco argv. */
function argvFor(job: Record<string, any>, index: number): string[] {
  const c = job['spec'].template.spec.containers[0];
  const env = Object.fromEntries((c.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
  const script = (c.args[0] as string).replace(/^exec node bin\/picco\.js/m, 'printf "%s\\n"').replace(/exec node bin\/picco\.js/, 'printf "%s\\n"');
  const out = execFileSync('/bin/sh', ['-c', script], { env: { ...env, JOB_COMPLETION_INDEX: String(index), PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
  return out.trim().split('\n');
}

describe('deploy/kubernetes/segments-job.yaml', () => {
  const [pvc, job] = docs('deploy/kubernetes/segments-job.yaml');
  it('is an Indexed Job whose N pods run segments 1/N .. N/N', () => {
    expect(pvc!['kind']).toBe('PersistentVolumeClaim');
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    const n = job!['spec'].completions as number;
    expect(job!['spec'].parallelism).toBe(n);
    const segments = Array.from({ length: n }, (_, i) => {
      const argv = argvFor(job!, i);
      expect(argv[0]).toBe('run');
      const seg = argv[argv.indexOf('--segment') + 1]!;
      expect(parseSegment(seg)).toEqual({ index: i, count: n });
      expect(argv[argv.indexOf('--out') + 1]).toMatch(new RegExp(`/seg-${i + 1}$`));
      return seg;
    });
    expect(new Set(segments).size).toBe(n);
  });
  it('submitted with submit.sh, gives every pod one start instant, now plus the margin, and one run id', () => {
    const before = Date.now();
    const [, sub] = submitted(['-m', '240']);
    const n = sub!['spec'].completions as number;
    const argvs = Array.from({ length: n }, (_, i) => argvFor(sub!, i));
    const starts = argvs.map((a) => flag(a, '--start-at')!);
    expect(new Set(starts).size).toBe(1);
    const at = parseStartAt(starts[0]!, Date.now());
    expect(at).toMatchObject({ ok: true, relative: false });
    const ms = (at as { epochMs: number }).epochMs;
    expect(ms).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 239_000);
    expect(ms).toBeLessThanOrEqual(Date.now() + 241_000);
    expect(new Set(argvs.map((a) => flag(a, '--run-id'))).size).toBe(1);
    const [, fixed] = submitted(['-a', '2026-12-08T09:00:00Z']);
    expect(new Set(Array.from({ length: n }, (_, i) => flag(argvFor(fixed!, i), '--start-at')))).toEqual(new Set(['2026-12-08T09:00:00Z']));
  });
  it('applied without submit.sh, gives no instant (every pod would exit 2 naming --start-at)', () => {
    expect(parseStartAt(flag(argvFor(job!, 0), '--start-at')!, Date.now())).toMatchObject({ ok: false, problem: expect.stringMatching(/^--start-at/) });
  });
  it('fails the whole Job on a refused start (exit 2), fails only the index on an SLO failure or invalid segment, never retries', () => {
    const spec = job!['spec'];
    expect(spec.backoffLimitPerIndex).toBe(0);
    const rules = spec.podFailurePolicy.rules as Array<{ action: string; onExitCodes: { containerName: string; operator: string; values: number[] } }>;
    const container = spec.template.spec.containers[0].name;
    const actionFor = (code: number) => rules.find((r) => r.onExitCodes.containerName === container && r.onExitCodes.operator === 'In' && r.onExitCodes.values.includes(code))?.action;
    expect([actionFor(2), actionFor(98), actionFor(99)]).toEqual(['FailJob', 'FailIndex', 'FailIndex']);
  });
  it('submit.sh refuses bad input, exit 2 naming the option', () => {
    expect(exitOf('deploy/kubernetes/submit.sh', ['-a', '2026-12-08 09:00'], { PICCO_KUBECTL_DRY_RUN: '1' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/-a '2026-12-08 09:00' is not an ISO instant/) });
    expect(exitOf('deploy/kubernetes/submit.sh', ['-m', 'soon'], { PICCO_KUBECTL_DRY_RUN: '1' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/-m 'soon'/) });
  });
  it('mounts the results volume the merge Job reads', () => {
    const [merge] = docs('deploy/kubernetes/merge-job.yaml');
    const claim = (j: Record<string, any>) => j['spec'].template.spec.volumes[0].persistentVolumeClaim.claimName;
    expect(claim(job!)).toBe(pvc!['metadata'].name);
    expect(claim(merge!)).toBe(pvc!['metadata'].name);
    expect(merge!['spec'].template.spec.containers[0].args[0]).toMatch(/report --merge .*seg-\*/);
  });
});

describe('deploy/Dockerfile', () => {
  it('copies every source folder `picco` runs from (bin/picco.js starts cli/, which wires harness, scenarios and the server)', () => {
    const copied = [...readFileSync('deploy/Dockerfile', 'utf8').matchAll(/^COPY (\S+) \.\/\S+$/gm)].map((m) => m[1]);
    for (const dir of ['bin', 'cli', 'harness', 'scenarios', 'reference-server']) expect(copied, dir).toContain(dir);
    expect(readFileSync('bin/picco.js', 'utf8')).toContain("'../cli/main.ts'");
  });
});

describe('deploy/kubernetes/k6-testrun.yaml', () => {
  it('is a k6-operator TestRun reading the exported script from a ConfigMap', () => {
    const [tr] = docs('deploy/kubernetes/k6-testrun.yaml');
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', spec: { script: { configMap: { file: 'script.js' } } } });
    expect(tr!['spec'].parallelism).toBeGreaterThan(1);
  });
});

describe('deploy/ssh/run-segments.sh', () => {
  it('runs segment K/N on the K-th host, copies the runs back and merges them', () => {
    execFileSync('bash', ['-n', 'deploy/ssh/run-segments.sh']);
    const out = execFileSync('deploy/ssh/run-segments.sh', ['-s', 'card-peak', '-t', 'http://10.0.0.5:8080', '-o', 'merged-out', 'gen1', 'gen2', 'gen3'], { env: { ...process.env, PICCO_SSH_DRY_RUN: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = out.trim().split('\n');
    const ssh = lines.filter((l) => l.startsWith('ssh '));
    expect(ssh.map((l) => /--segment\\? (\d+\/\d+)/.exec(l)?.[1])).toEqual(['1/3', '2/3', '3/3']);
    expect(ssh.map((l) => l.split(' ')[1])).toEqual(['gen1', 'gen2', 'gen3']);
    expect(lines[lines.length - 1]).toBe('node bin/picco.js report --merge merged-out/seg-1 merged-out/seg-2 merged-out/seg-3 --out merged-out/merged');
  });
  /** The `picco run` argv each host gets, unquoted from the dry run's `ssh HOST %q` lines. */
  function remoteArgv(args: string[]): string[][] {
    const out = execFileSync('deploy/ssh/run-segments.sh', args, { env: { ...process.env, PICCO_SSH_DRY_RUN: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n').filter((l) => l.startsWith('ssh ')).map((l) => {
      const cmd = execFileSync('bash', ['-c', `eval "set -- ${l.slice(l.indexOf(' ', 4) + 1)}"; printf '%s' "$1"`], { encoding: 'utf8' });
      return cmd.slice(cmd.indexOf('node bin/picco.js run ') + 'node bin/picco.js run '.length).trim().split(/\s+/);
    });
  }
  it('resolves the start once and passes the same ISO instant (and run id) to every host', () => {
    const before = Date.now();
    const argvs = remoteArgv(['-s', 'card-peak', '-t', 'http://10.0.0.5:8080', '-a', '+45', '-o', 'out/ssh-1', 'gen1', 'gen2', 'gen3']);
    expect(argvs).toHaveLength(3);
    const starts = new Set(argvs.map((a) => flag(a, '--start-at')));
    expect(starts.size).toBe(1);
    const at = parseStartAt([...starts][0]!, Date.now());
    expect(at).toMatchObject({ ok: true, relative: false });
    expect((at as { epochMs: number }).epochMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 44_000);
    expect((at as { epochMs: number }).epochMs).toBeLessThanOrEqual(Date.now() + 46_000);
    expect(new Set(argvs.map((a) => flag(a, '--run-id')))).toEqual(new Set(['ssh-1']));
    const fixed = remoteArgv(['-s', 'card-peak', '-t', 'http://10.0.0.5:8080', '-a', '2026-12-08T09:00:00Z', 'gen1', 'gen2']);
    expect(fixed.map((a) => flag(a, '--start-at'))).toEqual(['2026-12-08T09:00:00Z', '2026-12-08T09:00:00Z']);
    // the default: 30 s from now, still one instant
    expect(new Set(remoteArgv(['-s', 'card-peak', '-t', 'http://x', 'g1', 'g2']).map((a) => flag(a, '--start-at'))).size).toBe(1);
  });
  it('refuses to start without a scenario, or with a start that is not an instant, exit 2', () => {
    expect(exitOf('deploy/ssh/run-segments.sh', ['-t', 'http://x', 'h']).code).toBe(2);
    expect(exitOf('deploy/ssh/run-segments.sh', ['-s', 'c', '-t', 'http://x', '-a', 'tomorrow', 'h'], { PICCO_SSH_DRY_RUN: '1' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/-a 'tomorrow'/) });
  });
});
