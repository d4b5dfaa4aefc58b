/**
 * Backends that compute cashback wrongly, built as proxies in front of the real reference server
 * (a spawned `picco serve --clock ...`). Three keep their own ledger of what the acquirer fed
 * (POST /__picco/acquirer/transactions, with the server's outcome per transaction) and of which
 * hpans each bpdToken enabled, and answer GET total-cashback from it by a wrong rule, as a vendor
 * with a bug in its scoring would; the fourth pays the award below the minimum number of
 * transactions. `picco verify`'s cashback-totals check must reject each, for the named reason.
 */
import type { Context, MiddlewareHandler } from 'hono';

const PERIOD_CAP_CENTS = 150_00;
const TRX_CAP_CENTS = 15_00;

interface Fed {
  amountCents: number;
  /** The server's outcome: `accepted`, or `not_active` for a payment on the activation day. */
  outcome: string;
}

type Rule = (fed: Fed[]) => { cents: number; n: number };

const pathOf = (c: Context) => new URL(c.req.url).pathname;
const tenPercent = (cents: number) => Math.round(cents / 10);

/** Answers total-cashback by `rule` over the caller's ledger; everything else goes to the server. */
function ledger(rule: Rule): MiddlewareHandler {
  const hpansOf = new Map<string, Set<string>>();
  const fedFor = new Map<string, Fed[]>();
  return async (c, next) => {
    const path = pathOf(c);
    const token = c.req.header('authorization') ?? '';
    if (c.req.method === 'POST' && path === '/__picco/acquirer/transactions') {
      const body = (await c.req.raw.clone().json()) as { transactions: Array<{ hpan: string; amount: number }> };
      await next();
      const res = (await c.res.clone().json()) as { results?: Array<{ outcome: string }> };
      body.transactions.forEach((t, i) => {
        const list = fedFor.get(t.hpan.toLowerCase()) ?? [];
        list.push({ amountCents: Math.round(t.amount * 100), outcome: res.results?.[i]?.outcome ?? 'unknown' });
        fedFor.set(t.hpan.toLowerCase(), list);
      });
      return;
    }
    const enable = /^\/bpd\/io\/payment-instruments\/([0-9a-fA-F]{64})$/.exec(path);
    if (c.req.method === 'PUT' && enable !== null) {
      await next();
      if (c.res.status === 200) hpansOf.set(token, (hpansOf.get(token) ?? new Set()).add(enable[1]!.toLowerCase()));
      return;
    }
    await next();
    if (c.req.method === 'GET' && path === '/bpd/io/winning-transactions/total-cashback' && c.res.status === 200) {
      const fed = [...(hpansOf.get(token) ?? [])].flatMap((h) => fedFor.get(h) ?? []);
      const { cents, n } = rule(fed);
      c.res = Response.json({ totalCashback: cents / 100, transactionNumber: n }, { status: 200 });
    }
  };
}

const accepted = (fed: Fed[]) => fed.filter((f) => f.outcome === 'accepted');

/** 10 % of every purchase, without the €15 cap per transaction (the €150 period cap kept). */
export const ignoresTransactionCap = ledger((fed) => ({
  cents: Math.min(accepted(fed).reduce((s, f) => s + tenPercent(f.amountCents), 0), PERIOD_CAP_CENTS), n: accepted(fed).length,
}));

/** €15 cap per transaction kept, the €150 cap per period forgotten. */
export const ignoresPeriodCap = ledger((fed) => ({
  cents: accepted(fed).reduce((s, f) => s + Math.min(tenPercent(f.amountCents), TRX_CAP_CENTS), 0), n: accepted(fed).length,
}));

/** Counts the payment made on the instrument's activation day (the server refused it as not active). */
export const countsActivationDay = ledger((fed) => {
  const all = fed.filter((f) => f.outcome === 'accepted' || f.outcome === 'not_active');
  return { cents: Math.min(all.reduce((s, f) => s + Math.min(tenPercent(f.amountCents), TRX_CAP_CENTS), 0), PERIOD_CAP_CENTS), n: all.length };
});

/** Pays the award whatever the number of transactions: the 10-transaction minimum of period 1 ignored. */
export const ignoresMinimum: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.req.method === 'GET' && pathOf(c) === '/__picco/bpd/award' && c.res.status === 200) {
    const j = (await c.res.clone().json()) as Record<string, unknown>;
    c.res = Response.json({ ...j, eligible: true, award: j['totalCashback'] }, { status: 200 });
  }
};

export interface CashbackMutant {
  name: string;
  middleware: MiddlewareHandler;
  reason: RegExp;
}

export const CASHBACK_MUTANTS: readonly CashbackMutant[] = [
  { name: 'ignores the €15 cap per transaction', middleware: ignoresTransactionCap,
    reason: /after 9 purchases total-cashback is €101\.49, the rules give €78\.45 \(10 % per purchase, capped at €15\)/ },
  { name: 'ignores the €150 cap per period', middleware: ignoresPeriodCap,
    reason: /with €153\.45 of cashback earned total-cashback is €153\.45, the rules give €150\.00 \(capped at €150 per period\)/ },
  { name: 'counts the payment on the activation day', middleware: countsActivationDay,
    reason: /after 9 purchases \(plus one on the activation day, which does not count\) total-cashback says transactionNumber 10, expected 9/ },
  { name: 'ignores the 10-transaction minimum', middleware: ignoresMinimum,
    reason: /the award readout says eligible with 9 transactions, the minimum is 10/ },
];
