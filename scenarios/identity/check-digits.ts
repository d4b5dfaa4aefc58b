/**
 * Check characters for the three identifiers a citizen types: card PAN (Luhn), Italian fiscal
 * code (the odd/even table of DM 23/12/1976) and IBAN (ISO 13616 mod-97, plus the Italian BBAN CIN).
 *
 * They are computed, not looked up, so the population can produce millions of valid values on
 * demand and a typo (one changed character) is always detectable by the server, as in real life.
 *
 * @example
 * luhnCheckDigit('411111111111111') // → 1
 * isIbanValid('IT60X0542811101000000123456') // → true
 */

/** The Luhn check digit for a payload of digits (the PAN without its last digit). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let double = true;
  for (let p = payload.length - 1; p >= 0; p--) {
    let d = payload.charCodeAt(p) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(pan: string): boolean {
  if (!/^[0-9]{12,19}$/.test(pan)) return false;
  return luhnCheckDigit(pan.slice(0, -1)) === pan.charCodeAt(pan.length - 1) - 48;
}

/** Values of characters in odd (1-based) positions: digits 0-9 then letters A-Z share one table. */
const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

function oddValue(ch: number): number {
  // '0'-'9' → index 0-9, 'A'-'Z' → index 0-25 (a digit and its letter share a value)
  return ch <= 57 ? ODD[ch - 48]! : ODD[ch - 65]!;
}

function evenValue(ch: number): number {
  return ch <= 57 ? ch - 48 : ch - 65;
}

/** Check character (16th) of a fiscal code from its first 15 upper-case characters. */
export function fiscalCodeCheckChar(first15: string): string {
  let sum = 0;
  for (let p = 0; p < 15; p++) {
    const ch = first15.charCodeAt(p);
    sum += p % 2 === 0 ? oddValue(ch) : evenValue(ch);
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** BPD's pattern (bpd-commons Constants.java), upper-cased. */
export const FISCAL_CODE_PATTERN =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

export function isFiscalCodeValid(cf: string): boolean {
  const u = cf.toUpperCase();
  return FISCAL_CODE_PATTERN.test(u) && fiscalCodeCheckChar(u.slice(0, 15)) === u[15];
}

/** The Italian BBAN control letter (CIN) over ABI(5) + CAB(5) + account(12). */
export function italianCin(abiCabAccount: string): string {
  let sum = 0;
  for (let p = 0; p < abiCabAccount.length; p++) {
    const ch = abiCabAccount.charCodeAt(p);
    sum += p % 2 === 0 ? oddValue(ch) : evenValue(ch);
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** mod 97 of an IBAN rearranged (country + check moved to the end, letters as 10..35). */
function mod97(rearranged: string): number {
  let rem = 0;
  for (let p = 0; p < rearranged.length; p++) {
    const ch = rearranged.charCodeAt(p);
    if (ch >= 65) {
      const v = ch - 55;
      rem = (rem * 100 + v) % 97;
    } else {
      rem = (rem * 10 + (ch - 48)) % 97;
    }
  }
  return rem;
}

/** The two IBAN check digits for a country code and BBAN. */
export function ibanCheckDigits(country: string, bban: string): string {
  const r = mod97(`${bban}${country}00`);
  return String(98 - r).padStart(2, '0');
}

export function isIbanValid(iban: string): boolean {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(s)) return false;
  return mod97(s.slice(4) + s.slice(0, 4)) === 1;
}
