// The indicator editor's draft: the stored indicator as the form shows it (thresholds in the
// display unit, recipients as text) and back to the IndicatorInput the server validates.
import { FILTER_DIMS, type FilterDimension } from '$lib/kpi/types';
import { displayFactor, fromDisplay, toDisplay, type IndicatorUnit } from './format';
import type { Compare, Direction, Indicator, IndicatorInput, IndicatorSource, StatRule } from './types';

export interface Draft {
  id: string;
  name: string;
  description: string;
  source: IndicatorSource;
  kpi: string;
  queryId: string;
  filters: Record<FilterDimension, string[]>;
  splitBy: string;
  windowDays: number;
  compare: Compare;
  direction: Direction;
  warning: number | null;
  critical: number | null;
  clear: number | null;
  minSample: number;
  consecutive: number;
  statRule: StatRule;
  owner: string;
  recipients: string;
  renotifyHours: number;
  schedule: string;
  riskId: string;
  snoozedUntil: string | null;
  enabled: boolean;
}

const emptyFilters = () => Object.fromEntries(FILTER_DIMS.map((d) => [d, [] as string[]])) as Record<FilterDimension, string[]>;

/** A new indicator; `queryId` starts it from a saved query (the workbench's "make an indicator"). */
export function newDraft(owner: string, queryId = ''): Draft {
  return {
    id: '',
    name: '',
    description: '',
    source: queryId ? 'query' : 'kpi',
    kpi: '',
    queryId,
    filters: emptyFilters(),
    splitBy: '',
    windowDays: 7,
    compare: 'none',
    direction: 'higher_is_worse',
    warning: null,
    critical: null,
    clear: null,
    minSample: 0,
    consecutive: 1,
    statRule: 'none',
    owner,
    recipients: '',
    renotifyHours: 24,
    schedule: '0 7 * * *',
    riskId: '',
    snoozedUntil: null,
    enabled: true,
  };
}

export function draftOf(ind: Indicator, unit: IndicatorUnit): Draft {
  const f = displayFactor(unit, ind.compare !== 'none');
  const filters = emptyFilters();
  for (const d of FILTER_DIMS) filters[d] = [...(ind.filters[d] ?? [])];
  return {
    id: ind.id,
    name: ind.name,
    description: ind.description,
    source: ind.source,
    kpi: ind.kpi ?? '',
    queryId: ind.queryId ?? '',
    filters,
    splitBy: ind.splitBy ?? '',
    windowDays: ind.windowDays,
    compare: ind.compare,
    direction: ind.direction,
    warning: toDisplay(ind.warning, f),
    critical: toDisplay(ind.critical, f),
    clear: toDisplay(ind.clear, f),
    minSample: ind.minSample,
    consecutive: ind.consecutive,
    statRule: ind.statRule,
    owner: ind.owner,
    recipients: ind.recipients.join(', '),
    renotifyHours: ind.renotifyHours,
    schedule: ind.schedule,
    riskId: ind.riskId ?? '',
    snoozedUntil: ind.snoozedUntil,
    enabled: ind.enabled,
  };
}

/** What the server receives; a missing threshold stays NaN-free (null), so zod names the field. */
export function inputOf(d: Draft, unit: IndicatorUnit): Omit<IndicatorInput, 'warning' | 'critical' | 'clear'> & { warning: number | null; critical: number | null; clear: number | null } {
  const f = displayFactor(unit, d.compare !== 'none');
  const threshold = (v: number | null) => (v === null || !Number.isFinite(v) ? null : fromDisplay(v, f));
  const filters = Object.fromEntries(FILTER_DIMS.filter((dim) => d.filters[dim].length).map((dim) => [dim, d.filters[dim]]));
  return {
    id: d.id.trim(),
    name: d.name.trim(),
    description: d.description,
    source: d.source,
    kpi: d.source === 'kpi' ? d.kpi || null : null,
    queryId: d.source === 'query' ? d.queryId || null : null,
    filters,
    splitBy: (d.source === 'kpi' && d.splitBy ? d.splitBy : null) as IndicatorInput['splitBy'],
    windowDays: d.windowDays,
    // a query's value is its own: no comparison with an earlier window
    compare: d.source === 'query' ? 'none' : d.compare,
    direction: d.direction,
    warning: threshold(d.warning),
    critical: threshold(d.critical),
    clear: threshold(d.clear),
    minSample: d.minSample,
    consecutive: d.consecutive,
    statRule: d.statRule,
    owner: d.owner.trim(),
    recipients: d.recipients.split(/[\s,;]+/).filter(Boolean),
    renotifyHours: d.renotifyHours,
    snoozedUntil: d.snoozedUntil,
    riskId: d.riskId || null,
    schedule: d.schedule.trim(),
    enabled: d.enabled,
  };
}
