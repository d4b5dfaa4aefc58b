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

function surnameCodeOf(surname: string): string {
  const { cons, vows } = split(surname);
  return `${cons}${vows}XXX`.slice(0, 3);
}

function nameCodeOf(name: string): string {
  const { cons, vows } = split(name);
  if (cons.length >= 4) return `${cons[0]}${cons[2]}${cons[3]}`;
  return `${cons}${vows}XXX`.slice(0, 3);
}

/**
 * The codes of the names met so far: names come from lists of a few thousand, and a code
 * costs a Unicode normalisation and a regular expression (this ran once per arrival). Bounded,
 * for callers with names of their own.
 */
const MEMO_MAX = 20_000;
const surnameCodes = new Map<string, string>();
const nameCodes = new Map<string, string>();

function memo(m: Map<string, string>, key: string, f: (k: string) => string): string {
  let v = m.get(key);
  if (v === undefined) {
    v = f(key);
    if (m.size < MEMO_MAX) m.set(key, v);
  }
  return v;
}

/** Year, month (0-11) and day of the month of a day counted from 1 Jan 1970 (proleptic Gregorian, UTC). */
function civil(daysSinceEpoch: number): { y: number; m: number; d: number } {
  const z = daysSinceEpoch + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 2 : mp - 10;
  return { y: yoe + era * 400 + (m < 2 ? 1 : 0), m, d };
}

const BIRTH_EPOCH_DAYS = BIRTH_EPOCH_MS / DAY_MS;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The 16-character fiscal code, check character included. */
export function fiscalCode(p: FiscalCodeParts): string {
  const birth = civil(BIRTH_EPOCH_DAYS + p.birthOrdinal);
  const yy = pad2(birth.y % 100);
  const mm = MONTHS[birth.m]!;
  const dd = pad2(birth.d + (p.female ? 40 : 0));
  const letter = MUNICIPALITY_LETTERS[p.municipality % MUNICIPALITY_LETTERS.length]!;
  const number = String(1 + Math.floor(p.municipality / MUNICIPALITY_LETTERS.length)).padStart(3, '0');
  const first15 = `${memo(surnameCodes, p.surname, surnameCodeOf)}${memo(nameCodes, p.name, nameCodeOf)}${yy}${mm}${dd}${letter}${number}`;
  return first15 + fiscalCodeCheckChar(first15);
}

/** Birth date (YYYY-MM-DD) for a birth ordinal, as the profile would carry it. */
export function birthDate(birthOrdinal: number): string {
  const { y, m, d } = civil(BIRTH_EPOCH_DAYS + birthOrdinal);
  return `${y}-${pad2(m + 1)}-${pad2(d)}`;
}
