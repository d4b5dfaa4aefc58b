/**
 * The one storage interface of the reference server. Every method is async and every operation
 * that must hold across several rows is a whole domain operation (addCard, enableInstrument,
 * deleteCitizenCascade, ingestTransactions ...), never a "begin / read / write / commit" sequence
 * driven by the caller. The trade-off: the interface is wider than a generic key-value store,
 * but an implementation can map each operation onto one database transaction guarded by unique
 * constraints (SQLite today, PostgreSQL next), so two server processes sharing one database
 * never need to agree on anything held in memory. Nothing here caches state across calls.
 *
 * Why one file of ~400 lines: it is the contract, read as one by test/server/storage-contract.ts
 * and by both implementations; most of its lines are record types and doc comments, grouped by
 * API (io-backend, PM wallet, BPD cashback) under section rules. Split by API, a reader would
 * lose the operations that span them (deleteCitizenCascade, enableInstrument).
 *
 * Contract every implementation honours (checked by test/server/storage-contract.ts):
 * - A promise that resolves means the write is durable (it survives kill -9 of the process).
 * - Card data arrives already reduced to hpan + masked PAN + last four: no PAN, no CVV here.
 * - Times are passed in (the app's clock), never read from the database's clock, so tests can
 *   drive dates (e.g. Dec 2020) deterministically. Stored and returned as JS Dates / ISO strings.
 * - Expected business outcomes (duplicate card, hpan owned by someone else ...) are results,
 *   not exceptions. Exceptions are reserved for broken storage and injected failures
 *   (StorageFailure).
 *
 * @example
 * const storage = await createStorage('sqlite::memory:');
 * const r = await storage.addCard({ fiscalCode, hpan, maskedPan, lastFour, brand, holder,
 *   expireMonth: '12', expireYear: '30' }, new Date());
 * if (r.kind === 'already_exists') return fail422();
 */
import type { Registry } from 'prom-client';

// ---------------------------------------------------------------------------------------------
// io-backend: users, sessions, tokens

export interface UserRecord {
  fiscalCode: string;
  name: string;
  familyName: string;
  email: string;
  isEmailValidated: boolean;
  createdAt: Date;
}

/** The kinds of bearer token the three APIs accept. `session` is io-backend's own. */
export type TokenKind = 'session' | 'wallet' | 'bpd' | 'myPortal' | 'pm';

