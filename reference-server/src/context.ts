/**
 * What every handler can reach: the injected dependencies (AppDeps), the metrics, the downstream
 * services and the run-time settings, plus the per-request variables set by the route and auth
 * middlewares. Handlers receive it through Hono's typed context (`c.get('ctx')`), so nothing is a
 * module-level singleton and two apps in one process (tests) never share state.
 */
import type { Registry } from 'prom-client';
import type { Storage } from './storage/storage.ts';
import type { WriteHit } from './idempotency/store.ts';
import type { Downstream } from './downstream/services.ts';
import type { FaultsProfile } from './downstream/faults.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RuntimeSettings } from './settings.ts';
import type { Architecture2020 } from './architecture-2020/config.ts';

export interface Clock {
  now(): Date;
}

export interface RandomSource {
  /** Uniform in [0, 1). */
  float(): number;
  bytes(n: number): Buffer;
}

export interface VersionPerPlatform {
  ios: string;
  android: string;
}

export interface AppInfo {
  min_app_version: VersionPerPlatform;
  min_app_version_pagopa: VersionPerPlatform;
}

export interface ServerConfig {
  /** Salt of hpan = sha256(PAN + salt). */
  salt: string;
  /** Password of POST /test-login (PICCO_TEST_PASSWORD, default `picco-test`). */
  testPassword: string;
  /** Server version reported by /info. */
  version: string;
  /** min_app_version values at start; PUT /__picco/info changes them at run time. */
  info: AppInfo;
  /** io-backend session lifetime (the real default was 30 days). */
  sessionTtlSeconds: number;
  /** PM session lifetime; on expiry the app calls start-session again. */
  pmSessionTtlSeconds: number;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** Faults profile at start; PUT /__picco/faults replaces it at run time. */
  faults: FaultsProfile;
  /** How often a process re-reads shared run-time settings from storage. */
  settingsRefreshMs: number;
}

export interface AppDeps {
  storage: Storage;
  clock: Clock;
  random: RandomSource;
  registry: Registry;
  config: ServerConfig;
  /** Builds the downstream services; default: the simulators configured by config.faults. */
  downstream?: (metrics: ServerMetrics, random: () => number) => Downstream;
  /** One JSON line per request when given (off by default). Never receives sensitive fields. */
  log?: (line: string) => void;
  /** Collect Node's default process metrics on the registry (default true). */
  defaultMetrics?: boolean;
  /**
   * Options of the resilience layer (admission control, per-token rate limit, Idempotency-Key);
   * `env` replaces process.env as the source of PICCO_ADMISSION / PICCO_RATE_LIMIT_* (tests).
   */
  resilience?: { env?: NodeJS.ProcessEnv };
  /**
   * Build the server the way the 2020 system was (architecture-2020/config.ts): fixed pools
   * that wait without limit, no bulkhead, no admission control. Default: the resilient server.
   */
  architecture?: Architecture2020;
}

export interface AppContext {
  storage: Storage;
  clock: Clock;
  random: RandomSource;
  config: ServerConfig;
  metrics: ServerMetrics;
  downstream: Downstream;
  settings: RuntimeSettings;
  registry: Registry;
}

export type AppEnv = {
  Variables: {
    ctx: AppContext;
    /** Route pattern as in openapi.yaml, e.g. `POST /pp-restapi-CD/v1/wallet/cc`. */
    route: string;
    fiscalCode: string;
    sessionId: string;
    /** A write hit left for the route's store write to take (rate-limit.ts `writeCounted`). */
    writeHit: PendingWriteHit | undefined;
  };
};

/** A write hit on its way to the store; `outcome` says whether it was taken, and how it counted. */
export interface PendingWriteHit extends WriteHit {
  outcome: 'within' | 'over' | undefined;
}
