/**
 * `npx tsx bench/server/cards-anatomy.ts [SECONDS=8] [--compare=DIR] [--threads]`: where one
 * `picco serve` process (SQLite, pinned to core 1) spends a card addition, under wrk on core 0
 * (32 connections, 2,000 citizens, unique PANs): the rate and CPU µs a card, how busy its core
 * was, and from its own /metrics over the measured window the group commit's transactions,
 * writes, fsyncs and their mean time, the WAL's restarts and refused BEGINs, and the WAL file's
 * size at the end. `--threads`: CPU µs a card per thread (main, V8's helpers, libuv's pool that
 * runs the fsyncs, the checkpointer). `--compare=DIR` measures DIR's server as well, alternated
 * A B B A, for a change to the store.
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GEN_CPU } from '../lib.ts';
import { runWrkCards } from '../server-wrk.ts';
import { tokensFor } from '../server-surge.ts';
import { cpuSecondsOf, startPiccoServe } from './processes.ts';

const CITIZENS = 2000;
const CONNECTIONS = 32;

/** CPU seconds so far of each thread of `pid`, by thread id (NaN for one that ended meanwhile). */
function threadCpu(pid: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) m.set(tid === String(pid) ? 'main' : tid, cpuSecondsOf(pid, tid));
  return m;
}

/** Size of the file `pid` holds open whose name ends in -wal, in bytes (NaN if none). */
function walBytes(pid: number): number {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.endsWith('-wal')) return statSync(link).size;
    } catch {
      // closed meanwhile
    }
  }
  return Number.NaN;
}

const SERIES = {
  commits: 'picco_db_batch_size_count',
  writes: 'picco_db_batch_size_sum',
  fsyncs: 'picco_db_wal_fsync_seconds_count',
  fsyncSeconds: 'picco_db_wal_fsync_seconds_sum',
  restarts: 'picco_db_wal_restarts_total',
  busyRetries: 'picco_db_busy_retries_total',
} as const;

async function scrape(url: string): Promise<Record<keyof typeof SERIES, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = {} as Record<keyof typeof SERIES, number>;
  for (const [k, name] of Object.entries(SERIES)) {
    out[k as keyof typeof SERIES] = Number(new RegExp(`\\n${name} (\\S+)`).exec(`\n${text}`)?.[1] ?? Number.NaN);
  }
  return out;
}

async function measure(label: string, seconds: number, perThread: boolean, bin?: string): Promise<void> {
  const t = await startPiccoServe({}, [], bin);
  try {
    const pid = t.srv.child.pid!;
    const tokens = await tokensFor(t.url, CITIZENS, 7_100_000);
    const wrap = ['taskset', '-c', String(GEN_CPU)];
    await runWrkCards({ url: t.url, tokens, connections: CONNECTIONS, durationS: 2, wrap, panBase: 1 }); // JIT warm-up
    const m0 = await scrape(t.url);
    const th0 = threadCpu(pid);
    const c0 = t.cpuSeconds();
    const r = await runWrkCards({ url: t.url, tokens, connections: CONNECTIONS, durationS: seconds, wrap, panBase: 300_000_000 });
    const cpu = t.cpuSeconds() - c0;
    const th1 = threadCpu(pid);
    const m1 = await scrape(t.url);
    const d = (k: keyof typeof SERIES): number => m1[k] - m0[k];
    const ok = r.statuses['200'] ?? 0;
    process.stdout.write(`${label}: ${Math.round(ok / r.durationS)} cards/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, `
      + `${Math.round((cpu * 1e6) / r.requests)} µs CPU a card, core ${Math.round((100 * cpu) / r.durationS)} % busy; `
      + `${d('commits')} transactions of ${(d('writes') / d('commits')).toFixed(1)} writes, ${d('fsyncs')} fsyncs of ${((1000 * d('fsyncSeconds')) / d('fsyncs')).toFixed(2)} ms; `
      + `WAL restarts ${d('restarts')}, BEGINs refused ${d('busyRetries')}, WAL ${(walBytes(pid) / 1e6).toFixed(1)} MB\n`);
    if (perThread) {
      for (const [tid, s] of th1) {
        const us = ((s - (th0.get(tid) ?? 0)) * 1e6) / r.requests;
        if (us >= 0.5) process.stdout.write(`  thread ${tid}: ${us.toFixed(1)} µs a card\n`);
      }
    }
  } finally {
    await t.stop();
  }
}

const args = process.argv.slice(2);
const seconds = Number(args.find((a) => !a.startsWith('--')) ?? 8);
const other = args.find((a) => a.startsWith('--compare='))?.slice('--compare='.length);
const perThread = args.includes('--threads');
const otherBin = other !== undefined ? join(resolve(other), 'bin', 'picco.js') : undefined;
const order: [string, string | undefined][] = otherBin === undefined
  ? [['this checkout', undefined]]
  : [['this checkout', undefined], [other!, otherBin], [other!, otherBin], ['this checkout', undefined]];
for (const [label, bin] of order) await measure(label, seconds, perThread, bin);
