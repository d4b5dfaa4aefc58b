/**
 * Server configuration defaults, in one place. Everything can be overridden by the caller of
 * createApp / startServer; `picco serve` reads PICCO_TEST_PASSWORD (default `picco-test`) and
 * PICCO_SALT (default `picco-hpan-salt`: every process sharing a database must use the same salt,
 * or the same card would get two hpans).
 */
import { randomBytes } from 'node:crypto';
import type { Clock, RandomSource, ServerConfig } from './context.ts';

export const DEFAULT_TEST_PASSWORD = 'picco-test';
export const DEFAULT_SALT = 'picco-hpan-salt';

export function defaultConfig(overrides: Partial<ServerConfig> = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    salt: env['PICCO_SALT'] ?? DEFAULT_SALT,
    testPassword: env['PICCO_TEST_PASSWORD'] ?? DEFAULT_TEST_PASSWORD,
    version: '7.9.0-picco',
    info: {
      min_app_version: { ios: '0.0.0', android: '0.0.0' },
      min_app_version_pagopa: { ios: '0.0.0', android: '0.0.0' },
    },
    sessionTtlSeconds: 30 * 24 * 3600,
    pmSessionTtlSeconds: 30 * 60,
    bodyLimitBytes: 64 * 1024,
    faults: {},
    settingsRefreshMs: 1000,
    ...overrides,
  };
}

/**
 * CSPRNG bytes drawn from a pool refilled 8 KiB at a time (one randomBytes call per ~40 logins
 * instead of five per login; the same generator, each byte handed out once). The slices are
 * views of a pool that is never written again once handed out.
 */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let taken = 0;
function csprngBytes(n: number): Buffer {
  if (n > POOL_BYTES / 8) return randomBytes(n);
  if (taken + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    taken = 0;
  }
  taken += n;
  return pool.subarray(taken - n, taken);
}

/** Tokens from the CSPRNG; simulation dice from Math.random (fast, not security relevant). */
export const systemRandom: RandomSource = {
  float: () => Math.random(),
  bytes: csprngBytes,
};

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * The server's clock from `picco serve --clock`. `INSTANT` starts it at INSTANT and lets it run
 * at real speed: sessions expire, the day turns at midnight, as in December 2020. `fixed:INSTANT`
 * stops it there: every request sees the same instant (nothing ever expires). INSTANT is ISO 8601
 * with a zone (`2020-12-08T10:00:00Z`, `2020-12-08T11:00:00+01:00`) or a date (midnight UTC).
 * `startedAtMs` anchors a running clock: the real time INSTANT corresponds to (default now;
 * `--workers` passes the primary's, so every worker reads the same time). Returns undefined for
 * a value it cannot read. Idempotency leases and rate-limit windows keep real time: they measure
 * durations, not dates.
 *
 * @example
 * parseClock('2020-12-08T10:00:00Z')!.now() // 2020-12-08T10:00:00.000Z, a second later :01
 * parseClock('fixed:2020-12-08')!.now()     // always 2020-12-08T00:00:00.000Z
 */
export function parseClock(value: string, startedAtMs: number = Date.now()): Clock | undefined {
  const fixed = value.startsWith('fixed:');
  const text = fixed ? value.slice('fixed:'.length) : value;
  if (!INSTANT.test(text)) return undefined;
  const at = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(at)) return undefined;
  if (fixed) return { now: () => new Date(at) };
  const offset = at - startedAtMs;
  return { now: () => new Date(Date.now() + offset) };
}
