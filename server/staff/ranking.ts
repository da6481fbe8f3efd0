// Sales ranking: by revenue, highest first, ties by staff_id; only people with a valid order in
// the period are ranked. Movement compares with the previous period's ranking.
import type { Ranking, SalesFigures } from './contract.ts';

/** staff_id → rank (1 = highest revenue) over the people with at least one order. */
export function rankByRevenue(figures: Map<string, SalesFigures>): Map<string, number> {
  const ranked = [...figures].filter(([, f]) => f.orders > 0)
    .sort(([a, fa], [b, fb]) => fb.revenue - fa.revenue || (a < b ? -1 : a > b ? 1 : 0));
  return new Map(ranked.map(([id], k) => [id, k + 1]));
}

export function rankingOf(staffId: string, current: Map<string, number>, previous: Map<string, number>): Ranking {
  const rank = current.get(staffId) ?? null;
  const previousRank = previous.get(staffId) ?? null;
  return {
    rank,
    previous_rank: previousRank,
    movement: rank !== null && previousRank !== null ? previousRank - rank : null,
    new_entry: rank !== null && previousRank === null,
  };
}
