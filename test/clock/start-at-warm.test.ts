import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A process ready long before its --start-at waits with its connections warm: the warm-up's
// connections, idle for the wait, are used again just before t = 0, so a target that closes idle
// connections after a few seconds (its keep-alive timeout; the client drops them sooner still) sees no new connection once the run is on.
describe('waiting for --start-at keeps the connections warm', () => {
  let server: Server;
  let url = '';
  const opened: number[] = [];
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 5000;
    server.on('connection', () => opened.push(Date.now()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('re-uses the connections just before t = 0: none is opened during the run', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'picco-warm-')), 'run');
    // margin for a process start-up on a loaded machine, then a wait far longer than 2 s
    const at = new Date(Math.ceil((Date.now() + 25_000) / 1000) * 1000).toISOString();
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['bin/picco.js', 'run', '--url', `${url}/k`, '--rate', '20', '--duration', '2s', '--connections', '4',
        '--segment', '1/2', '--start-at', at, '--clock-ref', 'ntp://127.0.0.1:9', '--max-lag', '10000', '--out', out, '--quiet'], { stdio: 'ignore' });
      child.on('close', (c) => resolve(c ?? 1));
    });
    expect(code).toBe(0);
    const t0 = Date.parse(at);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { start: { waitedMs: number }; requests: { total: number } };
    expect(s.start.waitedMs).toBeGreaterThan(3000);
    expect(s.requests.total).toBe(20);
    expect(opened.filter((x) => x >= t0 - 1500 && x < t0).length).toBeGreaterThan(0);
    expect(opened.filter((x) => x >= t0)).toEqual([]);
  }, 90_000);
});