export interface NewSession {
  /** Opaque id (48 bytes hex, issue time first: token-key.ts), never sent to clients. */
  sessionId: string;
  fiscalCode: string;
  spidLevel: string;
  sessionToken: string;
  walletToken: string;
  bpdToken: string;
  myPortalToken: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionRecord extends NewSession {}

export interface TokenOwner {
  fiscalCode: string;
  sessionId: string;
  kind: TokenKind;
  expiresAt: Date;
}

export interface NewPmSession {
  /** The PM session token handed out by start-session. */
  token: string;
  sessionId: string;
  fiscalCode: string;
  createdAt: Date;
  expiresAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Payment manager: wallets (credit cards and PagoBancomat) and the verification payment

export type WalletType = 'Card' | 'Bancomat';

/**
 * Lifecycle of a credit card wallet: `temporary` after step 1 (POST /v1/wallet/cc),
 * `verifying` after step 2 (pay), `verified` after 3DS succeeded (step 3). Only `verified`
 * cards and Bancomat cards (always `verified`) are listed by GET /v2/wallet.
 */
export type WalletStatus = 'temporary' | 'verifying' | 'verified';

export interface WalletRecord {
  idWallet: number;
  fiscalCode: string;
  walletType: WalletType;
  status: WalletStatus;
  hpan: string;
  /** `************1234` for cards; Bancomat cards carry the processor's partial number. */
  maskedPan: string;
  lastFour: string;
  brand: string;
  holder: string;
  expireMonth: string;
  expireYear: string;
  /** Bancomat only: issuing bank ABI, product type, validity (V / BR). */
  abi: string | null;
  productType: 'PP' | 'DEB' | null;
  validityState: 'V' | 'BR' | null;
  favourite: boolean;
  /** Set by POST /v1/wallet/{id}/actions/confirm. */
  confirmed: boolean;
  idPsp: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewCard {
  fiscalCode: string;
  hpan: string;
  maskedPan: string;
  lastFour: string;
  brand: string;
  holder: string;
  expireMonth: string;
  expireYear: string;
  favourite: boolean;
}

/**
 * `created`: a new temporary wallet, or the citizen's own unfinished (not yet verified) wallet
 * for the same hpan reset to step 1 with the same idWallet, so an interrupted flow can restart.
 * `already_exists`: the citizen already has this card verified (the 422 creditcard.already_exists).
 */
export type AddCardResult = { kind: 'created'; wallet: WalletRecord } | { kind: 'already_exists' };

export interface NewBancomatCard {
  hpan: string;
  maskedPan: string;
  lastFour: string;
  abi: string;
  productType: 'PP' | 'DEB';
  validityState: 'V' | 'BR';
  expireMonth: string;
  expireYear: string;
  brand: string;
}

export type VerificationStatus = 'pending' | 'authorized' | 'denied';

/** The "fake payment" of step 2, completed by the 3DS step. */
export interface VerificationRecord {
  id: number;
  idWallet: number;
  fiscalCode: string;
  /** Random secret embedded in urlCheckout3ds; proves the checkout URL came from pay. */
  nonce: string;
  amountCents: number;
  status: VerificationStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type StartVerificationResult =
  | { kind: 'started'; verification: VerificationRecord }
  | { kind: 'wallet_not_found' }
  | { kind: 'already_verified' };

export type CompleteVerificationResult =
  | { kind: 'completed'; verification: VerificationRecord; wallet: WalletRecord }
  | { kind: 'not_found' }
  | { kind: 'already_completed'; verification: VerificationRecord };

export interface WalletPatch {
  idPsp?: number;
  favourite?: boolean;
}

// ---------------------------------------------------------------------------------------------
// BPD: citizens, payment instruments, transactions

export interface CitizenRecord {
  fiscalCode: string;
  enabled: boolean;
  payoffInstr: string | null;
  payoffInstrType: 'IBAN' | null;
  accountHolderCF: string | null;
  accountHolderName: string | null;
  accountHolderSurname: string | null;
  timestampTC: Date;
  updatedAt: Date;
}

export interface IbanUpdate {
  payoffInstr: string;
  payoffInstrType: 'IBAN';
  accountHolderCF: string;
  accountHolderName: string;
  accountHolderSurname: string;
}

export type SetIbanResult =
  | { kind: 'updated'; citizen: CitizenRecord }
  | { kind: 'not_found' }
  | { kind: 'disabled' };

/**
 * A step of the opt-out cascade. `failAt` makes the implementation throw a StorageFailure right
 * after performing the steps before it, inside the transaction, so the contract test (and a
 * faults profile simulating a failing microservice) can prove that nothing is left half-done.
 */
export type CascadeStep = 'instruments' | 'transactions' | 'citizen';

export type DeleteCitizenResult = { kind: 'deleted'; instrumentsDeactivated: number } | { kind: 'not_found' };

export type InstrumentStatus = 'ACTIVE' | 'INACTIVE';

export interface InstrumentRecord {
  hpan: string;
  fiscalCode: string;
  status: InstrumentStatus;
  channel: string;
  activationDate: Date;
  deactivationDate: Date | null;
}

export type EnableInstrumentResult =
  /** Newly enabled, or re-enabled after a deactivation (new activationDate). */
  | { kind: 'enabled'; instrument: InstrumentRecord }
  /** Already active for this citizen: a no-op, the stored record comes back. */
  | { kind: 'unchanged'; instrument: InstrumentRecord }
  /** Active for another fiscal code (409). */
  | { kind: 'conflict' }
  /** The citizen is not enrolled or is disabled (403 user.not-enabled.error). */
  | { kind: 'citizen_not_enabled' };

export type GetInstrumentResult =
  | { kind: 'found'; instrument: InstrumentRecord }
  | { kind: 'not_found' }
  | { kind: 'conflict' };

export type DisableInstrumentResult =
  | { kind: 'disabled'; instrument: InstrumentRecord }
  | { kind: 'not_found' }
  | { kind: 'conflict' };

/** '00' purchase, '01' refund (storno), as in the acquirer files. */
export type OperationType = '00' | '01';

/**
 * A transaction as the acquirer sends it, already scored by the domain rules (cashbackCents is
 * min(10 % of amount, cap), negative for a refund) and assigned to the award period of its date.
 */
export interface NewTransaction {
  acquirerCode: string;
  idTrxAcquirer: string;
  idTrxIssuer: string;
  hpan: string;
  /** Calendar day of the payment, `YYYY-MM-DD` (Europe/Rome business day as sent). */
  trxDate: string;
  amountCents: number;
  cashbackCents: number;
  operationType: OperationType;
  circuitType: string;
  awardPeriodId: number;
  correlationId: string | null;
  merchantId: string;
  terminalId: string;
}

/**
 * Per transaction: `accepted` with the fiscal code the instrument was active for on trxDate;
 * `not_active` when no activation covers the day (the rule is
 * activationDay < trxDate <= deactivationDay, so payments on the activation day do not count);
 * `duplicate` when (acquirerCode, idTrxAcquirer, trxDate, operationType) was already ingested.
 */
export type IngestOutcome =
  | { kind: 'accepted'; fiscalCode: string; refundMatched: boolean }
  | { kind: 'not_active' }
  | { kind: 'duplicate' };

export interface WinningTransactionRecord {
  hpan: string;
  fiscalCode: string;
  acquirerCode: string;
  idTrxAcquirer: string;
  idTrxIssuer: string;
  trxDate: string;
  amountCents: number;
  cashbackCents: number;
  operationType: OperationType;
  circuitType: string;
  awardPeriodId: number;
}

/**
 * Per-citizen aggregate for a period: purchases counts operations '00' with cashback > 0,
 * matchedRefunds counts refunds matched to a purchase (by correlationId, else by hpan, amount,
 * merchant, terminal and acquirer). transactionNumber = purchases - matchedRefunds.
 */
export interface CashbackTotals {
  fiscalCode: string;
  awardPeriodId: number;
  cashbackCents: number;
  purchases: number;
  matchedRefunds: number;
  transactionNumber: number;
}

export interface RankingRecord {
  awardPeriodId: number;
  /** 1-based: transactionNumber desc, then fiscal code asc. */
  ranking: number;
  totalParticipants: number;
  transactionNumber: number;
  /** Transaction count at the last of the top positions (see Storage.getRanking). */
  minTransactionNumber: number;
  /** Transaction count of the first position. */
  maxTransactionNumber: number;
}

/** Thrown for injected failures (e.g. CascadeStep) and broken storage; never for business outcomes. */
export class StorageFailure extends Error {
  readonly code = 'PICCO_ERR_STORAGE';
  constructor(message: string, readonly injected = false) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------

export interface Storage {
  /** Human-readable kind for logs and `picco serve` output, e.g. `sqlite` or `postgres`. */
  readonly kind: string;
  /**
   * Registers the store's own metrics (picco_db_*) on the app's registry, when it has any; the
   * app calls it once. Optional: a store without metrics of its own leaves it out.
   */
  registerMetrics?(registry: Registry): void;

