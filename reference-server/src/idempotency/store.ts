/**
 * What the idempotency layer and the per-token rate limit need from a database. Both rules must
 * hold across `--workers`, so both live in the store, never in a process's memory.
 *
 * Idempotency is reserve → effect → complete: `reserve` inserts a pending row under the
 * (scope, key) primary key, so of two concurrent requests with one key exactly one proceeds;
 * the other sees `in_progress` (409) until the first completes, then `replay`. A reservation
 * whose process died is taken over after its lease. The trade-off: the stored response is not
 * written in the same transaction as the effect (the domain operations own their transactions),
 * so a crash between the two leaves a pending key; its lease expires, the retry runs again and
 * meets the effect's own uniqueness (422 creditcard.already_exists, or the idempotent instrument
 * PUT). Never a second effect; at worst a different, still truthful, answer.
 *
 * @example
 * const r = await store.reserve(scope, keyHash, requestHash, now, 30_000);
 * if (r.kind === 'replay') return r.response;
 */
import type { AddCardResult, NewCard } from '../storage/storage.ts';

export interface StoredResponse {
  status: number;
  body: string;
  contentType: string;
}

export type ReserveResult =
  | { kind: 'reserved' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

export interface IdempotencyStore {
  reserve(scope: string, keyHash: string, requestHash: string, now: Date, leaseMs: number): Promise<ReserveResult>;
  complete(scope: string, keyHash: string, response: StoredResponse, now: Date): Promise<void>;
  /** Forgets a reservation whose request failed transiently, so a retry runs again. */
  release(scope: string, keyHash: string): Promise<void>;
  /** Deletes keys created before `olderThan`; returns how many. */
  purge(olderThan: Date): Promise<number>;
}

/** One write's hit on its subject's window, taken by the store in the write's own statement. */
export interface WriteHit {
  readonly subject: string;
  readonly windowStart: number;
  /** Hits the window allows: the write whose hit makes more is refused, and not made. */
  readonly limit: number;
}

export type CountedAddCardResult = AddCardResult | { kind: 'rate_limited' };

export interface RateLimitStore {
  /** Adds one hit to (subject, window) and returns the window's total across all processes. */
  hit(subject: string, windowStart: number): Promise<number>;
  /**
   * A card addition that counts its own write hit, in one statement: the hit is added whatever
   * the outcome (as `hit` would), and the card is written only if the window's total is then
   * within `hit.limit`, else `rate_limited` and nothing written. One round trip, not two, for
   * the hottest write of the launch.
   */
  addCardCounted(card: NewCard, now: Date, hit: WriteHit): Promise<CountedAddCardResult>;
  /** Deletes windows older than `before`. */
  purgeWindows(before: number): Promise<number>;
}

/** True for stores implementing both (the PostgreSQL store does). */
export function isIdempotencyStore(x: unknown): x is IdempotencyStore {
  return typeof x === 'object' && x !== null && typeof (x as IdempotencyStore).reserve === 'function';
}

export function isRateLimitStore(x: unknown): x is RateLimitStore {
  return typeof x === 'object' && x !== null && typeof (x as RateLimitStore).hit === 'function';
}
