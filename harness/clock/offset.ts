/**
 * This machine's clock against a reference, measured before a segment starts, so a distributed
 * run can say how far apart its segments' t = 0 really were (summary.json `start`).
 * `offsetMs` is reference minus local: +40 means this clock is 40 ms behind the reference.
 *
 * Two references:
 * - `ntp://HOST[:PORT]`: SNTP (RFC 4330), a few exchanges, the one with the least round trip
 *   kept; offset = ((T2 - t0) + (T3 - t3)) / 2, uncertainty = round trip / 2 (NTP's own bound).
 * - `http(s)://...` (the target by default): its `Date` header. A Date header has whole
 *   seconds, so one response bounds the offset only within a second (D - t1 <= offset <
 *   D + 1000 - t0, htpdate's reasoning); probes sent so that they would reach the server just
 *   around one of its second boundaries, if the offset were each of k guesses spread over what
 *   is still possible, narrow that interval about k+1 times per round, to about the round trip
 *   in three or four rounds (a few seconds, a few dozen HEAD requests).
 *
 * Times are this process's wall clock at sub-millisecond resolution (the same
 * `performance.timeOrigin + performance.now()` the engine's schedule clock is derived from).
 *
 * @example
 * const o = await measureClockOffset('http://10.0.0.5:8080', { deadlineMs: Date.now() + 8000 });
 * o?.offsetMs; o?.uncertaintyMs;
 */
import { createSocket } from 'node:dgram';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

export interface ClockOffset {
  offsetMs: number;
  uncertaintyMs: number;
  /** What was measured against: `http-date URL` or `ntp://HOST:PORT`. */
  ref: string;
  samples: number;
}

export const wallNow = (): number => performance.timeOrigin + performance.now();
const sleepUntil = (wallMs: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, wallMs - wallNow())));
const round2 = (x: number) => Math.round(x * 100) / 100;

interface DateSample { t0: number; t1: number; dateMs: number }

function headOnce(url: URL, agent: HttpAgent): Promise<DateSample | undefined> {
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'HEAD', agent, timeout: 2000 }, (res) => {
      const t1 = wallNow();
      res.resume();
      const d = Date.parse(String(res.headers['date'] ?? ''));
      resolve(Number.isFinite(d) ? { t0, t1, dateMs: d } : undefined);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    const t0 = wallNow();
    req.end();
  });
}

/** Date-header offset; undefined when the reference gives no usable Date header. */
export async function measureHttpDate(ref: string, o: { deadlineMs: number; probes?: number; precisionMs?: number }): Promise<ClockOffset | undefined> {
  const url = new URL(ref);
  const agent = url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 8 }) : new HttpAgent({ keepAlive: true, maxSockets: 8 });
  const k = o.probes ?? 12;
  const precision = o.precisionMs ?? 2;
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  let samples = 0;
  let rtt = 0;
  const take = (s: DateSample | undefined): void => {
    if (s === undefined) return;
    samples++;
    const a = s.dateMs - s.t1;
    const b = s.dateMs + 1000 - s.t0;
    // A server whose Date lags its own clock (a cached header) can contradict the others: skip it.
    if (a > hi || b < lo) return;
    lo = Math.max(lo, a);
    hi = Math.min(hi, b);
  };
  try {
    for (let i = 0; i < 2; i++) {
      const s = await headOnce(url, agent); // the first opens the connection
      if (s !== undefined) rtt = s.t1 - s.t0;
      take(s);
    }
    if (samples === 0) return undefined;
    for (let round = 0; round < 6 && hi - lo > precision; round++) {
      const guesses = Array.from({ length: k }, (_, j) => lo + ((hi - lo) * (j + 1)) / (k + 1));
      // The server second boundary B all probes aim at: far enough ahead for the earliest send.
      const boundary = Math.ceil((wallNow() + 30 + hi + rtt / 2) / 1000) * 1000;
      const sends = guesses.map((g) => boundary - g - rtt / 2).sort((x, y) => x - y);
      if (sends[sends.length - 1]! > o.deadlineMs) break;
      const pending: Array<Promise<DateSample | undefined>> = [];
      for (const at of sends) {
        await sleepUntil(at);
        pending.push(headOnce(url, agent));
      }
      for (const s of await Promise.all(pending)) {
        if (s !== undefined) rtt = Math.min(rtt, s.t1 - s.t0);
        take(s);
      }
    }
    return { offsetMs: round2((lo + hi) / 2), uncertaintyMs: round2((hi - lo) / 2), ref: `http-date ${url.origin}`, samples };
  } finally {
    agent.destroy();
  }
}

