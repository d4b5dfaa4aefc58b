import { describe, expect, it } from 'vitest';
import { GradientLimiter } from '../../reference-server/src/admission/gradient-limiter.ts';
import { BreakerOpenError, CircuitBreaker } from '../../reference-server/src/admission/circuit-breaker.ts';
import { Bulkhead } from '../../reference-server/src/admission/bulkhead.ts';
import { guardDownstream, DownstreamTimeoutError } from '../../reference-server/src/admission/downstream-guard.ts';
import { classifyRoute, CLASS_DEFAULTS } from '../../reference-server/src/admission/route-classes.ts';

/** Drives the limiter at full use with a given RTT for n samples. */
let fakeNow = 0;
const now = () => fakeNow;
function drive(lim: GradientLimiter, rtt: number, n: number): void {
  for (let i = 0; i < n; i++) {
    fakeNow += 1;
    while (lim.tryAcquire()) { /* fill every slot: not app-limited */ }
    lim.release(rtt, 'ok');
  }
}

describe('GradientLimiter', () => {
  it('grows the limit while latency stays at its baseline and the limit is in use', () => {
    const lim = new GradientLimiter({ initial: 10, min: 2, max: 200, now });
    drive(lim, 5, 300);
    expect(lim.limit).toBeGreaterThan(50);
  });

  it('shrinks the limit when queueing inflates latency over the baseline', () => {
    const lim = new GradientLimiter({ initial: 10, min: 2, max: 200, now });
    drive(lim, 5, 300);
    const grown = lim.limit;
    drive(lim, 40, 60);
    expect(lim.limit).toBeLessThan(grown / 2);
  });

  it('never leaves [min, max]', () => {
    const lim = new GradientLimiter({ initial: 10, min: 4, max: 30, now });
    drive(lim, 5, 2000);
    expect(lim.limit).toBe(30);
    drive(lim, 5000, 2000);
    expect(lim.limit).toBe(4);
    for (let i = 0; i < 100; i++) { lim.tryAcquire(); lim.release(1, 'dropped'); }
    expect(lim.limit).toBe(4);
  });

  it('does not learn a bigger limit while the class uses less than half of it', () => {
    const lim = new GradientLimiter({ initial: 20, min: 2, max: 200 });
    for (let i = 0; i < 1000; i++) { lim.tryAcquire(); lim.release(5, 'ok'); }
    expect(lim.limit).toBe(20);
  });

  it('refuses a slot when in-flight reaches the limit and frees it on release', () => {
    const lim = new GradientLimiter({ initial: 3, min: 1, max: 3 });
    expect([lim.tryAcquire(), lim.tryAcquire(), lim.tryAcquire(), lim.tryAcquire()]).toEqual([true, true, true, false]);
    lim.release(1, 'ignore');
    expect(lim.tryAcquire()).toBe(true);
  });

  it('shrinks on a drop (timeout) whatever its RTT', () => {
    const lim = new GradientLimiter({ initial: 100, min: 2, max: 200 });
    lim.tryAcquire();
    lim.release(1, 'dropped');
    expect(lim.limit).toBe(90);
  });
});

describe('CircuitBreaker', () => {
  const clock = () => { let t = 0; return { now: () => t, advance: (ms: number) => { t += ms; } }; };

  it('opens after the failure threshold within the window and refuses at once', () => {
    const k = clock();
    const b = new CircuitBreaker('acquirer', { window: 10, failureThreshold: 5, minCalls: 5, openMs: 1000, now: k.now });
    for (let i = 0; i < 4; i++) b.onFailure();
    expect(b.state).toBe('closed');
    b.onFailure();
    expect(b.state).toBe('open');
    expect(() => b.admit()).toThrow(BreakerOpenError);
  });

  it('stays closed when failures are spread below the threshold', () => {
    const b = new CircuitBreaker('x', { window: 10, failureThreshold: 5, minCalls: 5 });
    for (let i = 0; i < 100; i++) { if (i % 3 === 0) b.onFailure(); else b.onSuccess(); }
    expect(b.state).toBe('closed');
  });

  it('half-opens after openMs, closes after the probes succeed, reopens on a failed probe', () => {
    const k = clock();
    const b = new CircuitBreaker('x', { window: 4, failureThreshold: 2, minCalls: 2, openMs: 1000, halfOpenProbes: 2, now: k.now });
    b.onFailure(); b.onFailure();
    expect(b.state).toBe('open');
    k.advance(1000);
    expect(b.state).toBe('half-open');
    b.admit(); b.admit();
    expect(() => b.admit()).toThrow(BreakerOpenError);
    b.onSuccess(); b.onSuccess();
    expect(b.state).toBe('closed');
    b.onFailure(); b.onFailure();
    k.advance(1000);
    b.admit();
    b.onFailure();
    expect(b.state).toBe('open');
  });

  it('refuses with the time left before a probe is allowed', () => {
    const k = clock();
    const b = new CircuitBreaker('x', { window: 2, failureThreshold: 1, minCalls: 1, openMs: 2000, now: k.now });
    b.onFailure();
    k.advance(500);
    try { b.admit(); expect.unreachable(); } catch (e) { expect((e as BreakerOpenError).retryAfterMs).toBe(1500); }
  });
});

