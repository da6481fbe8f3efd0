// Date ranges of a KPI query: the default range, the comparison periods and series buckets, as
// README.md defines them. Dates are 'YYYY-MM-DD' strings of local days; arithmetic runs in UTC
// so that no time zone shifts a day.
import type { Comparison, Grain, Period } from './contract.ts';

export type PeriodName = 'current' | Comparison;

export interface NamedPeriod extends Period {
  name: PeriodName;
}

const DEFAULT_DAYS = 30;
/** Longest range a query may ask for: ten years of days keeps a daily series a sane size. */
export const MAX_DAYS = 3660;

const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (date: Date) => date.toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  const d = toDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return toDay(d);
}

/** Inclusive number of days from `from` to `to`. */
export function dayCount(p: Period): number {
  return Math.round((toDate(p.to).getTime() - toDate(p.from).getTime()) / 86_400_000) + 1;
}

/** `to` defaults to the as-of date, `from` to 30 days ending at `to`. */
export function resolveRange(asOf: string, from?: string, to?: string): Period {
  const end = to ?? asOf;
  return { from: from ?? addDays(end, 1 - DEFAULT_DAYS), to: end };
}

/** The same number of days ending the day before `from`. */
export function previousPeriod(p: Period): Period {
  const to = addDays(p.from, -1);
  return { from: addDays(to, 1 - dayCount(p)), to };
}

/** One year earlier; 29 February becomes 28 February. */
export function yearEarlier(day: string): string {
  const year = String(Number(day.slice(0, 4)) - 1).padStart(4, '0');
  const monthDay = day.slice(5) === '02-29' ? '02-28' : day.slice(5);
  return `${year}-${monthDay}`;
}

export function yoyPeriod(p: Period): Period {
  return { from: yearEarlier(p.from), to: yearEarlier(p.to) };
}

export function comparisonPeriod(p: Period, comparison: Comparison): Period {
  return comparison === 'previous' ? previousPeriod(p) : yoyPeriod(p);
}

/** First day of the bucket holding `day`: itself, its ISO week's Monday, or its month's first day. */
export function bucketStart(day: string, grain: Grain): string {
  if (grain === 'day') return day;
  if (grain === 'month') return `${day.slice(0, 7)}-01`;
  const weekday = (toDate(day).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(day, -weekday);
}

/** Every bucket of the range, in order, named by its first day (which may precede `from`). */
export function buckets(p: Period, grain: Grain): string[] {
  const starts: string[] = [];
  for (let day = p.from; day <= p.to; day = addDays(day, 1)) {
    const start = bucketStart(day, grain);
    if (starts[starts.length - 1] !== start) starts.push(start);
  }
  return starts;
}
