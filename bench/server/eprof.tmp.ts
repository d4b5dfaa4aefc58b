import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topSelf } from './profile.ts';
const dir = process.argv[2]!;
for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  let t = 0; const busy = new Map<number, number>(); let busyAll = 0;
  const idle = new Set(p.nodes.filter((n: any) => n.callFrame.functionName === '(idle)').map((n: any) => n.id));
  for (let i = 0; i < p.samples.length; i++) { const d = p.timeDeltas[i] ?? 0; t += d; if (!idle.has(p.samples[i])) { const s = Math.floor(t / 1e6); busy.set(s, (busy.get(s) ?? 0) + d); busyAll += d; } }
  const dur = (p.endTime - p.startTime) / 1e6;
  const top = [...busy].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([s, us]) => `${s}s:${Math.round(us / 1e4)}%`);
  console.log(`${f}: ${dur.toFixed(0)} s, busy ${(busyAll / 1e6).toFixed(1)} s; busiest seconds ${top.join(' ')}`);
  const from = Number(process.argv[3] ?? 0) * 1e6, to = Number(process.argv[4] ?? 1e9) * 1e6;
  for (const x of topSelf(p, from, to, Number(process.argv[5] ?? 18))) console.log(`  ${(x.share * 100).toFixed(1)}% ${x.name}`);
}
