/**
 * Fiscal codes that are valid and unique across the whole population, computed from
 * (seed, citizen index) and the citizen's faker-generated name.
 *
 * Real fiscal codes collide (omocodia) when two people share name letters, birth date and
 * municipality; picco cannot afford a collision, because the server keys every citizen on the
 * fiscal code. So the birth date and municipality are an injective function of the citizen
 * index (20,000 birth days × 11,988 municipality codes), and the names only decorate it.
 *
 * @example
 * fiscalCode({ surname: 'Rossi', name: 'Mario', female: false, birthOrdinal: 0, municipality: 0 })
 */
import { fiscalCodeCheckChar } from './check-digits.ts';

const MONTHS = 'ABCDEHLMPRST';
const MUNICIPALITY_LETTERS = 'ABCDEFGHILMN';
/** Number of distinct birth days used (1 Jan 1940 onwards, all adults in 2020). */
export const BIRTH_DAYS = 20_000;
/** Number of distinct municipality codes used: 12 letters × 999 numbers. */
export const MUNICIPALITIES = MUNICIPALITY_LETTERS.length * 999;
const BIRTH_EPOCH_MS = Date.UTC(1940, 0, 1);
const DAY_MS = 86_400_000;

export interface FiscalCodeParts {
  surname: string;
  name: string;
  female: boolean;
  /** Days since 1 Jan 1940, < BIRTH_DAYS. */
  birthOrdinal: number;
  /** Municipality number, < MUNICIPALITIES. */
  municipality: number;
}

function lettersOnly(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toUpperCase();
}

function split(s: string): { cons: string; vows: string } {
  let cons = '';
  let vows = '';
  for (const ch of lettersOnly(s)) {
    if ('AEIOU'.includes(ch)) vows += ch;
    else cons += ch;
  }
  return { cons, vows };
}

function surnameCode(surname: string): string {
  const { cons, vows } = split(surname);
  return `${cons}${vows}XXX`.slice(0, 3);
}

function nameCode(name: string): string {
  const { cons, vows } = split(name);
  if (cons.length >= 4) return `${cons[0]}${cons[2]}${cons[3]}`;
  return `${cons}${vows}XXX`.slice(0, 3);
}

/** The 16-character fiscal code, check character included. */
export function fiscalCode(p: FiscalCodeParts): string {
  const birth = new Date(BIRTH_EPOCH_MS + p.birthOrdinal * DAY_MS);
  const yy = String(birth.getUTCFullYear() % 100).padStart(2, '0');
  const mm = MONTHS[birth.getUTCMonth()]!;
  const dd = String(birth.getUTCDate() + (p.female ? 40 : 0)).padStart(2, '0');
  const letter = MUNICIPALITY_LETTERS[p.municipality % MUNICIPALITY_LETTERS.length]!;
  const number = String(1 + Math.floor(p.municipality / MUNICIPALITY_LETTERS.length)).padStart(3, '0');
  const first15 = `${surnameCode(p.surname)}${nameCode(p.name)}${yy}${mm}${dd}${letter}${number}`;
  return first15 + fiscalCodeCheckChar(first15);
}

/** Birth date (YYYY-MM-DD) for a birth ordinal, as the profile would carry it. */
export function birthDate(birthOrdinal: number): string {
  return new Date(BIRTH_EPOCH_MS + birthOrdinal * DAY_MS).toISOString().slice(0, 10);
}
