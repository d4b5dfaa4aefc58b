/**
 * `--architecture 2020`: the reference server built the way the December 2020 system was, as far
 * as the public record goes (the domain brief's section 4 and the press seeds). Every mechanism is
 * a switch with a default, and every capacity is a national figure multiplied by `rateScale`
 * (`--rate-scale F`, the run's --scale x --speed), so a laptop rehearsal meets the collapse at
 * the same relative load as the real system. There is no error rate anywhere: a request fails
 * only when a limit below is reached (a wait that times out, a client that gives up).
 *
 * Sources: [seed 001] "le eccessive richieste ... hanno mandato in sovraccarico i servizi
 * bancari siccome questi ultimi interagiscono proprio con la sezione portafoglio"; [S31] the
 * overload came from card authorisations handled by SIA, about 20 parties; [S32] the slowdowns
 * were in SIA's Payment Manager, "sized for large flows but not for this load", hitting card
 * additions on international circuits; [S4] io-backend answered Redis and system errors with 401
 * (which logged the user out) until commits of 4-7 Dec, and cached `notice_email` for PM's
 * getUser from then on; [S20 #2524] the wallet list failed during the surge. Capacities are not
 * public anywhere: each is marked ASSUMPTION with the reasoning behind its value.
 *
 * @example
 * const arch = resolveArchitecture2020({ rateScale: 0.06 }); // --rate-scale 0.06
 * arch.capacity.bankingConnections // 300 x 0.06 = 18
 */
import { z } from 'zod';

/**
 * National capacities at rate scale 1. The figures they are sized against: 1-5 Dec the app
 * served 1,900 concurrent operations/s [S22] (with the wallet down until noon of 2 Dec while SIA
 * resized it [S21]); on 7 Dec card additions peaked at ~6,000/s and later ~8,000/s and the
 * wallet failed [seeds 000-002]; from 10 Dec, after the fixes and SIA's resizing, 3-6k/s were all
 * served [S31].
 */
export const NATIONAL_CAPACITY = {
  /**
   * ASSUMPTION: connections from the payment manager to SIA's card services (card vault,
   * circuit checks, authorisation with acquirers and issuers: the "banking services" of seed
   * 001). 300 connections x ~120 ms per call is ~2,500 calls/s: more than the 1,900 ops/s the
   * whole app served 1-5 Dec, less than the 6,000-8,000 card additions/s of 7 Dec.
   */
  bankingConnections: 150,
  /** ASSUMPTION: time SIA's card services take per call when not queued (ms, uniform). */
  bankingCallMs: { minMs: 80, maxMs: 160 },
  /**
   * ASSUMPTION: payment manager worker threads (servlet container, all PM nodes together).
   * Sized so that the threads are not the first limit: 1,200 threads hold ~7,000 requests/s of
   * ~170 ms each, so they run out only when the banking pool's queue holds them.
   */
  pmThreads: 1200,
  /**
   * ASSUMPTION: io-backend's concurrent profile look-ups (its HTTP agent to the profile API,
   * all App Service instances): PM's getUser needed one per start-session until the
   * notice_email cache [S4]. 120 x ~40 ms is ~3,000 look-ups/s.
   */
  profileLookups: 120,
  /** ASSUMPTION: one profile look-up, ms (uniform). */
  profileLookupMs: { minMs: 25, maxMs: 55 },
} as const;

const msRange = z.object({ minMs: z.number().min(0), maxMs: z.number().min(0) }).strict()
  .refine((r) => r.maxMs >= r.minMs, { message: 'maxMs must be >= minMs' });

