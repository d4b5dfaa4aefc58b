/**
 * A planner's own launch, written on picco's public scenario API only: a concert's ticket sale
 * opens at 10:00. Fans log in on the identity service (origin `auth`), then on the shop (origin
 * `shop`, every path under /v1) they list the events, most of them press "buy", and one in ten
 * presses it again because the first answer was slow. Two origins, two hosts: run it with
 *
 *   npx picco run examples/ticket-sale.ts --target auth=http://127.0.0.1:8081 --target shop=http://127.0.0.1:8082 --duration 10s
 *
 * `expected` holds the requests per endpoint the plan predicts, so a run can be checked against
 * it: `picco plan examples/ticket-sale.ts` prints them without a socket.
 */
import { arrivalsOf, constantArrivalRate, defineScenario, rampingArrivalRate, type Journey, type ScenarioOptions } from 'picco/scenario';

/** Fans per second at the opening (x --scale); the first 2 s of the sale ramp up to it. */
const OPENING_RATE = 40;
const RAMP_S = 2;
const BUY_SHARE = 0.8;
const AGAIN_SHARE = 0.1;

interface Fan {
  /** Think time between pages, ms (compressed by --speed). */
  thinkMs: number;
}

const buyTicket: Journey<Fan> = {
  name: 'buy-ticket',
  async run(c, arrival, fan) {
    const login = await c.request({
      origin: 'auth', method: 'POST', path: '/login', endpoint: 'POST /login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: `fan-${arrival.citizen}` }), expect: [200],
    });
    const token = (login.json as { token?: string } | undefined)?.token;
    c.check('login gives a token', typeof token === 'string');
    if (token === undefined) return;
    const auth = { authorization: `Bearer ${token}` };
    const events = await c.request({ origin: 'shop', method: 'GET', path: '/events', endpoint: 'GET /events', headers: auth, expect: [200] });
    c.check('events are listed', Array.isArray((events.json as { events?: unknown } | undefined)?.events));
    await c.sleep(fan.thinkMs);
    // decided from the arrival's own seeded random, so the counts per endpoint are the plan's
    const buys = c.random() < BUY_SHARE;
    const again = c.random() < AGAIN_SHARE;
    if (!buys) return c.count('browsed');
    const order = { event: 'opening-night', seats: 2 };
    const body = JSON.stringify(order);
    const headers = { ...auth, 'content-type': 'application/json' };
    const r = await c.request({ origin: 'shop', method: 'POST', path: '/orders', endpoint: 'POST /orders', headers, body, expect: [201] });
    c.count(r.ok ? 'ordered' : 'order_failed');
    if (again) await c.request({ origin: 'shop', method: 'POST', path: '/orders', endpoint: 'POST /orders', headers, body, expect: [201, 409] });
  },
};

function build({ scale, speed, durationS: cut, seed }: ScenarioOptions) {
  const rate = OPENING_RATE * scale;
  const durationS = cut ?? 60 / speed;
  const steadyS = Math.max(0, durationS - RAMP_S);
  const executor = steadyS > 0
    ? rampingArrivalRate({ startRate: rate / 4, stages: [{ durationS: RAMP_S, target: rate }, { durationS: steadyS, target: rate }] })
    : constantArrivalRate({ rate, durationS });
  const fans = arrivalsOf(executor);
  return {
    scenario: 'ticket-sale',
    durationS,
    expected: { 'POST /login': fans, 'GET /events': fans },
    slo: ['http_req_failed: rate<0.01', 'http_req_duration: p(99)<500', 'checks: rate>0.99'],
    notes: [`${fans} fans at up to ${rate}/s; ${BUY_SHARE * 100} % buy, ${AGAIN_SHARE * 100} % of them press buy twice (seed ${seed}).`],
    streams: [{ name: 'fans', journey: buyTicket, params: { thinkMs: 500 / speed }, executor }],
  };
}

export default defineScenario({
  name: 'ticket-sale',
  description: 'a ticket sale opening: login on one origin, events and orders on the other',
  origins: { auth: {}, shop: { basePath: '/v1' } },
  build,
});
