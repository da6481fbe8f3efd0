// The state of a dashboard view, kept entirely in the URL's query string so that a link
// reproduces the view and the browser's back button undoes a change.
//
//   range=7d|30d|90d|mtd|qtd|ytd        a period ending at the snapshot's as-of date (default 30d)
//   from=YYYY-MM-DD&to=YYYY-MM-DD       a custom period (wins over range)
//   platform=a,b category=… region=… member_tier=…
//   compare=previous,yoy | previous | yoy | none   (default: both)
//   snapshot=ID                         an older snapshot ("as of"); default the newest
//   grain=day|week|month, by=<dimension> page-specific, left alone by the filter bar

import { addDays, dayCount, isIsoDate, maxDate, minDate, startOfMonth, startOfQuarter, startOfYear } from './dates';
import { COMPARE_LIST, FILTER_DIMS, GRAIN_LIST, type Comparison, type FilterDimension, type Grain } from './types';

export const PRESETS = ['7d', '30d', '90d', 'mtd', 'qtd', 'ytd'] as const;
export type Preset = (typeof PRESETS)[number];
export type RangeChoice = Preset | 'custom';

export const DEFAULT_PRESET: Preset = '30d';

export interface View {
  range: RangeChoice;
  /** only for a custom range */
  from: string | null;
  to: string | null;
  filters: Record<FilterDimension, string[]>;
  compare: Comparison[];
  snapshot: string | null;
}

export interface DateRange {
  from: string;
  to: string;
}

/** Query parameters the filter bar owns; anything else in the URL belongs to the page. */
export const VIEW_PARAMS = ['range', 'from', 'to', 'compare', 'snapshot', ...FILTER_DIMS] as const;

function list(params: URLSearchParams, name: string): string[] {
  const values = params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return [...new Set(values)];
}

export function parseView(params: URLSearchParams): View {
  const from = params.get('from');
  const to = params.get('to');
  const custom = isIsoDate(from) && isIsoDate(to);
  const preset = params.get('range');
  const range: RangeChoice = custom ? 'custom' : (PRESETS as readonly string[]).includes(preset ?? '') ? (preset as Preset) : DEFAULT_PRESET;

  const filters = {} as Record<FilterDimension, string[]>;
  for (const dim of FILTER_DIMS) filters[dim] = list(params, dim);

  const compareRaw = params.get('compare');
  const compare: Comparison[] =
    compareRaw === null ? [...COMPARE_LIST] : COMPARE_LIST.filter((c) => list(params, 'compare').includes(c));

  // a reversed custom range is read the way it was meant
  const [first, last] = custom && from! > to! ? [to, from] : [from, to];
  return { range, from: custom ? first : null, to: custom ? last : null, filters, compare, snapshot: params.get('snapshot') || null };
}

/** The period a view covers, given the snapshot's as-of date and the first day with data. */
export function resolveRange(view: View, asOf: string, firstDay?: string | null): DateRange {
  if (view.range === 'custom' && view.from && view.to) return { from: view.from, to: view.to };
  const to = asOf;
  let from: string;
  switch (view.range) {
    case '7d':
      from = addDays(to, -6);
      break;
    case '90d':
      from = addDays(to, -89);
      break;
    case 'mtd':
      from = startOfMonth(to);
      break;
    case 'qtd':
      from = startOfQuarter(to);
      break;
    case 'ytd':
      from = startOfYear(to);
      break;
    default:
      from = addDays(to, -29);
  }
  // a relative period never starts before the data does, except for the fixed-length ones
  // (7/30/90 days keep their length so that comparisons stay like for like)
  if (firstDay && (view.range === 'ytd' || view.range === 'qtd' || view.range === 'mtd')) from = minDate(to, maxDate(from, firstDay));
  return { from, to };
}

/** The grain that suits a period's length: days up to two months, weeks up to a year, then months. */
export function autoGrain(range: DateRange): Grain {
  const days = dayCount(range.from, range.to);
  if (days <= 62) return 'day';
  if (days <= 370) return 'week';
  return 'month';
}

export function parseGrain(value: string | null): Grain | null {
  return (GRAIN_LIST as readonly string[]).includes(value ?? '') ? (value as Grain) : null;
}

/** Query-string changes: a value sets the parameter, null removes it. */
export type ParamChanges = Record<string, string | null>;

/** The URL's search string after `changes`, keeping every other parameter. */
export function withParams(search: URLSearchParams, changes: ParamChanges): string {
  const next = new URLSearchParams(search);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === '') next.delete(name);
    else next.set(name, value);
  }
  const text = next.toString().replace(/%2C/gi, ',');
  return text ? `?${text}` : '';
}

export function compareParam(compare: Comparison[]): string | null {
  if (compare.length === COMPARE_LIST.length) return null;
  return compare.length ? compare.join(',') : 'none';
}

/** Only the view's own parameters (for links that carry the view to another page). */
export function viewSearch(search: URLSearchParams): string {
  const next = new URLSearchParams();
  for (const name of VIEW_PARAMS) for (const value of search.getAll(name)) next.append(name, value);
  const text = next.toString().replace(/%2C/gi, ',');
  return text ? `?${text}` : '';
}

/** The query string of a KPI API call for this view. */
export function apiQuery(view: View, range: DateRange, extra: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  params.set('from', range.from);
  params.set('to', range.to);
  for (const dim of FILTER_DIMS) if (view.filters[dim].length) params.set(dim, view.filters[dim].join(','));
  if (view.snapshot) params.set('snapshot', view.snapshot);
  for (const [name, value] of Object.entries(extra)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  return params.toString().replace(/%2C/gi, ',');
}

export function hasFilters(view: View): boolean {
  return FILTER_DIMS.some((dim) => view.filters[dim].length > 0);
}
