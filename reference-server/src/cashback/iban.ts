/**
 * IBAN normalisation and the ISO 13616 mod-97 check. The app stripped blanks and upper-cased;
 * BPD's own regex was commented out and the bank's check answered 400 for an invalid IBAN, so
 * picco answers 400 iban.invalid for anything that fails here (pattern, length per country for
 * Italy, or checksum) and never calls the simulated check service with it.
 *
 * @example
 * isValidIban(normalizeIban('it60 x054 2811 1010 0000 0123 456')) // true
 */
const PATTERN = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/;

export function normalizeIban(iban: string): string {
  return iban.replace(/\s+/g, '').toUpperCase();
}

export function ibanMod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const c = ch.charCodeAt(0);
    const v = c >= 65 ? String(c - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem;
}

export function isValidIban(iban: string): boolean {
  if (!PATTERN.test(iban) || iban.length > 34) return false;
  if (iban.startsWith('IT') && iban.length !== 27) return false;
  return ibanMod97(iban) === 1;
}

/** Computes the two check digits for a country + BBAN (used by tests and scenario generators). */
export function ibanWithCheckDigits(country: string, bban: string): string {
  const r = ibanMod97(`${country}00${bban}`);
  return `${country}${String(98 - r).padStart(2, '0')}${bban}`;
}
