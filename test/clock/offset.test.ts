import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { measureClockOffset, measureHttpDate, measureNtp, wallNow } from '../../harness/clock/offset.ts';
import { startNginx, type Nginx } from './nginx.ts';

// References with a known offset: an HTTP server whose Date header runs `skewMs` ahead of this
// machine's clock, and an SNTP responder doing the same. Against a real nginx on this machine
// the offset must come out as zero within the measurement's own uncertainty.
function skewedHttp(skewMs: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.sendDate = false;
    res.setHeader('date', new Date(wallNow() + skewMs).toUTCString());
    res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${a.port}/`, server });
  }));
}

function ntpTime(buf: Buffer, at: number, ms: number): void {
  const s = Math.floor(ms / 1000);
  buf.writeUInt32BE(s + 2_208_988_800, at);
  buf.writeUInt32BE(Math.floor(((ms - s * 1000) / 1000) * 2 ** 32), at + 4);
}

function skewedNtp(skewMs: number): Promise<{ url: string; sock: Socket }> {
  const sock = createSocket('udp4');
  sock.on('message', (req, rinfo) => {
    const recv = wallNow() + skewMs;
    const res = Buffer.alloc(48);
    res[0] = 0x24; // LI 0, version 4, mode 4 (server)
    res[1] = 2;
    req.copy(res, 24, 40, 48); // originate = the client's transmit time
    ntpTime(res, 32, recv);
    ntpTime(res, 40, wallNow() + skewMs);
    sock.send(res, rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve({ url: `ntp://127.0.0.1:${sock.address().port}`, sock })));
}

describe('clock offset against a reference', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx();
  });
  afterAll(async () => {
    await nginx.stop();
  });

  it('reads a Date header 1,234 ms ahead to within a few ms, though the header has whole seconds', async () => {
    const { url, server } = await skewedHttp(1234);
    try {
      const o = await measureHttpDate(url, { deadlineMs: wallNow() + 10_000 });
      expect(o).toBeDefined();
      expect(o!.uncertaintyMs).toBeLessThan(30);
      expect(Math.abs(o!.offsetMs - 1234)).toBeLessThanOrEqual(o!.uncertaintyMs + 3);
      expect(o!.ref).toMatch(/^http-date http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      server.close();
    }
  });

  it('finds no offset against nginx on the same machine (within its uncertainty)', async () => {
    const o = await measureClockOffset(nginx.url, { deadlineMs: wallNow() + 10_000 });
    expect(o).toBeDefined();
    expect(o!.uncertaintyMs).toBeLessThan(30);
    expect(Math.abs(o!.offsetMs)).toBeLessThanOrEqual(o!.uncertaintyMs + 3);
  });

  it('reads an SNTP server 250 ms behind to within its round trip', async () => {
    const { url, sock } = await skewedNtp(-250);
    try {
      const o = await measureNtp(url, { deadlineMs: wallNow() + 5000 });
      expect(o).toBeDefined();
      expect(o!.samples).toBe(4);
      expect(Math.abs(o!.offsetMs + 250)).toBeLessThanOrEqual(o!.uncertaintyMs + 1);
    } finally {
      sock.close();
    }
  });

  it('says "not measured" (undefined) when the reference does not answer in time', async () => {
    expect(await measureClockOffset('ntp://127.0.0.1:9', { deadlineMs: wallNow() + 300 })).toBeUndefined();
    expect(await measureClockOffset('http://127.0.0.1:9/', { deadlineMs: wallNow() + 300 })).toBeUndefined();
  });
});
