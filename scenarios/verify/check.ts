/**
 * What a behaviour check is: a name a vendor can search for, the rule it holds the backend to,
 * and a run that either returns (pass) or throws CheckFailed with the reason in one sentence
 * ("the second POST /v1/wallet/cc of the same card answered 201, expected 422
 * creditcard.already_exists"). Checks create their own citizens (fresh fiscal codes from a
 * per-run seed), so they never depend on each other or on data already in the vendor's database,
 * and they speak through the scenarios' app helpers, as the December journeys do.
 *
 * @example
 * const duplicateCard: Check = { name: 'duplicate-card-422', rule: '...', async run(x) { ... } };
 */
import { PiccoError } from '../../harness/errors.ts';
import type { ResponseResult } from '../../harness/scenario/types.ts';
import type { AppSession, JourneyContext } from '../journeys/app-client.ts';
import { bpd, data, openApp, pm } from '../journeys/app-client.ts';
import { addCreditCard } from '../journeys/add-card.ts';
import { loadWallet } from '../journeys/open-wallet.ts';
import type { Identity, Population } from '../population.ts';
import type { VerifyClient } from './client.ts';
import type { Contract } from './contract.ts';

export class CheckFailed extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_CHECK_FAILED', message, options);
  }
}

/** A check that cannot apply to this backend (e.g. it offers no Idempotency-Key). */
export class CheckSkipped extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_CHECK_SKIPPED', message, options);
  }
}

export function fail(reason: string): never {
  throw new CheckFailed(reason);
}

export interface CheckContext {
  c: VerifyClient;
  subjects: Subjects;
  contract: Contract;
}

export interface Check {
  name: string;
  /** The rule, as a vendor would read it in the report. */
  rule: string;
  run(x: CheckContext): Promise<void>;
}

/** The error code of an error envelope: `code`, or `message` as the real PM answered it. */
export function errorCode(r: ResponseResult): string {
  const j = r.json as { code?: unknown; message?: unknown } | undefined;
  if (j === undefined || j === null || typeof j !== 'object') return '';
  return [j.code, j.message].filter((x): x is string => typeof x === 'string').join(' ');
}

export function describe(r: ResponseResult): string {
  if (r.status === 0) return `failed at the transport (${r.failure ?? 'other'})`;
  const j = r.json as { code?: unknown; message?: unknown } | undefined;
  const code = j !== null && typeof j === 'object' ? (typeof j.code === 'string' ? j.code : typeof j.message === 'string' ? j.message : '') : '';
  return `answered ${r.status}${code !== '' ? ` ${code}` : ''}`;
}

export interface Citizen {
  index: number;
  id: Identity;
  s: AppSession;
}

export interface Card {
  idWallet: number;
  hpan: string;
  pan: string;
}

/** Fresh citizens and the setup steps checks share (session, enrolment, a verified card). */
export class Subjects {
  private next: number;

  constructor(
    readonly c: VerifyClient,
    readonly ctx: JourneyContext,
    readonly pop: Population,
    start: number,
  ) {
    this.next = start;
  }

  async citizen(): Promise<Citizen> {
    const index = this.next++;
    const id = this.pop.identity(index);
    const s = await openApp(this.c, this.ctx, id.fiscalCode);
    if (s === undefined) fail('a test citizen could not open the app (POST /test-login, GET /api/v1/session, PM start-session): see the contract findings');
    return { index, id, s };
  }

  async enroll(z: Citizen): Promise<void> {
    const r = await bpd(this.c, z.s, { method: 'PUT', path: '/bpd/io/citizen', endpoint: 'PUT /bpd/io/citizen', expect: [200] });
    if (r.status !== 200) fail(`PUT /bpd/io/citizen (enrol in cashback) ${describe(r)}, expected 200`);
  }

  /** Adds credit card k through the app's four steps; returns its wallet id and HPAN. */
  async addCard(z: Citizen, k = 0): Promise<Card> {
    const outcome = await addCreditCard(this.c, this.ctx, z.s, z.index, k, `${z.id.name} ${z.id.familyName}`, 'new');
    if (outcome !== 'added') fail(`adding a new credit card through the four PM steps ended '${outcome}', expected the card listed in GET /v2/wallet`);
    const pan = this.pop.creditCard(z.index, k).pan;
    const items = (await loadWallet(this.c, this.ctx, z.s, z.index)) ?? [];
    const item = items.find((w) => w.lastFour === pan.slice(-4) && w.hashPan !== undefined);
    if (item === undefined) fail('GET /v2/wallet does not list the card just added with its hashPan');
    return { idWallet: item.idWallet, hpan: item.hashPan!, pan };
  }

  async enable(z: Citizen, hpan: string): Promise<ResponseResult> {
    return bpd(this.c, z.s, { method: 'PUT', path: `/bpd/io/payment-instruments/${hpan}`, endpoint: 'PUT /bpd/io/payment-instruments/{hpan}', expect: [200] });
  }

  async instrument(z: Citizen, hpan: string): Promise<ResponseResult> {
    return bpd(this.c, z.s, { method: 'GET', path: `/bpd/io/payment-instruments/${hpan}`, endpoint: 'GET /bpd/io/payment-instruments/{hpan}', expect: [200, 404, 409] });
  }

  async wallet(z: Citizen): Promise<ResponseResult> {
    return pm(this.c, z.s, { method: 'GET', path: '/v2/wallet', endpoint: 'GET /v2/wallet', expect: [200] });
  }

  cardBody(z: Citizen, k = 0): string {
    const card = this.pop.creditCard(z.index, k);
    return JSON.stringify({ data: { type: 'CREDIT_CARD', favourite: false, creditCard: { pan: card.pan, holder: `${z.id.name} ${z.id.familyName}`, expireMonth: card.expireMonth, expireYear: card.expireYear, securityCode: card.securityCode } } });
  }
}

export { data };
