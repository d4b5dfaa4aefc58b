/**
 * The only place that listens. startServer() opens the storage named by `db` (a temp SQLite file
 * when omitted, removed at close), builds the app with a fresh prom-client Registry and serves it
 * with @hono/node-server. It returns the URL and a close() that stops accepting, ends idle
 * keep-alive connections and closes the storage, so `picco serve`, tests and the engine's embedded
 * server all start and stop it the same way.
 *
 * @example
 * const server = await startServer({ port: 0 });
 * console.log(server.url); // http://127.0.0.1:43123
 * await server.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Registry } from 'prom-client';
import { createApp, type ReferenceApp } from './app.ts';
import { defaultConfig, systemRandom } from './config.ts';
import { createStorage } from './storage/index.ts';
import { gatedServeOptions } from './admission/install.ts';
import type { Clock, ServerConfig } from './context.ts';
import type { FaultsProfile } from './downstream/faults.ts';
import type { Storage } from './storage/storage.ts';
import type { Architecture2020 } from './architecture-2020/config.ts';

export interface StartOptions {
  port?: number;
  host?: string;
  /** `sqlite:PATH` or a `postgres://` URL; a temp SQLite file when omitted. */
  db?: string;
  faults?: FaultsProfile;
  config?: Partial<ServerConfig>;
  /** One JSON line per request (off when omitted). */
  log?: (line: string) => void;
  /** The app's clock (default: the system clock); `picco serve --clock` and tests replay December 2020 with it. */
  clock?: Clock;
  /** Source of PICCO_ADMISSION / PICCO_RATE_LIMIT_* instead of process.env (tests, benchmarks). */
  resilienceEnv?: NodeJS.ProcessEnv;
  /** `picco serve --architecture 2020 [--rate-scale F]`: the server as the 2020 system was built. */
  architecture?: Architecture2020;
}

export interface RunningServer {
  url: string;
  port: number;
  reference: ReferenceApp;
  storage: Storage;
  close(): Promise<void>;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  let tempDir: string | undefined;
  let db = opts.db;
  if (db === undefined) {
    tempDir = mkdtempSync(join(tmpdir(), 'picco-serve-'));
    db = `sqlite:${join(tempDir, 'picco.sqlite')}`;
  }
  const storage = await createStorage(db);
  const config = defaultConfig({ ...opts.config, ...(opts.faults !== undefined ? { faults: opts.faults } : {}) });
  const clock = opts.clock ?? { now: () => new Date() };
  const reference = await createApp({
    storage, clock, random: systemRandom, registry: new Registry(), config,
    ...(opts.log !== undefined ? { log: opts.log } : {}),
    ...(opts.resilienceEnv !== undefined ? { resilience: { env: opts.resilienceEnv } } : {}),
    ...(opts.architecture !== undefined ? { architecture: opts.architecture } : {}),
  });
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: reference.app.fetch, port: opts.port ?? 8080, hostname: host, ...gatedServeOptions(reference.app) },
      () => resolve(s as Server));
    (s as Server).once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  // Expiry is judged by the app's clock: tokens minted at a --clock instant expire by that clock.
  const purge = setInterval(() => { storage.purgeExpired(clock.now()).catch(() => undefined); }, 60_000);
  purge.unref();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    reference,
    storage,
    close() {
      closing ??= (async () => {
        clearInterval(purge);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2000).unref();
        });
        await storage.close();
        if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
