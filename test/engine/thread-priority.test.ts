import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { LOAD_THREAD_NICE, MAIN_THREAD_NICE, lowerMainThread, raiseLoadThread } from '../../harness/runner/thread-priority.ts';

/** The calling thread's nice value, from the kernel (field 19 of its stat). */
const niceOfThisThread = (): number => Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);
const root = process.getuid?.() === 0;

interface WorkerReport {
  before: number;
  afterLower: number;
  raised: boolean;
  after: number;
}

function inWorker(): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./fixtures/priority-worker.mjs', import.meta.url));
    w.once('message', (m: WorkerReport) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('the engine threads\' priorities', () => {
  it('a load thread asks for nice -5 for itself alone, and a main-thread step-down does nothing there', async () => {
    const before = niceOfThisThread();
    const r = await inWorker();
    expect(r.afterLower).toBe(r.before);
    if (root) expect(r.raised).toBe(true);
    expect(r.after).toBe(r.raised ? LOAD_THREAD_NICE : r.before);
    expect(niceOfThisThread()).toBe(before); // the thread that started it is untouched
  });

  it('the main thread steps down to nice 10 for a run and back after it, and never raises itself as a load thread', () => {
    const before = niceOfThisThread();
    expect(raiseLoadThread()).toBe(false);
    expect(niceOfThisThread()).toBe(before);
    const restore = lowerMainThread();
    try {
      // vitest may run this file on a worker thread: there the step-down does nothing
      expect(niceOfThisThread()).toBe(isMainThread ? Math.max(before, MAIN_THREAD_NICE) : before);
    } finally {
      restore();
    }
    if (root) expect(niceOfThisThread()).toBe(before);
  });

  it('a run says in its summary at what nice value each load thread ran', async () => {
    const server = createServer((q, r) => {
      q.resume();
      r.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const out = join(mkdtempSync(join(tmpdir(), 'picco-nice-')), 'run');
    try {
      const bin = join(import.meta.dirname, '..', '..', 'bin', 'picco.js');
      const code = await new Promise<number | null>((resolve) => {
        spawn(process.execPath, [bin, 'run', '--url', `http://127.0.0.1:${port}/`, '--rate', '50', '--duration', '1s', '--out', out, '--quiet'],
          { stdio: 'ignore' }).on('close', resolve);
      });
      expect(code).not.toBe(2);
      const threads = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).generator.threads as { nice?: number }[];
      expect(threads).toHaveLength(1);
      if (root) expect(threads[0]!.nice).toBe(LOAD_THREAD_NICE);
      else expect(typeof threads[0]!.nice).toBe('number');
    } finally {
      server.close();
    }
  }, 60_000);
});
