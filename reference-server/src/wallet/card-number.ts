/**
 * Card data rules applied before anything is stored: PAN digits and Luhn, expiry not in the
 * past (the app's rule: expired when year < YY, or same year and month < current month), CVV
 * length by brand. Then the PAN is reduced to what may be kept: hpan = sha256(PAN + salt) in
 * lowercase hex (as PagoPA's acquirer files and the PM did), the masked PAN and the last four.
 * The PAN and CVV go no further than this module's callers' stack frames.
 *
 * @example
 * luhnValid('4242424242424242') // true
 * hashPan('4242424242424242', salt) // '5c1f...'
 */
import { hash } from 'node:crypto';

export function luhnValid(pan: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = pan.length - 1; i >= 0; i--) {
    let d = pan.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The digit that makes `partial + digit` Luhn-valid. */
export function luhnCheckDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(partial + String(d))) return String(d);
  return '0';
}

export function cardBrand(pan: string): string {
  const two = Number(pan.slice(0, 2));
  const four = Number(pan.slice(0, 4));
  if (pan.startsWith('4')) return 'VISA';
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'MASTERCARD';
  if (two === 34 || two === 37) return 'AMEX';
  if (two === 36 || two === 38 || two === 30) return 'DINERS';
  if (four === 6011 || two === 65) return 'DISCOVER';
  if (two === 35) return 'JCB';
  if (two === 50 || (two >= 56 && two <= 69)) return 'MAESTRO';
  return 'OTHER';
}

/** Expired when the year is past, or the year is this one and the month is past. */
export function isExpired(expireMonth: string, expireYear: string, now: Date): boolean {
  const yy = now.getUTCFullYear() % 100;
  const mm = now.getUTCMonth() + 1;
  const y = Number(expireYear);
  const m = Number(expireMonth);
  return y < yy || (y === yy && m < mm);
}

export function hashPan(pan: string, salt: string): string {
  return hash('sha256', pan + salt, 'hex');
}

export function maskPan(pan: string): string {
  return '*'.repeat(pan.length - 4) + pan.slice(-4);
}
