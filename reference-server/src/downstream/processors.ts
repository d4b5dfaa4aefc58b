/**
 * The PagoBancomat card processors (ICCREA, NEXI, SIA) as picco simulates them. Which cards a
 * citizen holds is a pure function of the fiscal code (a hash), so every process, every run and
 * every test agrees without storing anything: about half the citizens are customers of a given
 * processor, a customer has one or two cards (or none: code 23), about 5 % of cards are blocked
 * (validityState BR). The fan-out search calls each processor's SimulatedService, so latency,
 * queueing and errors come from the faults profile. Result codes as the app read them: 0 found,
 * 21 customer not found, 23 card not found, anything else a processor error (picco uses 99 for
 * an error or timeout of the simulated processor).
 *
 * @example
 * const r = await searchPans(services, cf, salt, undefined); // all three processors
 */
import { createHash } from 'node:crypto';
import { BANKS, PROCESSORS, type Processor, bankByAbi } from '../wallet/abi-list.ts';
import { hashPan, luhnCheckDigit, maskPan } from '../wallet/card-number.ts';
import type { SimulatedService } from './simulator.ts';

export const PROCESSOR_OK = 0;
export const PROCESSOR_CUSTOMER_NOT_FOUND = 21;
export const PROCESSOR_CARD_NOT_FOUND = 23;
export const PROCESSOR_ERROR = 99;

export interface BancomatCard {
  abi: string;
  /** Opaque reference to the card (not the PAN), as the processors returned an encrypted number. */
  cardNumber: string;
  cardPartialNumber: string;
  expiringDate: string;
  hpan: string;
  productType: 'PP' | 'DEB';
  tokens: string[];
  validityState: 'V' | 'BR';
  maskedPan: string;
}

export interface ProcessorMessage {
  caName: Processor;
  cardsNumber: number;
  code: number;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The cards a citizen holds at a processor, or undefined when not a customer there. */
export function cardsAt(processor: Processor, fiscalCode: string, salt: string): BancomatCard[] | undefined {
  const h = digest(`picco-bancomat:${processor}:${fiscalCode}`);
  if ((h[0] as number) < 128) return undefined; // not a customer (half of them)
  const n = (h[1] as number) % 5 === 0 ? 0 : 1 + ((h[2] as number) % 2);
  const banks = BANKS.filter((b) => b.processor === processor);
  const cards: BancomatCard[] = [];
  for (let i = 0; i < n; i++) {
    const c = digest(`picco-bancomat-card:${processor}:${fiscalCode}:${i}`);
    let body = '6';
    for (let k = 0; k < 14; k++) body += String((c[k] as number) % 10);
    const pan = body + luhnCheckDigit(body);
    const bank = banks[(c[20] as number) % banks.length] as (typeof banks)[number];
    const year = 2022 + ((c[21] as number) % 5);
    const month = 1 + ((c[22] as number) % 12);
    cards.push({
      abi: bank.abi,
      cardNumber: digest(`picco-card-ref:${pan}`).toString('base64url').slice(0, 24),
      cardPartialNumber: pan.slice(-4),
      expiringDate: `${year}-${String(month).padStart(2, '0')}-28`,
      hpan: hashPan(pan, salt),
      productType: (c[23] as number) % 3 === 0 ? 'DEB' : 'PP',
      tokens: [],
      validityState: (c[24] as number) % 20 === 0 ? 'BR' : 'V',
      maskedPan: maskPan(pan),
    });
  }
  return cards;
}

/** Every PagoBancomat card of a citizen, across processors (used to validate add-wallets). */
export function allCards(fiscalCode: string, salt: string): BancomatCard[] {
  return PROCESSORS.flatMap((p) => cardsAt(p, fiscalCode, salt) ?? []);
}

export async function searchPans(
  services: Record<Processor, SimulatedService>,
  fiscalCode: string,
  salt: string,
  abi: string | undefined,
): Promise<{ cards: BancomatCard[]; messages: ProcessorMessage[] }> {
  const targets = abi === undefined ? PROCESSORS : [bankByAbi(abi)?.processor].filter((p): p is Processor => p !== undefined);
  const results = await Promise.all(targets.map(async (p): Promise<{ cards: BancomatCard[]; message: ProcessorMessage }> => {
    try {
      await services[p].call();
    } catch {
      return { cards: [], message: { caName: p, cardsNumber: 0, code: PROCESSOR_ERROR } };
    }
    const held = cardsAt(p, fiscalCode, salt);
    if (held === undefined) return { cards: [], message: { caName: p, cardsNumber: 0, code: PROCESSOR_CUSTOMER_NOT_FOUND } };
    const cards = abi === undefined ? held : held.filter((c) => c.abi === abi);
    return { cards, message: { caName: p, cardsNumber: cards.length, code: cards.length > 0 ? PROCESSOR_OK : PROCESSOR_CARD_NOT_FOUND } };
  }));
  return { cards: results.flatMap((r) => r.cards), messages: results.map((r) => r.message) };
}
