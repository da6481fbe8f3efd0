// How an indicator's breach reads on a risk's timeline, and which category a risk opened by an
// unlinked indicator gets.
import { formatSample, formatUnitValue } from '../../notify/format.ts';
import type { Category, Indicator, IndicatorWithState, Transition } from '../contract.ts';

const KPI_CATEGORY: Record<string, Category> = {
  gmv: 'market',
  net_revenue: 'market',
  conversion_rate: 'market',
  market_share: 'market',
  price_violation_rate: 'legal',
  unapproved_promotion_orders: 'legal',
  refund_rate: 'credit',
};

export function categoryOf(indicator: Indicator): Category {
  if (indicator.source === 'freshness' || indicator.source === 'ingest_rejection') return 'technical';
  return (indicator.kpi && KPI_CATEGORY[indicator.kpi]) || 'operational';
}

const VERBS: Record<Transition['kind'], string> = { breach: 'entered', escalation: 'escalated to', renotify: 'is still', recovery: 'recovered to' };

/** "Complaint rate — JD entered critical: 4.2% (critical threshold 3.0%, 84 of 2,003)". */
export function alertText(indicatorName: string, t: Transition, unit: IndicatorWithState['unit']): string {
  const where = t.scopeLabel ? `${indicatorName} — ${t.scopeLabel}` : indicatorName;
  const m = t.measurement;
  const threshold = t.level === 'critical' ? t.thresholds.critical : t.thresholds.warning;
  const sample = formatSample(m.numerator, m.denominator);
  const detail = t.level === 'ok' ? '' : ` (${t.level} threshold ${formatUnitValue(unit, threshold)}${sample ? `, ${sample}` : ''})`;
  return `${where} ${VERBS[t.kind]} ${t.to}: ${formatUnitValue(unit, m.value)}${detail}`;
}
