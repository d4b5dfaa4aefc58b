/**
 * The reference server as a verify target on a loopback port, optionally wrapped in Hono
 * middleware that breaks one behaviour (the mutants the verify tests must catch). The clock is
 * set inside the first award period (8 Dec 2020, moving with real time), so the cashback rules
 * can be exercised; everything else is the real createApp on real SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono, type MiddlewareHandler } from 'hono';
import { serve } from '@hono/node-server';
import { Registry } from 'prom-client';
import { createApp } from '../../reference-server/src/app.ts';
import { defaultConfig, systemRandom } from '../../reference-server/src/config.ts';
import { createStorage } from '../../reference-server/src/storage/index.ts';

export interface Target {
  url: string;
  /** Requests the target received, by `METHOD path` (path without query). */
  seen: Map<string, number>;
  close(): Promise<void>;
}

export const DEC_8_2020 = Date.parse('2020-12-08T09:00:00Z');

export async function startTarget(mutant?: MiddlewareHandler, o: { clockStartMs?: number } = {}): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'picco-verify-target-'));
  const storage = await createStorage(`sqlite:${join(dir, 'db.sqlite')}`);
  const t0 = Date.now();
  const base = o.clockStartMs ?? DEC_8_2020;
  const reference = await createApp({
    storage, clock: { now: () => new Date(base + (Date.now() - t0)) }, random: systemRandom, registry: new Registry(),
    config: defaultConfig({}), defaultMetrics: false,
  });
  const seen = new Map<string, number>();
  const outer = new Hono();
  outer.use('*', async (c, next) => {
    const k = `${c.req.method} ${new URL(c.req.url).pathname}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
    await next();
  });
  if (mutant !== undefined) outer.use('*', mutant);
  outer.all('*', (c) => reference.app.fetch(c.req.raw));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
