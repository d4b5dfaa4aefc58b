/**
 * F4, add PagoBancomat: GET /v1/bancomat/pans (all processors; ?abi=<bank> after a processor
 * error; the bank list itself came from the CDN since 7 Dec, so it costs the backend nothing), evaluate the processors' message codes, then
 * POST /v1/bancomat/add-wallets one card at a time and check a returned wallet carries the card's
 * hpan. Codes 0 / 21 / 23 are normal; any other code is a processor error, and the app asks the
 * citizen to pick their bank, which the journey does by searching again with the ABI.
 *
 * @example
 * await addPagoBancomat(c, ctx, session, citizen);
 */
import type { Journey, JourneyClient } from '../../harness/scenario/types.ts';
import { type AppSession, type JourneyContext, data, dataArray, openApp, pm, riprova, think } from './app-client.ts';

const NORMAL_CODES = new Set([0, 21, 23]);

interface PanSearch {
  cards: Record<string, unknown>[];
  processorError: boolean;
}

async function searchPans(c: JourneyClient, s: AppSession, abi: string | undefined): Promise<PanSearch | undefined> {
  const r = await pm(c, s, {
    method: 'GET',
    path: abi ? `/v1/bancomat/pans?abi=${abi}` : '/v1/bancomat/pans',
    endpoint: 'GET /v1/bancomat/pans',
    expect: [200],
  });
  if (r.status !== 200) return undefined;
  const d = data(r) ?? {};
  const cards = Array.isArray(d.data) ? (d.data as Record<string, unknown>[]) : [];
  const messages = Array.isArray(d.messages) ? (d.messages as { code?: unknown }[]) : [];
  const processorError = messages.some((m) => typeof m.code === 'number' && !NORMAL_CODES.has(m.code));
  return { cards, processorError };
}

/** Returns the number of PagoBancomat cards added. */
export async function addPagoBancomat(
  c: JourneyClient,
  ctx: JourneyContext,
  s: AppSession,
  citizen: number,
): Promise<number> {
  const abi = ctx.population.bankAbi(citizen);
  // the app searches every processor first; after a processor error the citizen picks their bank
  let search: PanSearch | undefined;
  let useAbi = false;
  for (let attempt = 1; ; attempt++) {
    search = await searchPans(c, s, useAbi ? abi : undefined);
    if (search && !search.processorError) break;
    if (search?.processorError && !useAbi) {
      c.count('pagobancomat_processor_error');
      useAbi = true;
      continue;
    }
    c.count('pagobancomat_search_failed');
    if (!(await riprova(c, ctx, citizen, attempt))) return 0;
  }
  if (search.cards.length === 0) {
    c.count('pagobancomat_none_found');
    return 0;
  }
  let added = 0;
  for (const card of search.cards) {
    await c.sleep(think(ctx, 2_000));
    const r = await pm(c, s, {
      method: 'POST',
      path: '/v1/bancomat/add-wallets',
      endpoint: 'POST /v1/bancomat/add-wallets',
      body: JSON.stringify({ data: { data: [card] } }),
    });
    const ok = dataArray(r).some((w) => {
      const info = (w.info ?? {}) as Record<string, unknown>;
      return info.hashPan === card.hpan;
    });
    c.check('pagobancomat listed after add', ok);
    if (ok) {
      added++;
      c.count('pagobancomat_added');
    } else c.count('pagobancomat_add_failed');
  }
  return added;
}

export const addPagoBancomatJourney: Journey<JourneyContext> = {
  name: 'add-pagobancomat',
  async run(c, arrival, ctx) {
    const s = await openApp(c, ctx, ctx.population.fiscalCode(arrival.citizen));
    if (!s) return;
    await c.sleep(think(ctx, 3_000));
    await addPagoBancomat(c, ctx, s, arrival.citizen);
  },
};
