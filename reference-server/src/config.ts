/**
 * Server configuration defaults, in one place. Everything can be overridden by the caller of
 * createApp / startServer; `picco serve` reads PICCO_TEST_PASSWORD (default `picco-test`) and
 * PICCO_SALT (default `picco-hpan-salt`: every process sharing a database must use the same salt,
 * or the same card would get two hpans).
 */
import { randomBytes } from 'node:crypto';
import type { RandomSource, ServerConfig } from './context.ts';

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

/** Tokens from the CSPRNG; simulation dice from Math.random (fast, not security relevant). */
export const systemRandom: RandomSource = {
  float: () => Math.random(),
  bytes: (n) => randomBytes(n),
};
