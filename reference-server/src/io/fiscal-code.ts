/**
 * Italian fiscal code (codice fiscale): the BPD pattern (bpd-commons Constants.java, omocodia
 * letters allowed in digit positions) plus the check character the real pattern did not verify.
 * picco checks it at login so a scenario's synthetic population is made of well-formed codes.
 *
 * @example
 * isValidFiscalCode('RSSMRA80A01H501U') // true
 */
const PATTERN = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
// values of characters in odd (1st, 3rd ...) positions, for 0-9 then A-Z
const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

function value(ch: string, odd: boolean): number {
  const c = ch.charCodeAt(0);
  const idx = c >= 48 && c <= 57 ? c - 48 : c - 65 + 10;
  if (odd) return ODD[idx] ?? 0;
  return c >= 48 && c <= 57 ? c - 48 : c - 65;
}

/** The 16th character for the first 15 (upper case). */
export function fiscalCodeCheckChar(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) sum += value(first15[i] as string, i % 2 === 0);
  return String.fromCharCode(65 + (sum % 26));
}

export function normalizeFiscalCode(cf: string): string {
  return cf.trim().toUpperCase();
}

export function isValidFiscalCode(cf: string): boolean {
  const s = cf.toUpperCase();
  return PATTERN.test(s) && fiscalCodeCheckChar(s.slice(0, 15)) === s[15];
}
