/**
 * GET /info (public): the minimum app versions. Configurable at start and at run time
 * (PUT /__picco/info) because the mandatory update of 7 Dec 2020 is part of the scenarios.
 * Also the CDN status file the app polled every 60 s (/status/backend.json), static here.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';

export function getInfo(c: Context<AppEnv>): Response {
  const ctx = c.get('ctx');
  const info = ctx.settings.info;
  return c.json({ version: ctx.config.version, min_app_version: info.min_app_version,
    min_app_version_pagopa: info.min_app_version_pagopa }, 200);
}

const section = (it: string, en: string) => ({ is_visible: false, level: 'normal', message: { 'it-IT': it, 'en-EN': en } });

export function getBackendStatus(c: Context<AppEnv>): Response {
  return c.json({
    is_alive: true,
    message: { 'it-IT': '', 'en-EN': '' },
    config: { bpd_ranking: true },
    sections: {
      wallets: section('', ''), credit_card: section('', ''), bancomat: section('', ''), bancomatpay: section('', ''),
      satispay: section('', ''), digital_payments: section('', ''), cashback: section('', ''), login: section('', ''),
      ingress: section('', ''), messages: section('', ''), services: section('', ''), email_validation: section('', ''),
    },
  }, 200);
}