const NTP_EPOCH_OFFSET_S = 2_208_988_800; // 1900-01-01 to 1970-01-01

function readNtp(buf: Buffer, at: number): number {
  return (buf.readUInt32BE(at) - NTP_EPOCH_OFFSET_S) * 1000 + (buf.readUInt32BE(at + 4) / 2 ** 32) * 1000;
}

function writeNtp(buf: Buffer, at: number, ms: number): void {
  const s = Math.floor(ms / 1000);
  buf.writeUInt32BE(s + NTP_EPOCH_OFFSET_S, at);
  buf.writeUInt32BE(Math.floor(((ms - s * 1000) / 1000) * 2 ** 32), at + 4);
}

/** SNTP offset against `ntp://HOST[:PORT]`; undefined when no valid answer came back in time. */
export async function measureNtp(ref: string, o: { deadlineMs: number; exchanges?: number }): Promise<ClockOffset | undefined> {
  const url = new URL(ref);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 123 : Number(url.port);
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let best: { offset: number; delay: number } | undefined;
  let samples = 0;
  try {
    for (let i = 0; i < (o.exchanges ?? 4) && wallNow() < o.deadlineMs; i++) {
      const req = Buffer.alloc(48);
      req[0] = 0x23; // LI 0, version 4, mode 3 (client)
      const answer = new Promise<{ buf: Buffer; t3: number } | undefined>((resolve) => {
        const timer = setTimeout(() => { sock.off('message', onMsg); resolve(undefined); }, Math.min(1000, Math.max(1, o.deadlineMs - wallNow())));
        const onMsg = (buf: Buffer): void => {
          clearTimeout(timer);
          sock.off('message', onMsg);
          resolve({ buf, t3: wallNow() });
        };
        sock.on('message', onMsg);
      });
      const t0 = wallNow();
      writeNtp(req, 40, t0);
      sock.send(req, port, host);
      const a = await answer;
      if (a === undefined || a.buf.length < 48) continue;
      const mode = a.buf[0]! & 0x7;
      const stratum = a.buf[1]!;
      // only a server's answer to this request counts (mode 4, not a kiss-o'-death, our t0 echoed)
      if ((mode !== 4 && mode !== 5) || stratum === 0 || Math.abs(readNtp(a.buf, 24) - t0) > 0.001) continue;
      const t2 = readNtp(a.buf, 32);
      const t3s = readNtp(a.buf, 40);
      const offset = (t2 - t0 + (t3s - a.t3)) / 2;
      const delay = a.t3 - t0 - (t3s - t2);
      samples++;
      if (best === undefined || delay < best.delay) best = { offset, delay };
    }
  } finally {
    sock.close();
  }
  if (best === undefined) return undefined;
  return { offsetMs: round2(best.offset), uncertaintyMs: round2(Math.max(0, best.delay) / 2), ref: `ntp://${host}:${port}`, samples };
}

/** Measures against `ref` (ntp:// or http(s)://); never throws: undefined is "not measured". */
export async function measureClockOffset(ref: string, o: { deadlineMs: number }): Promise<ClockOffset | undefined> {
  try {
    return ref.startsWith('ntp://') ? await measureNtp(ref, o) : await measureHttpDate(ref, o);
  } catch {
    return undefined;
  }
}
