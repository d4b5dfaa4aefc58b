/**
 * The faults profile: how the simulated downstream services (and, optionally, the server's own
 * routes) behave. Given with `picco serve --faults FILE` (JSON) and replaced at run time with
 * `PUT /__picco/faults`. Every key is optional; omitted keys keep their defaults, which are fast
 * (a few milliseconds) and error-free, so an unconfigured server is quick. Unknown keys are
 * rejected, all problems are reported at once.
 *
 * Format (all times in milliseconds, rates in [0, 1]):
 * ```json
 * {
 *   "downstream": {
 *     "acquirer":  { "latency": { "kind": "lognormal", "medianMs": 3, "p99Ms": 12 },
 *                    "concurrency": 256, "queueLimit": 10000, "timeoutMs": 30000, "errorRate": 0 },
 *     "acs":       { "latency": { "kind": "fixed", "ms": 2 }, "denyRate": 0 },
 *     "iccrea":    { "latency": { "kind": "uniform", "minMs": 2, "maxMs": 6 } },
 *     "nexi":      { "errorRate": 0.2 },
 *     "sia":       { "concurrency": 8 },
 *     "ibanCheck": { "koRate": 0.05, "unknownPspRate": 0.02 }
 *   },
 *   "routes": {
 *     "GET /pp-restapi-CD/v2/wallet": { "errorRate": 0.3, "errorStatus": 404,
 *                                      "maxConcurrency": 200, "overloadStatus": 503,
 *                                      "latency": { "kind": "fixed", "ms": 50 } },
 *     "DELETE /bpd/io/citizen": { "cascadeFailureRate": 0.1 }
 *   }
 * }
 * ```
 * - `latency`: `fixed {ms}`, `uniform {minMs, maxMs}` or `lognormal {medianMs, p99Ms}`; served
 *   with timers, never busy waits.
 * - `concurrency`: calls served at once; more wait in a FIFO queue of at most `queueLimit`
 *   (beyond it a call is rejected at once); a call that has waited plus run longer than
 *   `timeoutMs` fails as a timeout.
 * - `errorRate`: probability a served call fails (acquirer/ACS: 503 to the client; a PagoBancomat
 *   processor: its message gets code 99; the IBAN check: UNKNOWN_PSP, as the real 501/502 did).
 * - `denyRate` (acs): probability 3DS is refused (the card stays unverified).
 * - `koRate` / `unknownPspRate` (ibanCheck): share of IBANs that the bank reports as not owned /
 *   cannot verify; decided by a hash of the IBAN, so the same IBAN always gets the same answer.
 * - `routes`: keys are `METHOD /pattern` exactly as in openapi.yaml. `errorRate` fails that share
 *   of requests with `errorStatus` (default 503); `maxConcurrency` fails requests beyond that many
 *   in flight in this process with `overloadStatus` (default 503); `latency` delays the handler;
 *   `cascadeFailureRate` (DELETE /bpd/io/citizen only) fails the opt-out mid-cascade, rolled back.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);
const ms = z.number().min(0).max(600_000);

export const latencySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), ms }).strict(),
  z.object({ kind: z.literal('uniform'), minMs: ms, maxMs: ms }).strict()
    .refine((l) => l.maxMs >= l.minMs, { message: 'maxMs must be >= minMs' }),
  z.object({ kind: z.literal('lognormal'), medianMs: ms.positive(), p99Ms: ms.positive() }).strict()
    .refine((l) => l.p99Ms >= l.medianMs, { message: 'p99Ms must be >= medianMs' }),
]);
export type Latency = z.infer<typeof latencySchema>;

const serviceShape = {
  latency: latencySchema.optional(),
  concurrency: z.number().int().min(1).max(1_000_000).optional(),
  queueLimit: z.number().int().min(0).max(10_000_000).optional(),
  timeoutMs: ms.positive().optional(),
  errorRate: rate.optional(),
};
const serviceSchema = z.object(serviceShape).strict();
const acsSchema = z.object({ ...serviceShape, denyRate: rate.optional() }).strict();
const ibanSchema = z.object({ ...serviceShape, koRate: rate.optional(), unknownPspRate: rate.optional() }).strict();

export const SERVICE_NAMES = ['acquirer', 'acs', 'iccrea', 'nexi', 'sia', 'ibanCheck'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const routeFaultSchema = z.object({
  errorRate: rate.optional(),
  errorStatus: z.number().int().min(400).max(599).optional(),
  maxConcurrency: z.number().int().min(0).optional(),
  overloadStatus: z.number().int().min(400).max(599).optional(),
  latency: latencySchema.optional(),
  cascadeFailureRate: rate.optional(),
}).strict();
export type RouteFault = z.infer<typeof routeFaultSchema>;

export const faultsSchema = z.object({
  downstream: z.object({
    acquirer: serviceSchema.optional(),
    acs: acsSchema.optional(),
    iccrea: serviceSchema.optional(),
    nexi: serviceSchema.optional(),
    sia: serviceSchema.optional(),
    ibanCheck: ibanSchema.optional(),
  }).strict().optional(),
  routes: z.record(z.string().regex(/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, 'route keys read "METHOD /path/pattern"'),
    routeFaultSchema).optional(),
}).strict();
export type FaultsProfile = z.infer<typeof faultsSchema>;

export interface ServiceConfig {
  latency: Latency;
  concurrency: number;
  queueLimit: number;
  timeoutMs: number;
  errorRate: number;
  denyRate: number;
  koRate: number;
  unknownPspRate: number;
}

const BASE: ServiceConfig = {
  latency: { kind: 'uniform', minMs: 1, maxMs: 3 }, concurrency: 1024, queueLimit: 100_000, timeoutMs: 30_000,
  errorRate: 0, denyRate: 0, koRate: 0, unknownPspRate: 0,
};

/** Defaults merged with a profile: what each simulated service does now. */
export function resolveService(profile: FaultsProfile, name: ServiceName): ServiceConfig {
  const p = (profile.downstream?.[name] ?? {}) as Partial<ServiceConfig>;
  const out: ServiceConfig = { ...BASE };
  for (const [k, v] of Object.entries(p)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

/** Formats zod issues as `path: message` lines (all of them). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Parses a profile from JSON text; throws an Error listing every problem. */
export function parseFaults(text: string, source: string): FaultsProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const r = faultsSchema.safeParse(raw);
  if (!r.success) throw new Error(`${source}: ${describeIssues(r.error).join('; ')}`);
  return r.data;
}
