/**
 * A JourneyClient that sends each request to the real reference server through
 * `app.request()` (no socket): the same request the engine would send, resolved against the three
 * API bases of one origin. Sleeps are skipped (journeys are tested for what they send and count,
 * not for their timing). Counts, checks and every request's endpoint and status are recorded.
 */
import type { Arrival, Journey, JourneyClient, RequestSpec, ResponseResult } from '../../harness/scenario/types.ts';
import type { ReferenceApp } from '../../reference-server/src/app.ts';

const BASES = { io: '', pm: '/pp-restapi-CD', bpd: '' } as const;

export class AppJourneyClient implements JourneyClient {
  readonly counts = new Map<string, number>();
  readonly checks = new Map<string, { pass: number; fail: number }>();
  readonly sent: { endpoint: string; status: number }[] = [];
  private rnd = 0x9e3779b9;

  constructor(private readonly app: ReferenceApp['app']) {}

  async request(spec: RequestSpec): Promise<ResponseResult> {
    const started = performance.now();
    const headers: Record<string, string> = { ...spec.headers };
    const res = await this.app.request(BASES[spec.origin as keyof typeof BASES] + spec.path, {
      method: spec.method,
      headers,
      ...(spec.body !== undefined ? { body: typeof spec.body === 'string' ? spec.body : new Uint8Array(spec.body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    if ((res.headers.get('content-type') ?? '').includes('json') && text.length > 0) json = JSON.parse(text);
    const expect = spec.expect;
    const ok = expect ? expect.includes(res.status) : res.status >= 200 && res.status < 300;
    this.sent.push({ endpoint: spec.endpoint, status: res.status });
    const ms = performance.now() - started;
    const out: ResponseResult = { status: res.status, json, ok, latencyMs: ms, serviceMs: ms };
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) out.location = loc;
    if (!ok) out.failure = 'unexpected_status';
    return out;
  }

  async sleep(_ms: number): Promise<void> {}

  check(name: string, ok: boolean): void {
    const c = this.checks.get(name) ?? { pass: 0, fail: 0 };
    if (ok) c.pass++;
    else c.fail++;
    this.checks.set(name, c);
  }

  count(outcome: string, n = 1): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + n);
  }

  random(): number {
    this.rnd = (this.rnd * 1664525 + 1013904223) >>> 0;
    return this.rnd / 2 ** 32;
  }

  n(outcome: string): number {
    return this.counts.get(outcome) ?? 0;
  }

  failedChecks(): string[] {
    return [...this.checks].filter(([, v]) => v.fail > 0).map(([k, v]) => `${k}: ${v.fail} failed`);
  }

  statuses(endpoint: string): number[] {
    return this.sent.filter((s) => s.endpoint === endpoint).map((s) => s.status);
  }
}

export async function walk<P>(client: AppJourneyClient, journey: Journey<P>, citizen: number, params: P, index = 0): Promise<void> {
  const arrival: Arrival = { index, citizen, intendedMs: 0 };
  await journey.run(client, arrival, params);
}
