/**
 * identity/person-names.ts stands in for faker in the population (and so in every exported k6
 * script): it must give the very names fakerIT gives for the same seed, from the same lists, or
 * citizens' fiscal codes would change under a k6 run or a faker upgrade.
 */
import { describe, expect, it } from 'vitest';
import { fakerIT, it as itLocale } from '@faker-js/faker';
import { PERSON_NAME_LISTS, personName } from '../../scenarios/identity/person-names.ts';

describe('person names without faker', () => {
  it('has the it locale lists faker has', () => {
    expect(PERSON_NAME_LISTS.female).toEqual(itLocale.person!.first_name!.female);
    expect(PERSON_NAME_LISTS.male).toEqual(itLocale.person!.first_name!.male);
    expect(PERSON_NAME_LISTS.last).toEqual(itLocale.person!.last_name!.generic);
  });

  it('gives the names fakerIT gives for the same seed, for small, large and unsafe seeds', () => {
    let compared = 0;
    for (const base of [0, 100_000_007, 700_000_049, 5_000_000_350, 1e12 + 7, 2e17 + 3]) {
      for (let i = 0; i < 2_000; i++) {
        const female = (i * 7) % 3 === 0;
        fakerIT.seed(base + i);
        const want = { name: fakerIT.person.firstName(female ? 'female' : 'male'), familyName: fakerIT.person.lastName() };
        expect(personName(base + i, female)).toEqual(want);
        compared++;
      }
    }
    expect(compared).toBe(12_000);
  });
});
