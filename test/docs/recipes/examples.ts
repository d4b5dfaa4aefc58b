/** docs/scenarios.md "Rehearse your own launch": the example's commands, run by the example's own test. */
import type { Entry } from '../recipe.ts';

const BY = 'test/examples/ticket-sale.test.ts';
const WHY = `${BY} runs it against the two small HTTP services the example needs (an identity service and a shop under /v1, started by the test on free ports instead of 8081 and 8082), with --duration 3s, and checks what each origin received against the plan`;

export const examples: Entry[] = [
  { doc: ['npx picco plan examples/ticket-sale.ts --duration 10s'], by: BY, marker: "picco(['plan', file, '--duration'", why: WHY },
  {
    doc: ['npx picco run examples/ticket-sale.ts --target auth=http://127.0.0.1:8081 --target shop=http://127.0.0.1:8082 --duration 10s'],
    by: BY, marker: "'--target', `shop=${shop.url}`", why: WHY,
  },
  {
    doc: ['npx picco run examples/ticket-sale.ts --target auth=http://127.0.0.1:8081 --target shop=http://127.0.0.1:8082 --duration 10s --segment 1/2 --out out/seg1'],
    by: BY, marker: "'--segment', '1/2'", why: `${WHY}; both segments, then picco report --merge`,
  },
  { doc: ['npx picco export k6 examples/ticket-sale.ts --out out/k6'], by: BY, marker: "picco(['export', 'k6', EXAMPLE", why: `${BY} exports it and runs the script under the k6 module double` },
];
