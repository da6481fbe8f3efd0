// Staff periods: a calendar month `YYYY-MM` or a calendar year `YYYY`, the period its ranking
// movement compares with (previous month / previous year) and the trend's 12 months.
import { TREND_MONTHS, type StaffPeriod } from './contract.ts';

/** A period as the SQL takes it: inclusive days and the exclusive end day. */
export interface DayRange {
  from: string;
  /** the day after the last day: queries take [from, end) */
  end: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const monthKey = (y: number, m: number) => `${pad(y, 4)}-${pad(m)}`;

/** The month `n` months after `YYYY-MM` (n may be negative). */
export function addMonths(key: string, n: number): string {
  const index = Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1 + n;
  return monthKey(Math.floor(index / 12), (index % 12) + 1);
}

function lastDayOf(month: string): string {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0));
  return `${month}-${pad(d.getUTCDate())}`;
}

function bounds(key: string): { from: string; to: string } {
  return key.length === 4 ? { from: `${key}-01-01`, to: `${key}-12-31` } : { from: `${key}-01`, to: lastDayOf(key) };
}

/** `key` must already be valid (StaffPeriodParam). */
export function staffPeriod(key: string): StaffPeriod {
  const grain = key.length === 4 ? 'year' : 'month';
  const previousKey = grain === 'year' ? pad(Number(key) - 1, 4) : addMonths(key, -1);
  const lastMonth = grain === 'year' ? `${key}-12` : key;
  const trendMonths = Array.from({ length: TREND_MONTHS }, (_, k) => `${addMonths(lastMonth, k - TREND_MONTHS + 1)}-01`);
  return { key, grain, ...bounds(key), previous: { key: previousKey, ...bounds(previousKey) }, trendMonths };
}

export function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export const rangeOf = (p: { from: string; to: string }): DayRange => ({ from: p.from, end: dayAfter(p.to) });

/** The trend's range: first day of its first month up to the period's end. */
export function trendRange(p: StaffPeriod): DayRange {
  return { from: p.trendMonths[0], end: dayAfter(p.to) };
}