/** The switches, each with its default (the system as it was on 7 Dec 2020). */
export const architecture2020Schema = z.object({
  /** `--rate-scale F`: multiplies every capacity (pools at least 1). */
  rateScale: z.number().positive().max(100).default(1),
  /**
   * The wallet list (GET /v2/wallet, /v1/wallet) calls SIA's card services synchronously, on
   * the same connections as card additions and authorisations [seed 001]. Default true.
   */
  walletListCallsBanking: z.boolean().default(true),
  /**
   * A bulkhead: the wallet list gets worker threads and banking connections of its own (a
   * quarter of each pool, added), so saturated card authorisations cannot starve it. Default false: none in 2020 [seed 001:
   * the excess requests overloaded the banking services the wallet interacts with].
   */
  bulkhead: z.boolean().default(false),
  /**
   * Pools wait without limit, as a servlet container's executor and an HTTP client's
   * connection pool do by default. false: a wait longer than `boundedWaitMs` fails at once
   * (503), which is what load shedding would have given. Default true (ASSUMPTION: no public
   * source on PM's queueing; the brief notes none was found, and nothing contradicts it).
   */
  unboundedWaits: z.boolean().default(true),
  /** With unboundedWaits false: the longest a request waits for a thread or a connection. */
  boundedWaitMs: z.number().int().min(1).max(600_000).default(2000),
  /**
   * The payment manager's read timeout on SIA's card services, ms: longer than the app's 16 s
   * PM timeout [S6 ffce56d4], so the server keeps working for a client that has left. Default
   * 30,000 (ASSUMPTION: a common Java HTTP client setting; PM internals are closed source).
   */
  downstreamTimeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  /**
   * io-backend's timeout on a profile look-up, ms; past it the look-up is a system error.
   * Default 10,000 (ASSUMPTION).
   */
  profileTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
  /**
   * io-backend answers a Redis or system error with 401 (and the app logs the user out: a
   * SPID re-login) instead of 500. Default true: the behaviour until the commits of 4-7 Dec
   * [S4 d2316d8d, 68ea91c8]; set false for the server of 8 Dec.
   */
  systemErrorsAs401: z.boolean().default(true),
  /**
   * PM's getUser reads notice_email from a cache instead of looking the profile up on every
   * start-session. Default false: the cache (ENABLE_NOTICE_EMAIL_CACHE) came with the 4-7 Dec
   * commits [S4 4c11a09e, 729f30bc].
   */
  noticeEmailCache: z.boolean().default(false),
  /**
   * Admission control and load shedding (picco's resilience layer: bulkheads per route class,
   * rate limits, shedding). Default false: no public source names any in PM or io-backend, and
   * the brief found none [section 4, last line].
   */
  admissionControl: z.boolean().default(false),
  bankingCallMs: msRange.default(NATIONAL_CAPACITY.bankingCallMs),
  profileLookupMs: msRange.default(NATIONAL_CAPACITY.profileLookupMs),
}).strict();

export type Architecture2020Options = z.input<typeof architecture2020Schema>;
export type Architecture2020Switches = z.output<typeof architecture2020Schema>;

export interface Architecture2020 extends Architecture2020Switches {
  architecture: '2020';
  /** Pool sizes after --rate-scale (what this server runs with). */
  capacity: {
    bankingConnections: number; walletListConnections: number; pmThreads: number; walletListThreads: number; profileLookups: number;
  };
}

const scaled = (n: number, f: number): number => Math.max(1, Math.round(n * f));

/** Defaults merged with `opts`, capacities scaled; throws a ZodError listing every problem. */
export function resolveArchitecture2020(opts: Architecture2020Options = {}): Architecture2020 {
  const s = architecture2020Schema.parse(opts);
  const f = s.rateScale;
  return {
    architecture: '2020',
    ...s,
    capacity: {
      bankingConnections: scaled(NATIONAL_CAPACITY.bankingConnections, f),
      walletListConnections: s.bulkhead ? scaled(NATIONAL_CAPACITY.bankingConnections / 4, f) : 0,
      pmThreads: scaled(NATIONAL_CAPACITY.pmThreads, f),
      walletListThreads: s.bulkhead ? scaled(NATIONAL_CAPACITY.pmThreads / 4, f) : 0,
      profileLookups: scaled(NATIONAL_CAPACITY.profileLookups, f),
    },
  };
}
