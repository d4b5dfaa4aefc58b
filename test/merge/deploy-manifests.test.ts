import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseSegment } from '../../harness/executors/segment.ts';

const docs = (path: string) => parseAllDocuments(readFileSync(path, 'utf8')).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Record<string, any>;
});

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
  it('mounts the results volume the merge Job reads', () => {
    const [merge] = docs('deploy/kubernetes/merge-job.yaml');
    const claim = (j: Record<string, any>) => j['spec'].template.spec.volumes[0].persistentVolumeClaim.claimName;
    expect(claim(job!)).toBe(pvc!['metadata'].name);
    expect(claim(merge!)).toBe(pvc!['metadata'].name);
    expect(merge!['spec'].template.spec.containers[0].args[0]).toMatch(/report --merge .*seg-\*/);
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
    const out = execFileSync('deploy/ssh/run-segments.sh', ['-s', 'card-peak', '-t', 'http://10.0.0.5:8080', '-o', 'merged-out', 'gen1', 'gen2', 'gen3'], { env: { ...process.env, PICCO_SSH_DRY_RUN: '1' }, encoding: 'utf8' });
    const lines = out.trim().split('\n');
    const ssh = lines.filter((l) => l.startsWith('ssh '));
    expect(ssh.map((l) => /--segment\\? (\d+\/\d+)/.exec(l)?.[1])).toEqual(['1/3', '2/3', '3/3']);
    expect(ssh.map((l) => l.split(' ')[1])).toEqual(['gen1', 'gen2', 'gen3']);
    expect(lines[lines.length - 1]).toBe('node bin/picco.js report --merge merged-out/seg-1 merged-out/seg-2 merged-out/seg-3 --out merged-out/merged');
  });
  it('refuses to start without a scenario, exit 2', () => {
    let code = 0;
    try {
      execFileSync('deploy/ssh/run-segments.sh', ['-t', 'http://x', 'h'], { stdio: 'pipe' });
    } catch (err) {
      code = (err as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});
