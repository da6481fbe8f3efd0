// How indicator values, thresholds, states and risk levels are shown on the Risk pages.
import { fmtNumber, hasKey, t, type MessageKey } from '$lib/i18n.svelte';
import { DASH, formatCompact, formatValue, unitName } from '$lib/kpi/format';
import type { IndicatorState, IndicatorWithState, RiskLevel } from './types';

export type IndicatorUnit = IndicatorWithState['unit'];

/** An indicator value in its unit; relative changes (compare ≠ none) are always percentages. */
export function formatIndicator(value: number | null | undefined, unit: IndicatorUnit, relative = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (relative) return formatValue(value, 'percent');
  if (unit === 'hours') return t('risk.hours', { n: fmtNumber(value, { maximumFractionDigits: 1 }) });
  return formatValue(value, unit);
}

export function compactIndicator(value: number, unit: IndicatorUnit, relative = false): string {
  if (relative) return formatCompact(value, 'percent');
  if (unit === 'hours') return t('risk.hours', { n: fmtNumber(value, { maximumFractionDigits: 0 }) });
  return formatCompact(value, unit);
}

/**
 * Thresholds are stored in the KPI's unit (rates as fractions); people type them the way the
 * value is shown: percent as %, per mille as ‰.
 */
export function displayFactor(unit: IndicatorUnit, relative = false): number {
  if (relative || unit === 'percent') return 100;
  if (unit === 'permille') return 1000;
  return 1;
}

/** What a threshold is typed in: a symbol next to the field, or the unit's name. */
export function unitSuffix(unit: IndicatorUnit, relative = false): string {
  if (relative || unit === 'percent') return '%';
  if (unit === 'permille') return '‰';
  if (unit === 'hours') return t('risk.unit.hours');
  return unitName(unit);
}

/** A stored threshold as the number typed into the form (no float noise: 0.035 × 100 = 3.5). */
export function toDisplay(value: number, factor: number): number {
  return Number((value * factor).toPrecision(12));
}

export function fromDisplay(value: number, factor: number): number {
  return Number((value / factor).toPrecision(12));
}

export type Tone = 'danger' | 'warning' | 'success' | 'accent' | 'neutral';

export function stateTone(state: IndicatorState | null): Tone {
  switch (state) {
    case 'critical':
    case 'error':
      return 'danger';
    case 'warning':
    case 'pending':
      return 'warning';
    case 'recovering':
      return 'accent';
    case 'ok':
      return 'success';
    default:
      return 'neutral';
  }
}

/** The fill of a heat-map cell by its matrix level. */
export const LEVEL_FILL: Record<RiskLevel, string> = { low: '#cfe8d8', medium: '#f6e7b0', high: '#f5c9a0', critical: '#eea49d' };

/** Line colours of the three thresholds in history charts. */
export const THRESHOLD_COLOR = { warning: '#c98a00', critical: '#b42318', clear: '#1b7a43' } as const;

/** The level of a matrix score (the matrix gives the lowest score of each level). */
export function levelOfScore(score: number, levels: { medium: number; high: number; critical: number }): RiskLevel {
  return score >= levels.critical ? 'critical' : score >= levels.high ? 'high' : score >= levels.medium ? 'medium' : 'low';
}

/** The register's column names as the history shows them. */
const HISTORY_FIELDS: Record<string, MessageKey> = {
  title: 'risk.field.title',
  description: 'risk.field.description',
  category: 'risk.field.category',
  owner: 'risk.field.owner',
  status: 'risk.field.status',
  due: 'risk.action.dueLabel',
  inherent_likelihood: 'risk.field.inherentL',
  inherent_impact: 'risk.field.inherentI',
  residual_likelihood: 'risk.field.residualL',
  residual_impact: 'risk.field.residualI',
  response: 'risk.field.response',
  acceptance_approver: 'risk.field.approver',
  acceptance_expires: 'risk.field.expires',
  next_review: 'risk.field.nextReview',
  review_flagged: 'risk.flag.reviewTitle',
  review_reason: 'risk.hist.reviewReason',
};

export function historyField(field: string): string {
  const known = HISTORY_FIELDS[field];
  if (known) return t(known);
  const action = /^action (\d+)(?: (\w+))?$/.exec(field);
  if (action) return [t('risk.hist.action', { id: action[1] }), action[2] ? historyField(action[2]) : ''].filter(Boolean).join(' · ');
  return field;
}

/** A history value: workflow statuses, categories and responses in the current language. */
export function historyValue(field: string, value: string | null): string {
  if (value === null) return DASH;
  const prefix = /(^|\s)status$/.test(field) ? (field === 'status' ? 'risk.status' : 'risk.action') : field === 'category' ? 'risk.category' : field === 'response' ? 'risk.response' : null;
  const key = prefix ? `${prefix}.${value}` : '';
  return hasKey(key) ? t(key) : value;
}
