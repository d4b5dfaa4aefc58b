/**
 * F6, cashback onboarding: GET /bpd/io/citizen (404 = never enrolled), PUT /bpd/io/citizen
 * (accept T&C), PATCH the IBAN with the profile's holder (OK / KO / UNKNOWN_PSP, 400 = invalid:
 * re-enter it), then PUT /bpd/io/payment-instruments/{hpan} for every BPD-capable method in the
 * wallet (409: used by another citizen, "non attivabile"; 403: citizen not enabled).
 *
 * @example
 * await enrollCashback(c, ctx, session, citizen, identity);
 */
import type { Journey, JourneyClient } from '../../harness/scenario/types.ts';
import type { Identity } from '../population.ts';
import { type AppSession, type JourneyContext, bpd, openApp, profile, riprova, think } from './app-client.ts';
import { type WalletItem, loadWallet } from './open-wallet.ts';

async function patchIban(c: JourneyClient, s: AppSession, id: Identity, value: string) {
  return bpd(c, s, {
    method: 'PATCH',
    path: '/bpd/io/citizen',
    endpoint: 'PATCH /bpd/io/citizen',
    body: JSON.stringify({
      payoffInstr: value,
      payoffInstrType: 'IBAN',
      accountHolderCF: id.fiscalCode,
      accountHolderName: id.name,
      accountHolderSurname: id.familyName,
    }),
    expect: [200, 400],
  });
}

/** Enables cashback on each BPD-capable method; returns how many were enabled. */
export async function enableInstruments(c: JourneyClient, s: AppSession, items: readonly WalletItem[]): Promise<number> {
  let enabled = 0;
  for (const w of items) {
    if (!w.bpd || !w.hashPan) continue;
    const r = await bpd(c, s, {
      method: 'PUT',
      path: `/bpd/io/payment-instruments/${w.hashPan}`,
      endpoint: 'PUT /bpd/io/payment-instruments/{hpan}',
      expect: [200, 409],
    });
    if (r.status === 200) {
      enabled++;
      c.count('instruments_enabled');
    } else if (r.status === 409) c.count('instrument_409');
    else if (r.status === 403) c.count('instrument_403');
    else c.count('instrument_enable_failed');
  }
  return enabled;
}

export async function enrollCashback(
  c: JourneyClient,
  ctx: JourneyContext,
  s: AppSession,
  citizen: number,
  id: Identity,
): Promise<boolean> {
  const g = await bpd(c, s, { method: 'GET', path: '/bpd/io/citizen', endpoint: 'GET /bpd/io/citizen', expect: [200, 404] });
  const wasEnabled = g.status === 200 && (g.json as { enabled?: unknown } | undefined)?.enabled === true;
  await c.sleep(think(ctx, 6_000)); // T&C and the declaration
  for (let attempt = 1; ; attempt++) {
    const r = await bpd(c, s, { method: 'PUT', path: '/bpd/io/citizen', endpoint: 'PUT /bpd/io/citizen' });
    if (r.status === 200) break;
    c.count('enroll_failed');
    if (!(await riprova(c, ctx, citizen, attempt))) return false;
  }
  c.count(wasEnabled ? 'enrollments_repeated' : 'enrollments');
  // IBAN: the profile gives the holder
  await profile(c, s.io);
  await c.sleep(think(ctx, 8_000));
  if (ctx.population.typoIban(citizen)) {
    const bad = await patchIban(c, s, id, ctx.population.mistypedIban(citizen));
    c.count('iban_typo');
    c.check('mistyped IBAN rejected', bad.status === 400);
    await c.sleep(think(ctx, 5_000));
  }
  const r = await patchIban(c, s, id, ctx.population.iban(citizen));
  const status = (r.json as { validationStatus?: unknown } | undefined)?.validationStatus;
  if (r.status === 200 && status === 'OK') c.count('iban_ok');
  else if (r.status === 200 && status === 'KO') c.count('iban_ko');
  else if (r.status === 200 && status === 'UNKNOWN_PSP') c.count('iban_unknown_psp');
  else if (r.status === 400) c.count('iban_invalid');
  else c.count('iban_failed');
  // activation list
  const items = await loadWallet(c, ctx, s, citizen);
  if (!items) return true;
  await enableInstruments(c, s, items);
  return true;
}

export const enrollCashbackJourney: Journey<JourneyContext> = {
  name: 'enroll-cashback',
  async run(c, arrival, ctx) {
    const id = ctx.population.identity(arrival.citizen);
    const s = await openApp(c, ctx, id.fiscalCode);
    if (!s) return;
    await enrollCashback(c, ctx, s, arrival.citizen, id);
  },
};
