/**
 * Card numbers (PAN) unique per (citizen, card index) across the whole population, Luhn-valid.
 *
 * A 16-digit PAN is BIN(6) + account(9) + Luhn(1). The account is a bijection of
 * citizen × 16 + card index (multiplication by a unit modulo 10^9, plus a seed offset), so two
 * cards never share a PAN whatever their BIN, and nothing needs to be remembered to guarantee it.
 * Capacity: 62.5 M citizens × 16 cards, far above 6.5 M × scale 5.
 *
 * @example
 * cardNumber(42, 0, 1) // → '4…' (16 digits, Luhn-valid)
 */
import { luhnCheckDigit } from './check-digits.ts';

const ACCOUNT_SPACE = 1_000_000_000;
/** Odd and not a multiple of 5: a unit modulo 10^9, so the mapping is a bijection. */
const MULTIPLIER = 777_767_777;
export const CARDS_PER_CITIZEN_MAX = 16;

/** Issuer BINs of the circuits IO accepted in Dec 2020 (Visa, Mastercard); Maestro etc. could not be added. */
const BINS = ['453997', '402400', '448590', '471631', '516532', '542418', '530125', '559266'];
export const BRAND_OF_BIN: Record<string, 'VISA' | 'MASTERCARD'> = Object.fromEntries(
  BINS.map((b) => [b, b.startsWith('4') ? 'VISA' : 'MASTERCARD']),
) as Record<string, 'VISA' | 'MASTERCARD'>;

function mulMod(a: number, b: number, m: number): number {
  // a, b < 1e9: split b to stay within 2^53
  const hi = Math.floor(b / 100_000);
  const lo = b % 100_000;
  return (((a * hi) % m) * 100_000 + a * lo) % m;
}

export function cardNumber(citizen: number, cardIndex: number, seed: number): string {
  const n = citizen * CARDS_PER_CITIZEN_MAX + cardIndex;
  const offset = mulMod(seed % ACCOUNT_SPACE, 104_729, ACCOUNT_SPACE);
  const account = (mulMod(n % ACCOUNT_SPACE, MULTIPLIER, ACCOUNT_SPACE) + offset) % ACCOUNT_SPACE;
  const bin = BINS[(citizen + cardIndex) % BINS.length]!;
  const payload = bin + String(account).padStart(9, '0');
  return payload + String(luhnCheckDigit(payload));
}

/** One changed digit: always caught by Luhn (a single-digit error never keeps the sum). */
export function withTypo(pan: string, position: number): string {
  const p = 6 + (position % (pan.length - 7));
  const d = (pan.charCodeAt(p) - 48 + 1 + (position % 8)) % 10;
  return pan.slice(0, p) + String(d) + pan.slice(p + 1);
}
