// A stored risk as the API shows it: scored through the matrix and flagged against today.
import type { IndicatorWithState, RiskMatrix, RiskSummary } from '../contract.ts';
import { fromDbTime } from '../../db/time.ts';
import { worstState } from '../indicatorStore.ts';
import { assess } from './matrix.ts';
import { isPast } from './reviews.ts';
import type { RiskRow } from './store.ts';

export interface LiveState {
  indicators: IndicatorWithState[];
  openAlerts: number;
}

export function toSummary(row: RiskRow, m: RiskMatrix, today: string, live: LiveState): RiskSummary {
  const residual = row.residual_likelihood !== null && row.residual_impact !== null ? assess(row.residual_likelihood, row.residual_impact, m) : null;
  const accepted = row.response === 'accept' && row.acceptance_approver !== null && row.acceptance_expires !== null;
  return {
    id: row.id,
    title: row.title,
    category: row.category,
    owner: row.owner,
    status: row.status,
    inherent: assess(row.inherent_likelihood, row.inherent_impact, m),
    residual,
    response: row.response,
    acceptance: accepted ? { approver: row.acceptance_approver!, expires: row.acceptance_expires!, expired: isPast(row.acceptance_expires!, today) } : null,
    nextReview: row.next_review,
    reviewOverdue: isPast(row.next_review, today),
    reviewFlagged: row.review_flagged,
    reviewReason: row.review_reason,
    openActions: row.open_actions,
    overdueActions: row.overdue_actions,
    indicatorState: worstState(live.indicators.flatMap((i) => (i.worst ? [i.worst] : []))),
    openAlerts: live.openAlerts,
    updatedAt: fromDbTime(row.updated_at),
  };
}
