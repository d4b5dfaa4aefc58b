/**
 * The citizens of the December 2020 launch: 6.5 M at scale 1 (downloads by 7 Dec evening).
 *
 * Trade-off: nothing is stored per citizen. Every attribute is a pure function of (seed, index):
 * proportions (device, cards, bank, patience, typos) come from Weyl sequences frac(i·α), which are
 * equidistributed over ANY contiguous index range, so a stream that walks citizens a..b sees the
 * population's shares almost exactly even at tiny scales (discrepancy ~ log n / n), and a plan can
 * predict outcome counts analytically. Names are faker's it locale seeded per citizen (drawn as
 * faker draws them, without faker: identity/person-names.ts); fiscal codes, PANs and IBANs are
 * injective functions of the index, hence unique without a registry. Any
 * process (worker, --segment K/N) rebuilds citizen i identically from the seed alone.
 *
 * Order: index = download order. Citizens 0..preDecember-1 had IO before 1 Dec; then the
 * 1-5 Dec, 6 Dec and 7 Dec download cohorts (see COHORTS).
 *
 * @example
 * const pop = new Population({ scale: 1, seed: 1 });
 * pop.size;                 // 6_500_000
 * pop.identity(42).fiscalCode;
 * pop.creditCard(42, 0).pan; // Luhn-valid, unique in the population
 */
import { personName } from './identity/person-names.ts';
import { BIRTH_DAYS, MUNICIPALITIES, birthDate, fiscalCode } from './identity/fiscal-code.ts';
import { BRAND_OF_BIN, cardNumber, withTypo } from './identity/card-number.ts';
import { iban, ibanWithTypo } from './identity/iban.ts';

/** Download cohorts at scale 1 (citizens), in index order. Sources in calibration.json. */
export const COHORTS = {
  /** IO users before 1 Dec 2020. */
  preDecember: 4_250_000,
  /** Downloads 1-5 Dec (seed: 1,557,000). */
  dec1to5: 1_557_000,
  /** Downloads 6 Dec. */
  dec6: 100_000,
  /** Downloads 7 Dec, up to the evening total of 6.5 M. */
  dec7: 593_000,
} as const;
export const POPULATION_AT_SCALE_1 =
  COHORTS.preDecember + COHORTS.dec1to5 + COHORTS.dec6 + COHORTS.dec7;

/** Population shares (Weyl-sequence thresholds). Documented defaults. */
export const SHARES = {
  ios: 0.3,
  /** Credit cards a card-holding citizen adds: 1, 2 or 3. */
  cards2: 0.28,
  cards3: 0.1,
  /** Citizens who also search for their PagoBancomat when they join cashback. */
  pagobancomat: 0.22,
  /** Default share of mistyped PANs / IBANs (one wrong digit, caught by Luhn / mod-97). */
  typo: 0.02,
  /** Citizens still on the pre-update app (1.11) when the mandatory update lands. */
  oldApp: 0.85,
} as const;

/** Bank ABI codes (the big PagoBancomat issuers) and their weights. */
export const BANKS: readonly { abi: string; weight: number }[] = [
  { abi: '03069', weight: 0.22 }, // Intesa Sanpaolo
  { abi: '02008', weight: 0.16 }, // UniCredit
  { abi: '08000', weight: 0.14 }, // ICCREA (BCC)
  { abi: '05034', weight: 0.09 }, // Banco BPM
  { abi: '01030', weight: 0.07 }, // MPS
  { abi: '01005', weight: 0.07 }, // BNL
  { abi: '05387', weight: 0.07 }, // BPER
  { abi: '03032', weight: 0.06 }, // Credem
  { abi: '06230', weight: 0.06 }, // Credit Agricole
  { abi: '03111', weight: 0.06 }, // UBI
];

export const APP_VERSION = { before: '1.11.3', after: '1.12.0' } as const;
/** Patience: how many times a citizen presses "riprova" after a failure (0..5), mean ≈ 2.5. */
export const PATIENCE_MAX = 5;

const A = {
  device: Math.SQRT2 - 1,
  cards: Math.sqrt(3) - 1,
  bank: Math.sqrt(5) - 2,
  pagobancomat: Math.sqrt(7) - 2,
  patience: Math.sqrt(11) - 3,
  typoCard: Math.sqrt(13) - 3,
  typoIban: Math.sqrt(17) - 4,
  female: (Math.sqrt(5) - 1) / 2,
  oldApp: Math.sqrt(19) - 4,
  presses: Math.sqrt(23) - 4,
} as const;

export interface PopulationOptions {
  scale: number;
  seed: number;
  /** Share of citizens who mistype a PAN or IBAN once (default SHARES.typo). */
  typoShare?: number;
}

export interface Identity {
  fiscalCode: string;
  name: string;
  familyName: string;
  birthDate: string;
  female: boolean;
}

export interface CreditCardData {
  pan: string;
  holder: string;
  expireMonth: string;
  expireYear: string;
  securityCode: string;
  brand: 'VISA' | 'MASTERCARD';
}

export class Population {
  readonly size: number;
  readonly seed: number;
  readonly scale: number;
  readonly typoShare: number;
  private readonly offset: number;

  constructor(o: PopulationOptions) {
    if (!(o.scale > 0)) throw new RangeError('scale must be > 0');
    this.scale = o.scale;
    this.seed = o.seed;
    this.size = Math.max(1, Math.round(POPULATION_AT_SCALE_1 * o.scale));
    this.typoShare = o.typoShare ?? SHARES.typo;
    this.offset = (Math.abs(Math.trunc(o.seed)) % 1_000_003) * 7;
  }