  // users and sessions (io-backend) ----------------------------------------------------------
  /** Creates the user at first login; an existing user is returned unchanged. */
  ensureUser(user: UserRecord): Promise<UserRecord>;
  getUser(fiscalCode: string): Promise<UserRecord | undefined>;
  /** Stores the session and its four tokens atomically. */
  createSession(session: NewSession): Promise<void>;
  getSession(sessionId: string, now: Date): Promise<SessionRecord | undefined>;
  /** Resolves a bearer token of the given kind that has not expired at `now`. */
  findToken(token: string, kind: TokenKind, now: Date): Promise<TokenOwner | undefined>;
  /** Logout: removes the session, its tokens and its PM sessions. */
  deleteSession(sessionId: string): Promise<boolean>;
  createPmSession(session: NewPmSession): Promise<void>;
  /** Removes expired sessions and tokens; returns how many token rows went. */
  purgeExpired(now: Date): Promise<number>;

  // wallet (payment manager) ------------------------------------------------------------------
  /** Step 1. Unique per (fiscalCode, hpan): see AddCardResult. */
  addCard(card: NewCard, now: Date): Promise<AddCardResult>;
  getWallet(fiscalCode: string, idWallet: number): Promise<WalletRecord | undefined>;
  /** Wallets with status `verified` (what GET /v2/wallet shows), oldest first. */
  listWallets(fiscalCode: string): Promise<WalletRecord[]>;
  /** Step 2: records the verification payment and moves the wallet to `verifying`. */
  startVerification(
    fiscalCode: string,
    idWallet: number,
    v: { nonce: string; amountCents: number },
    now: Date,
  ): Promise<StartVerificationResult>;
  getVerification(id: number): Promise<VerificationRecord | undefined>;
  /** Step 3: the ACS outcome. `authorized` marks the wallet `verified`; `denied` leaves it `verifying`. */
  completeVerification(
    id: number,
    nonce: string,
    outcome: 'authorized' | 'denied',
    now: Date,
  ): Promise<CompleteVerificationResult>;
  confirmWallet(fiscalCode: string, idWallet: number, now: Date): Promise<WalletRecord | undefined>;
  /** Makes this wallet the citizen's only favourite. */
  setFavourite(fiscalCode: string, idWallet: number, now: Date): Promise<WalletRecord | undefined>;
  updateWallet(fiscalCode: string, idWallet: number, patch: WalletPatch, now: Date): Promise<WalletRecord | undefined>;
  deleteWallet(fiscalCode: string, idWallet: number): Promise<boolean>;
  /**
   * Adds PagoBancomat cards; a card whose hpan the citizen already has is not duplicated.
   * Returns the citizen's wallets for exactly the given hpans (new or existing), in input order.
   */
  addBancomatCards(fiscalCode: string, cards: NewBancomatCard[], now: Date): Promise<WalletRecord[]>;

