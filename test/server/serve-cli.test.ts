/**
 * `picco serve` as the engine starts it: a child process, the one ready line on stdout, SIGTERM
 * to stop. A card acknowledged with 200 survives kill -9 (SQLite WAL, synchronous=FULL). Bad
 * flags and a bad faults file exit 2 naming the flag or the file. The child's stdout and stderr
 * (request log on) never contain the card, the fiscal code or a token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, PM, addCreditCard, cardBody, loginCitizen, pan, undiciTransport } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/picco.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'picco-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { ...process.env, PICCO_ADMISSION: 'off', PICCO_RATE_LIMIT_WRITES: '100000', PICCO_RATE_LIMIT_READS: '100000' };

interface Child { proc: ChildProcess; url: string; out: () => string }

function serve(args: string[]): Promise<Child> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'serve', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^picco serve listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m !== null) resolve({ proc, url: m[1] as string, out: () => out });
    });
    proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    proc.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, 'serve', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    proc.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('picco serve', () => {
  it.each(['', '?durability=sqlite'])('prints one ready line, keeps an acknowledged card across kill -9, and stops on SIGTERM (%s)', async (mode) => {
    const db = `sqlite:${join(dir, `durable${mode === '' ? '' : '-full'}.sqlite`)}${mode}`;
    const first = await serve(['--port', '0', '--db', db, '--log']);
    const client = new Client(undiciTransport(first.url));
    const c = await loginCitizen(client);
    const p = pan();
    const { idWallet } = await addCreditCard(client, c, p); // ends with the 3DS write acknowledged
    const temp = await client.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(pan()) });
    expect(temp.status).toBe(200);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    expect(first.out()).not.toContain(p);
    expect(first.out()).not.toContain(c.fiscalCode);
    expect(first.out()).not.toContain(c.pmToken);
    expect(first.out().split('\n').filter((l) => l.startsWith('picco serve listening')).length).toBe(1);

    const second = await serve(['--port', '0', '--db', db]);
    const client2 = new Client(undiciTransport(second.url));
    // the session, the verified card and the last acknowledged (temporary) card are all there
    const list = await client2.get(`${PM}/v2/wallet`, c.pmToken);
    expect(list.json.data.map((w: { idWallet: number }) => w.idWallet)).toEqual([idWallet]);
    expect((await client2.call('POST', `${PM}/v1/wallet/cc`, { token: c.pmToken, body: cardBody(p) })).status).toBe(422);
    const kept = await client2.get(`${PM}/v1/wallet/${temp.json.data.idWallet}`, c.pmToken);
    expect(kept.json.data.creditCard.flag3dsVerified).toBe(false);
    second.proc.kill('SIGTERM');
    const code = await new Promise((r) => second.proc.once('exit', r));
    expect(code).toBe(0);
  });

  it('exits 2 naming the flag for bad flags, and naming the file for a bad faults file', async () => {
    const port = await run(['--port', 'x']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port');
    const unknown = await run(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--bogus');
    const dbFlag = await run(['--db', 'mysql://x']);
    expect(dbFlag.stderr).toContain('--db');
    const faults = join(dir, 'faults.json');
    writeFileSync(faults, JSON.stringify({ downstream: { acquirer: { errorRate: 3 } } }));
    const bad = await run(['--faults', faults]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(faults);
    expect(bad.stderr).toContain('downstream.acquirer.errorRate');
    const missing = await run(['--faults', join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.json');
  });

  it('applies a faults file given at start', async () => {
    const faults = join(dir, 'wallet-404.json');
    writeFileSync(faults, JSON.stringify({ routes: { 'GET /pp-restapi-CD/v2/wallet': { errorRate: 1, errorStatus: 404 } } }));
    const s = await serve(['--port', '0', '--faults', faults]);
    try {
      const client = new Client(undiciTransport(s.url));
      const c = await loginCitizen(client);
      expect((await client.get(`${PM}/v2/wallet`, c.pmToken)).status).toBe(404);
    } finally {
      s.proc.kill('SIGTERM');
      await new Promise((r) => s.proc.once('exit', r));
    }
  });
});
