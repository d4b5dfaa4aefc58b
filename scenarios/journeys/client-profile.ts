/**
 * How the IO app behaved around the 7 Dec 2020 surge, as two client profiles a run picks with
 * `--client 2020-12-07 | fixed` (default `fixed`). Both press "riprova" by hand and re-add the
 * cards the update hid, as citizens did; they differ where the app's code changed
 * (domain brief, "Client retry behaviour" and "What changed"):
 *
 * | behaviour                          | 2020-12-07 (1.12)                 | fixed (1.16)                        |
 * |------------------------------------|-----------------------------------|-------------------------------------|
 * | PM timeout, automatic retry        | 16 s, none (since 3 Dec, ffce56d4) | 16 s, none                          |
 * | wait before a "riprova"            | the citizen's 1 s only            | 2-4-8-16 s backoff (9a16896c, b469b632, 2d4a382a) |
 * | wallet list that fails to load     | empty: the cards seem gone        | the persisted list (675c1ee6, 898fecac) |
 * | PM session refresh                 | every caller refreshes            | single flight, others fail fast (SessionManager) |
 * | a 401 from io-backend or PM start-session | logged out: SPID login again at once | logged out: login again after the backoff |
 *
 * Single flight only changes anything when one citizen has several PM calls in flight; the
 * journeys are sequential per citizen, so here it is recorded, not exercised.
 *
 * @example
 * const ctx = { ...contextFor(o), client: clientProfile('2020-12-07') };
 */
import type { WalletItem } from './open-wallet.ts';

export const CLIENT_NAMES = ['fixed', '2020-12-07'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

export interface ClientProfile {
  name: ClientName;
  /** Wait 2^attempt s (2..16) before a retry; else only the citizen's own second. */
  backoff: boolean;
  /** Show the persisted wallet list when GET /v2/wallet fails. */
  walletCache: WalletCache | undefined;
  /** Only one PM session refresh in flight per session. */
  singleFlightRefresh: boolean;
}

/** The persisted wallet list of each citizen's phone: the last list that loaded. */
export class WalletCache {
  private readonly lists = new Map<number, WalletItem[]>();
  constructor(private readonly capacity = 200_000) {}
  get(citizen: number): WalletItem[] | undefined {
    return this.lists.get(citizen);
  }
  put(citizen: number, items: WalletItem[]): void {
    if (this.lists.size >= this.capacity && !this.lists.has(citizen)) {
      const oldest = this.lists.keys().next();
      if (oldest.done !== true) this.lists.delete(oldest.value);
    }
    this.lists.set(citizen, items);
  }
}

export function clientProfile(name: string | undefined): ClientProfile {
  if (name === '2020-12-07') return { name, backoff: false, walletCache: undefined, singleFlightRefresh: false };
  return { name: 'fixed', backoff: true, walletCache: new WalletCache(), singleFlightRefresh: true };
}
