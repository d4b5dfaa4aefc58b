/**
 * `npx tsx bench/server/profile.ts info|cards [SECONDS] [--no-profile]`: a CPU profile (node --cpu-prof) of one
 * `picco serve` process pinned to core 1 under wrk on core 0 (32 connections), for GET /info or
 * for durable card additions spread over 2,000 citizens (unique Luhn-valid PANs), then the top
 * functions by self time, so a change to the request path can be judged by where the CPU goes
 * before and after. The profile file stays in the printed directory.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GEN_CPU, ROOT, runWrk } from '../lib.ts';
import { runWrkCards } from '../server-wrk.ts';
import { tokensFor } from '../server-surge.ts';
import { startPiccoServe } from './processes.ts';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/**
 * Self time per function (name, file, line), largest first, as a share of the samples taken in
 * [fromUs, toUs] after the profile's start (the load window: start-up and shutdown left out);
 * `(idle)` is left out of the total, so shares are of the CPU the process used.
 */
export function topSelf(p: Profile, fromUs: number, toUs: number, n = 25): { share: number; name: string }[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const hits = new Map<number, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const id = p.samples[i]!;
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  const by = new Map<string, number>();
  let total = 0;
  for (const [id, h] of hits) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    total += h;
    const file = f.url === '' ? '' : relative(ROOT, f.url.replace(/^file:\/\//, ''));
    const key = `${f.functionName || '(anonymous)'} ${file}${file === '' ? '' : `:${f.lineNumber + 1}`}`;
    by.set(key, (by.get(key) ?? 0) + h);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, h]) => ({ share: h / Math.max(1, total), name }));
}

async function main(): Promise<void> {
  const what = process.argv[2] ?? 'info';
  const seconds = Number(process.argv[3] ?? 10);
  const noProfile = process.argv.includes('--no-profile');
  const dir = mkdtempSync(join(tmpdir(), 'picco-profile-'));
  const spawnedAt = performance.now();
  const t = await startPiccoServe({}, noProfile ? [] : ['--cpu-prof', '--cpu-prof-dir', dir]);
  let from = 0;
  let to = 0;
  try {
    if (what === 'info') {
      await runWrk(`${t.url}/info`, 2, 32);
      from = performance.now();
      const c0 = t.cpuSeconds();
      const r = await runWrk(`${t.url}/info`, seconds, 32);
      const cpu = t.cpuSeconds() - c0;
      to = performance.now();
      process.stdout.write(`GET /info: ${Math.round(r.rate)} rps, ${Math.round((cpu * 1e6) / r.requests)} µs CPU/request (profiler on)\n`);
    } else {
      const tokens = await tokensFor(t.url, 2000, 6_100_000);
      const wrap = ['taskset', '-c', String(GEN_CPU)];
      from = performance.now();
      const c0 = t.cpuSeconds();
      const r = await runWrkCards({ url: t.url, tokens, connections: 32, durationS: seconds, wrap });
      const cpu = t.cpuSeconds() - c0;
      to = performance.now();
      process.stdout.write(`card additions: ${Math.round((r.statuses['200'] ?? 0) / r.durationS)}/s, p99 ${r.latencyMs.p99} ms, `
        + `${Math.round((cpu * 1e6) / r.requests)} µs CPU/request (profiler on), statuses ${JSON.stringify(r.statuses)}\n`);
    }
  } finally {
    await t.stop();
  }
  if (noProfile) return;
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile in ${dir}`);
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  // The profile starts with the process (a few ms after the spawn): the window is approximate.
  for (const x of topSelf(p, (from - spawnedAt) * 1000, (to - spawnedAt) * 1000)) process.stdout.write(`${(100 * x.share).toFixed(1).padStart(5)} %  ${x.name}\n`);
  process.stdout.write(`profile: ${join(dir, file)}\n`);
}

if (process.argv[1]?.endsWith('profile.ts') === true) await main();
