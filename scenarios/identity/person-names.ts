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

const M = 397;
const UPPER = 2 ** 31;
const LOWER = 2 ** 31 - 1;
const MATRIX = 2567483615;
/** The 32-bit outputs a name draws: two picks, one int and one float, each a 53-bit float of two. */
const DRAWS = 8;

/**
 * The first DRAWS outputs of faker's MersenneTwister19937 seeded with `seed`, without building
 * its 624 states: after seeding, the first twist turns state t (t < 227) into a function of
 * states t, t + 1 and t + 397 only, so a name needs states 0-8 and 397-404 of the seeding
 * recurrence (405 steps, no array of 624, no second pass of 624; this ran once per arrival).
 */
// Scratch shared by every Twister: personName draws all of one name before it seeds the next.
const seededHead = new Float64Array(DRAWS + 1);
const seededTail = new Float64Array(DRAWS);
const outputs = new Uint32Array(DRAWS);

function firstOutputs(seed: number): Uint32Array {
  let prev = seed;
  seededHead[0] = seed;
  for (let i = 1; i < M + DRAWS; i++) {
    const p = prev ^ (prev >>> 30);
    prev = Math.trunc(Math.imul(1812433253, p) + i);
    if (i <= DRAWS) seededHead[i] = prev;
    else if (i >= M) seededTail[i - M] = prev;
  }
  for (let t = 0; t < DRAWS; t++) {
    const n = (seededHead[t]! & UPPER) + (seededHead[t + 1]! & LOWER);
    let e = seededTail[t]! ^ (n >>> 1) ^ (-(n & 1) & MATRIX);
    e ^= e >>> 11;
    e ^= (e << 7) & 2636928640;
    e ^= (e << 15) & 4022730752;
    e ^= e >>> 18;
    outputs[t] = e >>> 0;
  }
  return outputs;
}

/** faker's MersenneTwister19937 with its 53-bit `next()`, for the first DRAWS outputs of a seed. */
class Twister {
  private readonly out: Uint32Array;
  private index = 0;

  constructor(seed: number) {
    this.out = firstOutputs(seed);
  }

  private u32(): number {
    if (this.index >= DRAWS) throw new Error(`person-names: more than ${DRAWS} draws from one seed`);
    return this.out[this.index++]!;
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