describe('guardDownstream', () => {
  it('times a slow downstream out below the client timeout and opens its breaker', async () => {
    const slow = { call: () => new Promise<string>((r) => setTimeout(() => r('late'), 200)), depth: 3 };
    const g = guardDownstream('acs', slow, { timeoutMs: 20, window: 2, failureThreshold: 2, minCalls: 2, openMs: 10_000 });
    await expect(g.call()).rejects.toBeInstanceOf(DownstreamTimeoutError);
    await expect(g.call()).rejects.toBeInstanceOf(DownstreamTimeoutError);
    expect(g.breaker.state).toBe('open');
    const t0 = performance.now();
    await expect(g.call()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(performance.now() - t0).toBeLessThan(15);
    expect(g.depth).toBe(3);
  });

  it('refuses a budget at or above the client timeout of 16 s', () => {
    expect(() => guardDownstream('x', {}, { timeoutMs: 16_000 })).toThrow(/below the client/);
  });
});

describe('Bulkhead', () => {
  it('lets a waiter in when a slot frees before maxWaitMs', async () => {
    const bh = new Bulkhead('t', { ...CLASS_DEFAULTS['card-write'], initial: 1, min: 1, max: 1, maxQueue: 2, maxWaitMs: 1000 });
    expect(bh.tryEnter()).toBe(true);
    const w = bh.wait();
    bh.leave(1, 'ignore');
    await expect(w).resolves.toBe(true);
    bh.close();
  });

  it('refuses at once when the queue is full and refuses waiters older than maxWaitMs', async () => {
    const bh = new Bulkhead('t', { ...CLASS_DEFAULTS['card-write'], initial: 1, min: 1, max: 1, maxQueue: 1, maxWaitMs: 30 });
    expect(bh.tryEnter()).toBe(true);
    const w1 = bh.wait();
    await expect(bh.wait()).resolves.toBe(false);
    await expect(w1).resolves.toBe(false);
    bh.close();
  });
});

describe('classifyRoute', () => {
  it('puts card additions, wallet reads and /info in separate compartments', () => {
    expect(classifyRoute('POST', '/pp-restapi-CD/v1/wallet/cc')).toBe('card-write');
    expect(classifyRoute('GET', '/pp-restapi-CD/v2/wallet')).toBe('wallet-read');
    expect(classifyRoute('GET', '/info')).toBe('io-light');
    expect(classifyRoute('PUT', '/bpd/io/payment-instruments/abc')).toBe('bpd-write');
    expect(classifyRoute('GET', '/metrics')).toBeNull();
  });

  it('never sheds the rehearsal\'s control routes (releasing the update must not be refused under load)', () => {
    expect(classifyRoute('PUT', '/__picco/info')).toBeNull();
    expect(classifyRoute('GET', '/__picco/architecture')).toBeNull();
  });

  it('keeps logins, PM session starts and logouts (durable writes) out of the compartment of /info and the session reads', () => {
    for (const [m, p] of [['POST', '/test-login'], ['GET', '/pp-restapi-CD/v1/users/actions/start-session'], ['POST', '/logout']] as const) {
      expect(classifyRoute(m, p)).toBe('session-write');
    }
    for (const [m, p] of [['GET', '/info'], ['GET', '/api/v1/session'], ['GET', '/api/v1/profile'], ['GET', '/pp-restapi-CD/v1/bancomat/abi']] as const) {
      expect(classifyRoute(m, p)).toBe('io-light');
    }
  });
});
