/**
 * Transport micro-benchmark: how many requests per second one core gets out of undici's
 * `Pool.request` (a promise and a body stream per request) against `Pool.dispatch` with a
 * reusable handler object, in undici's newer handler API (wrapped per request by undici 7) and
 * its original one (driven directly), all closed-loop at 64 in flight against nginx, plus dispatch
 * with pipelining, and the same handler dispatched straight to 64 `Client`s, one slot each (no
 * pool: what harness/transport/fast-client.ts does). The engine's ad hoc path uses the fastest;
 * this section is the measurement behind that choice.
 *
 * Run alone: `npm run bench -- transport`.
 */
import { Client, Pool, type Dispatcher } from 'undici';
import { GEN_CPU, startNginx } from './lib.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SECONDS = 5;

async function closedLoopRequest(url: string, inFlight: number, seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: inFlight, pipelining: 1 });
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (Date.now() < end) {
      const r = await pool.request({ path: '/', method: 'GET' });
      await r.body.dump();
      n++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  await pool.close();
  return n / seconds;
}

async function closedLoopDispatch(url: string, inFlight: number, seconds: number, pipelining: number, legacy = true): Promise<number> {
  const pool = new Pool(url, { connections: Math.ceil(inFlight / pipelining), pipelining });
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const opts: Dispatcher.DispatchOptions = { path: '/', method: 'GET', headers: [], blocking: false };
  let live = inFlight;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const next = (): void => {
    n++;
    if (Date.now() < end) pool.dispatch(opts, handler);
    else if (--live === 0) done();
  };
  const fail = (): void => {
    if (--live === 0) done();
  };
  // undici 7 drives the original interface directly and wraps the newer one per request.
  const handler: Dispatcher.DispatchHandler = legacy
    ? { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete: next, onError: fail }
    : { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: next, onResponseError: fail };
  for (let i = 0; i < inFlight; i++) pool.dispatch(opts, handler);
  await finished;
  await pool.close();
  return n / seconds;
}

/** Closed loop over `inFlight` Clients, each handler bound to its own Client (no Pool in between). */
async function closedLoopClients(url: string, inFlight: number, seconds: number): Promise<number> {
  const clients = Array.from({ length: inFlight }, () => new Client(url, { pipelining: 1 }));
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const opts: Dispatcher.DispatchOptions = { path: '/', method: 'GET', headers: [], blocking: false };
  let live = inFlight;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const handlers = clients.map((c) => {
    const h: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders: () => true,
      onData: () => true,
      onComplete() {
        n++;
        if (Date.now() < end) c.dispatch(opts, h);
        else if (--live === 0) done();
      },
      onError() {
        if (--live === 0) done();
      },
    };
    return h;
  });
  clients.forEach((c, i) => c.dispatch(opts, handlers[i]!));
  await finished;
  await Promise.all(clients.map((c) => c.close()));
  return n / seconds;
}

/**
 * The floor under the engine: an open-model loop with nothing but undici (1 ms batches, the
 * same dispatch and handler interface, no metrics). Returns CPU µs per request at `rate`.
 */
export async function openBare(url: string, rate: number, seconds: number): Promise<number> {
  const pool = new Pool(url, { connections: 64 });
  const opts: Dispatcher.DispatchOptions = { path: '/', method: 'GET', headers: [], blocking: false };
  let done = 0;
  const h: Dispatcher.DispatchHandler = { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete: () => void done++, onError: () => void done++ };
  for (let i = 0; i < 1000; i++) pool.dispatch(opts, h);
  while (done < 1000) await new Promise((r) => setTimeout(r, 10));
  done = 0;
  let sent = 0;
  const total = Math.round(rate * seconds);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const t = performance.now() - t0;
      while (sent < total && (sent * 1000) / rate <= t) {
        pool.dispatch(opts, h);
        sent++;
      }
      if (sent >= total) {
        const wait = (): void => void (done >= total ? resolve() : setTimeout(wait, 5));
        wait();
        return;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  const c = process.cpuUsage(cpu0);
  await pool.close();
  return (c.user + c.system) / total;
}

/** `openBare` in a child pinned to the generator core. */
export function pinnedOpenBare(url: string, rate: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn('taskset', ['-c', String(GEN_CPU), process.execPath, '--import', 'tsx', self, 'open-bare', url, String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error('open-bare failed'))));
  });
}

/** Runs one measurement in a child pinned to the generator core: rate and CPU µs per request. */
function pinned(kind: string, url: string): Promise<{ rate: number; us: number }> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn('taskset', ['-c', String(GEN_CPU), process.execPath, '--import', 'tsx', self, kind, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      const [rate, us] = out.trim().split(' ').map(Number);
      if (code === 0 && rate !== undefined && us !== undefined) resolve({ rate, us });
      else reject(new Error(`${kind} failed`));
    });
  });
}

const KINDS = [
  ['request', 'undici Pool.request, closed loop, 64 in flight            '],
  ['dispatch-new', 'dispatch, reusable handler, onRequestStart API, 64 in flight'],
  ['dispatch', 'dispatch, reusable handler, onConnect API, 64 in flight   '],
  ['clients', 'dispatch to 64 Clients, one handler each, no Pool         '],
  ['dispatch-p4', 'dispatch, onConnect API, 64 in flight, pipelining 4      '],
] as const;

export async function run(args: string[] = []): Promise<void> {
  const rounds = args.includes('--quick') ? 1 : 3;
  const ng = await startNginx();
  try {
    // Interleaved rounds, best of each: neighbours on a shared machine hit every kind alike.
    const best = new Map<string, { rate: number; us: number }>();
    for (let r = 0; r < rounds; r++) {
      for (const [kind] of KINDS) {
        const m = await pinned(kind, ng.url);
        const b = best.get(kind);
        best.set(kind, { rate: Math.max(b?.rate ?? 0, m.rate), us: Math.min(b?.us ?? Number.POSITIVE_INFINITY, m.us) });
      }
    }
    const base = best.get('request')!;
    for (const [kind, label] of KINDS) {
      const m = best.get(kind)!;
      process.stdout.write(`  ${label.trim().padEnd(62)}: ${String(Math.round(m.rate)).padStart(7)} req/s (${(m.rate / base.rate).toFixed(2)} × request), ${m.us} µs CPU/request${kind === 'clients' ? '  <- the engine\'s --url path' : ''}\n`);
    }
  } finally {
    await ng.stop();
  }
}

// Child mode: `node --import tsx bench/transport.ts <kind> <url>` prints one rate.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== undefined) {
  const [kind, url, a, b] = process.argv.slice(2) as [string, string, string?, string?];
  if (kind === 'open-bare') {
    process.stdout.write(`${(await openBare(url, Number(a), Number(b))).toFixed(2)}\n`);
    process.exit(0);
  }
  const cpu0 = process.cpuUsage();
  const rate = kind === 'request' ? await closedLoopRequest(url, 64, SECONDS) : kind === 'clients' ? await closedLoopClients(url, 64, SECONDS) : await closedLoopDispatch(url, 64, SECONDS, kind === 'dispatch-p4' ? 4 : 1, kind !== 'dispatch-new');
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${rate} ${((cpu.user + cpu.system) / (rate * SECONDS)).toFixed(2)}\n`);
}
