/**
 * wrk (Debian package) as a card-addition generator: a Lua script that sends POST
 * /pp-restapi-CD/v1/wallet/cc with a unique, Luhn-valid PAN per request, round-robin over the
 * PM tokens of pre-logged-in citizens, and prints one `PICCO_WRK {json}` line with the status
 * counts and latency percentiles. Used by the flood test (a generator far cheaper than a Node
 * loop in the test process, so the reads the test measures are not slowed by the test itself)
 * and as the bench's fallback driver. wrk is closed-model (coordinated omission): its latencies
 * are service times at the given connection count, not latencies from an intended schedule.
 *
 * @example
 * const r = await runWrkCards({ url, tokens, connections: 256, durationS: 10 });
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkCardsOptions {
  url: string;
  tokens: string[];
  connections: number;
  durationS: number;
  threads?: number;
  /** Offset so two runs against one database never send the same PAN. */
  panBase?: number;
  timeoutS?: number;
  /** Prefix the command (e.g. ['taskset', '-c', '1']). */
  wrap?: string[];
  /**
   * Behave like the app on a 503/429: the connection waits Retry-After seconds (± 50 % jitter)
   * before its next request, instead of resending at once. Default false (a pure closed loop).
   */
  honourRetryAfter?: boolean;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  statuses: Record<string, number>;
  /** Milliseconds. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: { connect: number; read: number; write: number; timeout: number };
}

export function cardFloodLua(tokens: string[], panBase: number, honourRetryAfter = false): string {
  return `
local honour = ${honourRetryAfter ? 'true' : 'false'}
local pending_delay = 0
local tokens = {${tokens.map((t) => `"${t}"`).join(',')}}
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function init(args)
  n = ${panBase} + tid * 20000000
  statuses = {}
end
local function luhn(payload)
  local sum, double = 0, true
  for i = #payload, 1, -1 do
    local d = tonumber(payload:sub(i, i))
    if double then d = d * 2; if d > 9 then d = d - 9 end end
    sum = sum + d
    double = not double
  end
  return tostring((10 - sum % 10) % 10)
end
function request()
  n = n + 1
  local tok = tokens[(n % #tokens) + 1]
  local payload = "453997" .. string.format("%09d", n % 1000000000)
  local body = '{"data":{"type":"CREDIT_CARD","favourite":false,"creditCard":{"pan":"' .. payload .. luhn(payload) ..
    '","holder":"Mario Rossi","expireMonth":"12","expireYear":"30","securityCode":"123"}}}'
  return wrk.format("POST", "/pp-restapi-CD/v1/wallet/cc", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tok }, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if honour and (status == 503 or status == 429) then
    local ra = tonumber(headers["Retry-After"] or headers["retry-after"] or "1") or 1
    pending_delay = math.floor(ra * 1000 * (0.5 + math.random()))
  end
end
function delay()
  local d = pending_delay
  pending_delay = 0
  return d
end
function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do agg[tostring(k)] = (agg[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, '"' .. k .. '":' .. v) end
  io.write(string.format('PICCO_WRK {"requests":%d,"durationUs":%d,"statuses":{%s},"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d},"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\\n',
    summary.requests, summary.duration, table.concat(parts, ","), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
`;
}

export function runWrkCards(o: WrkCardsOptions): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-wrk-'));
  const script = join(dir, 'cards.lua');
  writeFileSync(script, cardFloodLua(o.tokens, o.panBase ?? 0, o.honourRetryAfter ?? false));
  const threads = o.threads ?? 1;
  const args = [`-t${threads}`, `-c${Math.max(o.connections, threads)}`, `-d${o.durationS}s`, `--timeout`, `${o.timeoutS ?? 16}s`, '-s', script, o.url];
  const [cmd, ...pre] = [...(o.wrap ?? []), 'wrk'];
  return new Promise<WrkResult>((resolve, reject) => {
    const child = spawn(cmd!, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.once('error', reject);
    child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      const m = /PICCO_WRK (\{.*\})/.exec(out);
      if (m === null) return reject(new Error(`wrk printed no result:\n${out}`));
      const j = JSON.parse(m[1]!) as { requests: number; durationUs: number; statuses: Record<string, number>;
        latencyUs: Record<'p50' | 'p90' | 'p99' | 'max', number>; errors: WrkResult['errors'] };
      resolve({
        requests: j.requests, durationS: j.durationUs / 1e6, statuses: j.statuses, errors: j.errors,
        latencyMs: { p50: j.latencyUs.p50 / 1000, p90: j.latencyUs.p90 / 1000, p99: j.latencyUs.p99 / 1000, max: j.latencyUs.max / 1000 },
      });
    });
  });
}

/**
 * `npm run bench -- server-wrk`: the closed-loop flood of the issue's 7 Dec story, with and
 * without admission control (PICCO_ADMISSION=off): 512 connections of card additions for 10 s
 * against one SQLite process, clients honouring Retry-After as the app's backoff did.
 */
export async function run(args: string[]): Promise<void> {
  const { startServer } = await import('../test/resilience/server-process.ts');
  const { login } = await import('../test/resilience/citizen.ts');
  const seconds = args.includes('--quick') ? 5 : 10;
  for (const admission of ['on', 'off'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'picco-wrk-db-'));
    const env: Record<string, string> = { PICCO_RATE_LIMIT_WRITES: '1000000' };
    if (admission === 'off') env['PICCO_ADMISSION'] = 'off';
    const srv = await startServer(['--db', `sqlite:${join(dir, 'w.sqlite')}`], env, 30_000, ['taskset', '-c', '1']);
    try {
      const tokens: string[] = [];
      for (let i = 0; i < 64; i++) tokens.push((await login(srv.url, 40_000 + i)).pmToken);
      for (const connections of [64, 512]) {
        const r = await runWrkCards({ url: srv.url, tokens, connections, durationS: seconds, honourRetryAfter: true,
          wrap: ['taskset', '-c', '0'], panBase: connections * 1_000_000 });
        process.stdout.write(`  admission ${admission}, wrk -c${connections} ${seconds} s: ${Math.round((r.statuses['200'] ?? 0) / r.durationS)}/s ok,`
          + ` ${Math.round((r.statuses['503'] ?? 0) / r.durationS)}/s shed, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms,`
          + ` timeouts ${r.errors.timeout}\n`);
      }
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
