// The register as CSV, one row per risk of the filtered list.
import { toCsv } from '../../segments/csv.ts';
import type { RiskSummary } from '../contract.ts';

const COLUMNS = [
  'id', 'title', 'category', 'owner', 'status',
  'inherent_likelihood', 'inherent_impact', 'inherent_score', 'inherent_level',
  'residual_likelihood', 'residual_impact', 'residual_score', 'residual_level',
  'response', 'acceptance_approver', 'acceptance_expires', 'acceptance_expired',
  'next_review', 'review_overdue', 'review_flagged', 'open_actions', 'overdue_actions',
] as const;

export function registerCsv(risks: RiskSummary[]): string {
  return toCsv(COLUMNS, risks.map((r) => ({
    id: r.id,
    title: r.title,
    category: r.category,
    owner: r.owner,
    status: r.status,
    inherent_likelihood: r.inherent.likelihood,
    inherent_impact: r.inherent.impact,
    inherent_score: r.inherent.score,
    inherent_level: r.inherent.level,
    residual_likelihood: r.residual?.likelihood,
    residual_impact: r.residual?.impact,
    residual_score: r.residual?.score,
    residual_level: r.residual?.level,
    response: r.response,
    acceptance_approver: r.acceptance?.approver,
    acceptance_expires: r.acceptance?.expires,
    acceptance_expired: r.acceptance?.expired,
    next_review: r.nextReview,
    review_overdue: r.reviewOverdue,
    review_flagged: r.reviewFlagged,
    open_actions: r.openActions,
    overdue_actions: r.overdueActions,
  })));
}