  // cashback (BPD) ----------------------------------------------------------------------------
  getCitizen(fiscalCode: string): Promise<CitizenRecord | undefined>;
  /**
   * PUT citizen. Absent → created enabled; disabled → re-enabled with timestampTC = now;
   * already enabled → returned unchanged.
   */
  enrollCitizen(fiscalCode: string, now: Date): Promise<CitizenRecord>;
  /** Saves the IBAN (called only after the check said OK or UNKNOWN_PSP). */
  setIban(fiscalCode: string, iban: IbanUpdate, now: Date): Promise<SetIbanResult>;
  /**
   * Opt-out, atomically: deactivates every active instrument of the citizen (deactivationDate =
   * now), deletes their winning transactions, disables the citizen and clears the IBAN fields.
   * All or nothing. `failAt` injects a failure after the earlier steps (see CascadeStep).
   */
  deleteCitizenCascade(fiscalCode: string, now: Date, opts?: { failAt?: CascadeStep }): Promise<DeleteCitizenResult>;

  /** As seen by `fiscalCode`: found (its own, active or not), conflict (active for another), not_found. */
  getInstrument(fiscalCode: string, hpan: string): Promise<GetInstrumentResult>;
  /** One active owner per hpan, guaranteed by a unique constraint, not by a prior read. */
  enableInstrument(fiscalCode: string, hpan: string, channel: string, now: Date): Promise<EnableInstrumentResult>;
  disableInstrument(fiscalCode: string, hpan: string, now: Date): Promise<DisableInstrumentResult>;

  /** Ingests a batch atomically; one outcome per input, in order. */
  ingestTransactions(trxs: NewTransaction[]): Promise<IngestOutcome[]>;
  listWinningTransactions(fiscalCode: string, awardPeriodId: number, hpan: string): Promise<WinningTransactionRecord[]>;
  /** undefined when the citizen has no transaction in the period (the 404 of total-cashback). */
  getCashbackTotals(fiscalCode: string, awardPeriodId: number): Promise<CashbackTotals | undefined>;
  /**
   * undefined when the citizen has no transaction in the period. `topPositions` is the super
   * cashback's minPosition: min/maxTransactionNumber are the counts at the last and first of
   * those positions (over all participants when topPositions is 0).
   */
  getRanking(fiscalCode: string, awardPeriodId: number, topPositions: number): Promise<RankingRecord | undefined>;

  // run-time settings shared by every process (min_app_version, faults profile) ---------------
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown, now: Date): Promise<void>;

  close(): Promise<void>;
}
