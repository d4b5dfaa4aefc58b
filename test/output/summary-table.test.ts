/** The human summary's "outcomes vs plan" rows: what the scenario predicted next to what happened. */
import { describe, expect, it } from 'vitest';
import { outcomesVsPlan } from '../../harness/output/table.ts';

describe('outcomes vs plan', () => {
  it('pairs every predicted outcome the run counted, skipping launch-scale figures', () => {
    const rows = outcomesVsPlan({
      outcomes: { cards_added: 434, card_422_on_readd: 119, unplanned: 3 },
      expected: { cards_added: 440, card_422_on_readd: 119, requests: 128_165, 'launch.ops_8dec': 23_300, enrollments: 0 },
    });
    expect(rows).toEqual([
      { name: 'cards_added', observed: 434, planned: 440, ratio: '0.99' },
      { name: 'card_422_on_readd', observed: 119, planned: 119, ratio: '1.00' },
    ]);
  });
});
