/**
 * capacity.md and capacity.html: the knee search (every rate, every repeat, the criteria and
 * the noise band) and, when measurements at three or more sizes exist, the USL curve with the
 * planner's answer. The HTML reuses the run report's approach: Chart.js inlined, no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { KneeResult } from './knee.ts';
import type { Projection, UslFit } from './usl.ts';
import { uslX } from './usl.ts';
import { escapeHtml } from '../report/format.ts';
import { inlineJson } from '../report/html.ts';

export interface UslAnswer {
  metric: 'cardAdditionsPerS' | 'opsPerS';
  label: string;
  fit: UslFit;
  projection: Projection;
  points: Array<{ n: number; x: number }>;
}

export interface CapacityReport {
  scenario: string;
  target: string;
  criteria: string;
  repeats: number;
  stepDurationS?: number | undefined;
  speed?: number | undefined;
  workers: number;
  knee: KneeResult | null;
  usl: UslAnswer[];
  uslNote?: string | undefined;
  generatedAt: string;
}

const f1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const pctCv = (v: number | undefined) => (v === undefined ? 'n/a' : `±${(v * 100).toFixed(1)}%`);

export function kneeFigures(r: KneeResult, rate: number | null): Record<string, { mean: number; cv: number }> {
  return r.results.find((x) => x.rate === rate)?.figures ?? {};
}

function answerLine(u: UslAnswer): string {
  const p = u.projection;
  const band = p.p5 === null && p.p95 === null ? 'unreachable in most resamples' : `90% interval ${p.p5 ?? 'unreachable'}–${p.p95 ?? 'unreachable'}`;
  const main = p.instances === null ? `not reachable: the fitted curve peaks at ${f1(u.fit.peakX)} near N = ${f1(u.fit.peakN)}` : `**${p.instances} instances**`;
  return `- ${f1(p.target)} ${u.label}: ${main} (${band}; ${(p.unreachableShare * 100).toFixed(0)}% of ${p.resamples} bootstrap resamples unreachable)`;
}

function peakText(f: UslFit): string {
  if (Number.isFinite(f.peakN)) return `throughput peaks at ${f1(f.peakX)} near N ≈ ${f1(f.peakN)}, then falls`;
  if (f.sigma > 0) return `no peak (κ = 0): throughput approaches λ/σ = ${f1(f.lambda / f.sigma)} as N grows`;
  return 'linear scaling (σ = κ = 0)';
}

export function renderCapacityMd(r: CapacityReport): string {
  const L: string[] = [`# picco capacity: ${r.scenario}`, '', `Target ${r.target} with ${r.workers} worker(s) · ${r.generatedAt}`, ''];
  L.push(`**Criteria.** ${r.criteria} Each rate is run ${r.repeats}× ${r.stepDurationS !== undefined ? `for ${r.stepDurationS}s` : 'for the whole scenario'}${r.speed !== undefined ? ` at --speed ${r.speed}` : ''}; it *holds* only when every repeat passes, is *mixed* when some do, *fails* when none does. The offered load is the scenario at \`--scale F\`.`, '');
  if (r.knee) {
    const k = r.knee;
    const fig = kneeFigures(k, k.knee);
    if (k.knee === null && k.stoppedBy === 'invalid') L.push('**No knee found: the first scale was an invalid run** (the generator fell behind its schedule, so the target was not measured; raise `--max-lag` on a busy box or add generator capacity).');
    else if (k.knee === null) L.push(`**Knee: below the start scale** (stopped: ${k.stoppedBy}).`);
    else {
      L.push(`**Knee: scale ${k.knee}${k.reachedMax ? ' (the maximum tried: the knee is higher)' : ''}** → ${f1(fig['cardAdditionsPerS']?.mean)} card additions/s, ${f1(fig['opsPerS']?.mean)} ops/s held, p99 ${f1(fig['p99Ms']?.mean)} ms (${pctCv(fig['p99Ms']?.cv)} across repeats).`);
      L.push(`Noise band: ${k.noiseBand ? `scale ${k.noiseBand[0]} – ${k.noiseBand[1]}` : 'none found'}; achieved-rate variation at the knee ${pctCv(fig['achievedPerS']?.cv)}. Stopped: ${k.stoppedBy}.`);
    }
    L.push('', '| scale | verdict | passes | intended/s | achieved/s | cards/s | ops/s | p99 ms (cv) | errors |', '|---:|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of [...k.results].sort((a, b) => a.rate - b.rate)) {
      const g = x.figures;
      L.push(`| ${x.rate} | ${x.verdict} | ${x.passes}/${x.repeats} | ${f1(g['intendedPerS']?.mean)} | ${f1(g['achievedPerS']?.mean)} | ${f1(g['cardAdditionsPerS']?.mean)} | ${f1(g['opsPerS']?.mean)} | ${f1(g['p99Ms']?.mean)} (${pctCv(g['p99Ms']?.cv)}) | ${g['errorRatio'] ? `${(g['errorRatio'].mean * 100).toFixed(2)}%` : '0%'} |`);
    }
    L.push('');
  }
  L.push('## Scale-out (Universal Scalability Law)', '');
  if (r.usl.length === 0) L.push(r.uslNote ?? 'No USL fit: measure at 3 or more worker counts (`--workers N --usl FILE`).');
  for (const u of r.usl) {
    L.push(`**${u.label}**: λ = ${f1(u.fit.lambda)}/s per instance, σ = ${u.fit.sigma.toFixed(4)} (contention), κ = ${u.fit.kappa.toExponential(2)} (coherency), R² = ${u.fit.r2.toFixed(3)} over ${u.fit.points} measurements; ${peakText(u.fit)}.`);
    L.push(answerLine(u));
    if (u.fit.r2 < 0.8) L.push(`- ⚠️ R² ${u.fit.r2.toFixed(3)}: the fit explains little of the measurements (noise, or a machine too small for these worker counts). Do not plan from it; measure again on dedicated hardware.`);
    L.push('');
  }
  if (r.uslNote && r.usl.length > 0) L.push(r.uslNote, '');
  return L.join('\n') + '\n';
}

export function renderCapacityHtml(r: CapacityReport): string {
  const require = createRequire(import.meta.url);
  const lib = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  const md = renderCapacityMd(r);
  const knee = (r.knee?.results ?? []).slice().sort((a, b) => a.rate - b.rate).map((x) => ({
    x: x.rate, verdict: x.verdict, p99: x.figures['p99Ms']?.mean ?? null, cards: x.figures['cardAdditionsPerS']?.mean ?? null, ops: x.figures['opsPerS']?.mean ?? null,
  }));
  const usl = r.usl.map((u) => {
    const maxN = Math.max(8, ...u.points.map((p) => p.n), Math.min(200, (u.projection.instances ?? 0) * 1.3), Math.min(200, Number.isFinite(u.fit.peakN) ? u.fit.peakN * 1.2 : 0));
    const curve = Array.from({ length: 120 }, (_, i) => { const n = 1 + ((maxN - 1) * i) / 119; return { x: n, y: uslX(n, u.fit) }; });
    return { label: u.label, points: u.points.map((p) => ({ x: p.n, y: p.x })), curve, target: u.projection.target };
  });
  const data = { knee, usl };
  const client = `
Chart.defaults.animation=false;Chart.defaults.maintainAspectRatio=false;
var D=window.__CAP__;var C={hold:'#16a34a',holds:'#16a34a',mixed:'#ca8a04',fails:'#dc2626',invalid:'#6b7280'};
if(D.knee.length){new Chart(document.getElementById('c-knee'),{type:'line',data:{datasets:[
{label:'p99 ms (from intended start)',data:D.knee.map(function(k){return {x:k.x,y:k.p99}}),borderColor:'#1e3a8a',pointBackgroundColor:D.knee.map(function(k){return C[k.verdict]}),pointRadius:6,yAxisID:'y'},
{label:'card additions/s (ok, burst)',data:D.knee.map(function(k){return {x:k.x,y:k.cards}}),borderColor:'#16a34a',yAxisID:'y2'},
{label:'ops/s (burst)',data:D.knee.map(function(k){return {x:k.x,y:k.ops}}),borderColor:'#6b7280',borderDash:[6,3],yAxisID:'y2'}]},
options:{parsing:false,scales:{x:{type:'linear',title:{display:true,text:'--scale (offered load)'}},y:{type:'logarithmic',title:{display:true,text:'p99 ms'}},y2:{position:'right',beginAtZero:true,title:{display:true,text:'per second'},grid:{drawOnChartArea:false}}}}});}
D.usl.forEach(function(u,i){var c=document.createElement('div');c.className='card';c.innerHTML='<h3>'+u.label+': USL fit</h3><div class="chart"><canvas id="c-usl-'+i+'"></canvas></div>';document.getElementById('usl').appendChild(c);
new Chart(document.getElementById('c-usl-'+i),{type:'scatter',data:{datasets:[{label:'measured (knee per repeat)',data:u.points,backgroundColor:'#2563eb',pointRadius:5},
{label:'USL fit',type:'line',data:u.curve,borderColor:'#dc2626',pointRadius:0,borderWidth:2},
{label:'target',type:'line',data:[{x:u.curve[0].x,y:u.target},{x:u.curve[u.curve.length-1].x,y:u.target}],borderColor:'#6b7280',borderDash:[6,3],pointRadius:0}]},
options:{parsing:false,scales:{x:{type:'linear',title:{display:true,text:'instances (workers)'}},y:{beginAtZero:true,title:{display:true,text:'per second'}}}}});});
document.body.dataset.ready='true';`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>picco capacity: ${escapeHtml(r.scenario)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<style>body{font:13px/1.45 system-ui,sans-serif;margin:20px;background:#f3f4f6;color:#111827}.card{background:#fff;border-radius:6px;padding:10px 14px;margin:10px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.chart{position:relative;height:300px}pre{white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace}</style></head>
<body><h1>picco capacity · ${escapeHtml(r.scenario)}</h1>
<div class="card"><h3>Knee search: p99 and throughput against offered load (green holds, amber mixed, red fails)</h3><div class="chart"><canvas id="c-knee"></canvas></div></div>
<div id="usl"></div>
<div class="card"><pre>${escapeHtml(md)}</pre></div>
<script>${lib}</script><script>window.__CAP__=${inlineJson(data)};</script><script>${client}</script></body></html>
`;
}
