/**
 * Italian first and family names for a seed, exactly as `fakerIT.seed(seed)` then
 * `person.firstName(sex)` and `person.lastName()` give them (@faker-js/faker 10), without
 * faker: its Mersenne Twister (53-bit floats), `number.int`, and the random draws lastName makes
 * before its pick (a sex, then a pattern), over the it locale's name lists (it-person-names.json,
 * extracted from faker). faker's 530 KB of locales and modules would otherwise be bundled into
 * every exported k6 script and evaluated by every VU; a test holds this module equal to faker,
 * names and lists, so a faker upgrade that changes either fails `npm test`.
 *
 * @example
 * personName(100_000_007, true); // { name: 'Ada', familyName: 'Rossi' } (as fakerIT would)
 */
import NAMES from './it-person-names.json' with { type: 'json' };

const N = 624;
const UPPER = 2 ** 31;
const LOWER = 2 ** 31 - 1;
const MATRIX = 2567483615;

function seeded(seed: number): number[] {
  const t = new Array<number>(N);
  t[0] = seed;
  for (let i = 1; i < N; i++) {
    const p = t[i - 1]! ^ (t[i - 1]! >>> 30);
    t[i] = Math.trunc(Math.imul(1812433253, p) + i);
  }
  return twist(t);
}

function twist(e: number[]): number[] {
  for (let t = 0; t < 227; t++) {
    const n = (e[t]! & UPPER) + (e[t + 1]! & LOWER);
    e[t] = e[t + 397]! ^ (n >>> 1) ^ (-(n & 1) & MATRIX);
  }
  for (let t = 227; t < 623; t++) {
    const n = (e[t]! & UPPER) + (e[t + 1]! & LOWER);
    e[t] = e[t + 397 - N]! ^ (n >>> 1) ^ (-(n & 1) & MATRIX);
  }
  const n = (e[623]! & UPPER) + (e[0]! & LOWER);
  e[623] = e[396]! ^ (n >>> 1) ^ (-(n & 1) & MATRIX);
  return e;
}

/** faker's MersenneTwister19937 with its 53-bit `next()`. */
class Twister {
  private states: number[];
  private index = 0;

  constructor(seed: number) {
    this.states = seeded(seed);
  }

  private u32(): number {
    let e = this.states[this.index]!;
    e ^= this.states[this.index]! >>> 11;
    e ^= (e << 7) & 2636928640;
    e ^= (e << 15) & 4022730752;
    e ^= e >>> 18;
    if (++this.index >= N) {
      this.states = twist(this.states);
      this.index = 0;
    }
    return e >>> 0;
  }

  next(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) * 11102230246251565e-32;
  }

  /** faker.number.int({ max }) */
  int(max: number): number {
    return Math.floor(this.next() * (max + 1));
  }

  /** faker.helpers.arrayElement */
  pick<T>(list: readonly T[]): T {
    return list[list.length > 1 ? this.int(list.length - 1) : 0]!;
  }
}

export interface PersonName {
  name: string;
  familyName: string;
}

export function personName(seed: number, female: boolean): PersonName {
  const r = new Twister(seed);
  const name = r.pick(female ? NAMES.female : NAMES.male);
  // lastName(): person.sexType() (one int), then weightedArrayElement over the it locale's one
  // last_name_pattern (one float), then the pattern '{{person.last_name.generic}}' picks
  r.int(1);
  r.next();
  return { name, familyName: r.pick(NAMES.last) };
}

/** The name lists, for the test that holds them equal to faker's. */
export const PERSON_NAME_LISTS: { readonly female: readonly string[]; readonly male: readonly string[]; readonly last: readonly string[] } = NAMES;