  /** Equidistributed u in [0,1) for attribute alpha. */
  private u(i: number, alpha: number): number {
    const x = (i + this.offset) * alpha;
    return x - Math.floor(x);
  }

  /** First index of each cohort at this scale (download order). */
  cohortStart(c: keyof typeof COHORTS): number {
    let acc = 0;
    for (const k of Object.keys(COHORTS) as (keyof typeof COHORTS)[]) {
      if (k === c) return Math.round(acc * this.scale);
      acc += COHORTS[k];
    }
    return 0;
  }

  device(i: number): 'ios' | 'android' {
    return this.u(i, A.device) < SHARES.ios ? 'ios' : 'android';
  }

  /** App version before the 7 Dec update (some already had a recent one). */
  appVersionBefore(i: number): string {
    return this.u(i, A.oldApp) < SHARES.oldApp ? APP_VERSION.before : APP_VERSION.after;
  }

  /** Credit cards this citizen adds when they add cards (1..3). */
  creditCards(i: number): number {
    const u = this.u(i, A.cards);
    return u < SHARES.cards3 ? 3 : u < SHARES.cards3 + SHARES.cards2 ? 2 : 1;
  }

  hasPagoBancomat(i: number): boolean {
    return this.u(i, A.pagobancomat) < SHARES.pagobancomat;
  }

  /** The citizen's bank (ABI), for the PagoBancomat search and the IBAN. */
  bankAbi(i: number): string {
    let u = this.u(i, A.bank);
    for (const b of BANKS) {
      if (u < b.weight) return b.abi;
      u -= b.weight;
    }
    return BANKS[0]!.abi;
  }

  patience(i: number): number {
    return Math.min(PATIENCE_MAX, Math.floor(this.u(i, A.patience) * (PATIENCE_MAX + 1)));
  }

  /**
   * How many extra "riprova" presses citizen i makes on an already submitted card, for a
   * population mean of `mean`: floor(mean) or floor(mean) + 1, equidistributed.
   */
  presses(i: number, mean: number): number {
    const base = Math.floor(mean);
    return base + (this.u(i, A.presses) < mean - base ? 1 : 0);
  }

  /** Mistypes the first card's PAN once (then corrects it). */
  typoCard(i: number): boolean {
    return this.u(i, A.typoCard) < this.typoShare;
  }

  /** Mistypes the IBAN once (then corrects it). */
  typoIban(i: number): boolean {
    return this.u(i, A.typoIban) < this.typoShare;
  }

  female(i: number): boolean {
    return this.u(i, A.female) < 0.5;
  }

  /** Name and fiscal code, generated now (faker seeded per citizen), never stored. */
  identity(i: number): Identity {
    const female = this.female(i);
    const { name, familyName } = personName(this.seed * 100_000_007 + i, female);
    const j = (i + (Math.abs(this.seed) % 1_000) * 1_000_003) % (BIRTH_DAYS * MUNICIPALITIES);
    const birthOrdinal = (j * 7_919) % BIRTH_DAYS;
    // (birth day, municipality) is a bijection of j: the day gives j mod BIRTH_DAYS back, then the quotient
    const r = j % BIRTH_DAYS;
    const municipality = (Math.floor(j / BIRTH_DAYS) + 7 * r) % MUNICIPALITIES;
    return {
      fiscalCode: fiscalCode({ surname: familyName, name, female, birthOrdinal, municipality }),
      name,
      familyName,
      birthDate: birthDate(birthOrdinal),
      female,
    };
  }

  /** Fiscal code alone (still computes the name letters). */
  fiscalCode(i: number): string {
    return this.identity(i).fiscalCode;
  }

  /** Credit card k (0-based) of citizen i; `holder` is passed in to avoid regenerating the name. */
  creditCard(i: number, k: number, holder?: string): CreditCardData {
    const pan = cardNumber(i, k, this.seed);
    const h = (i * 31 + k * 7) >>> 0;
    return {
      pan,
      holder: holder ?? this.holder(i),
      expireMonth: String(1 + (h % 12)).padStart(2, '0'),
      // 2028-2031: valid both on the December 2020 clock and today's
      expireYear: String(28 + (h % 4)),
      securityCode: String(100 + (h % 900)),
      brand: BRAND_OF_BIN[pan.slice(0, 6)] ?? 'VISA',
    };
  }

  /** The PAN as a citizen with a typo first enters it (Luhn-invalid). */
  mistypedPan(i: number, k: number): string {
    return withTypo(cardNumber(i, k, this.seed), i + k);
  }

  holder(i: number): string {
    const id = this.identity(i);
    return `${id.name} ${id.familyName}`;
  }

  iban(i: number): string {
    return iban(i, this.bankAbi(i), this.seed);
  }

  mistypedIban(i: number): string {
    return ibanWithTypo(this.iban(i));
  }
}

const cache = new Map<string, Population>();
/** One shared Population per (scale, seed, typo) in a process: it is stateless, so sharing is free. */
export function populationFor(o: PopulationOptions): Population {
  const key = `${o.scale}:${o.seed}:${o.typoShare ?? ''}`;
  let p = cache.get(key);
  if (!p) {
    p = new Population(o);
    cache.set(key, p);
  }
  return p;
}
