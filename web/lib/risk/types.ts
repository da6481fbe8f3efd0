// The risk API's shapes, straight from the server's contract (type-only: zod stays on the
// server), plus the value lists the Risk pages offer in their pickers.
import type {
  ActionStatus,
  Category,
  Compare,
  Direction,
  IndicatorSource,
  IndicatorState,
  Response,
  RiskLevel,
  RiskStatus,
  StatRule,
} from '../../../server/risk/contract.ts';

export type {
  ActionStatus,
  Alert,
  Assessment,
  AlertsReply,
  Category,
  Compare,
  Direction,
  HeatmapReply,
  HistoryEntry,
  Indicator,
  IndicatorInput,
  IndicatorSeriesReply,
  IndicatorSource,
  IndicatorState,
  IndicatorsReply,
  IndicatorWithState,
  OutboxDetail,
  OutboxMessage,
  OutboxReply,
  Response,
  RiskAction,
  RiskDetail,
  RiskLevel,
  RiskMatrix,
  RiskStatus,
  RiskSummary,
  RisksReply,
  StatRule,
  TimelineEntry,
} from '../../../server/risk/contract.ts';

export const CATEGORY_LIST = ['market', 'legal', 'credit', 'technical', 'operational'] as const satisfies readonly Category[];
export const RISK_STATUS_LIST = ['identified', 'assessed', 'treating', 'monitoring', 'closed'] as const satisfies readonly RiskStatus[];
export const RISK_LEVEL_LIST = ['low', 'medium', 'high', 'critical'] as const satisfies readonly RiskLevel[];
export const RESPONSE_LIST = ['avoid', 'reduce', 'transfer', 'accept'] as const satisfies readonly Response[];
export const ACTION_STATUS_LIST = ['open', 'in_progress', 'done', 'cancelled'] as const satisfies readonly ActionStatus[];
export const SOURCE_LIST = ['kpi', 'query', 'freshness', 'ingest_rejection'] as const satisfies readonly IndicatorSource[];
export const DIRECTION_LIST = ['higher_is_worse', 'lower_is_worse'] as const satisfies readonly Direction[];
export const COMPARE_MODES = ['none', 'previous', 'yoy'] as const satisfies readonly Compare[];
export const STAT_RULE_LIST = ['none', 'wilson', 'ewma', 'sigma3'] as const satisfies readonly StatRule[];
export const STATE_LIST = ['ok', 'pending', 'warning', 'critical', 'recovering', 'insufficient_data', 'error'] as const satisfies readonly IndicatorState[];

/** Worst first: how alerts and indicators are ordered. */
const STATE_RANK: Record<IndicatorState, number> = { critical: 0, warning: 1, recovering: 2, error: 3, pending: 4, insufficient_data: 5, ok: 6 };

export function stateRank(state: IndicatorState | null): number {
  return state ? STATE_RANK[state] : 7;
}

/** The next status of the risk workflow, or null at its end. */
export function nextStatus(status: RiskStatus): RiskStatus | null {
  const i = RISK_STATUS_LIST.indexOf(status);
  return i >= 0 && i < RISK_STATUS_LIST.length - 1 ? RISK_STATUS_LIST[i + 1] : null;
}

/** Roles that act on alerts and indicators (the server checks the same). */
export function canOperate(role: string | undefined): boolean {
  return role === 'analyst' || role === 'risk_owner' || role === 'admin';
}

/** Roles that create risks and edit those they may (a risk owner their own; the server checks the same). */
export function canEditRisks(role: string | undefined): boolean {
  return role === 'risk_owner' || role === 'admin';
}
