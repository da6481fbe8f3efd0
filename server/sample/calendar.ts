// Dates of the sample period and the shape of demand over it: growth, weekdays, the 618 and
// Double-11 shopping festivals, and the Chinese New Year lull when couriers stop.

const DAY_MS = 86_400_000;

function toUtc(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

function fromUtc(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return fromUtc(new Date(toUtc(iso).getTime() + days * DAY_MS));
}

/** Same day of month `months` later (or earlier), clamped to the month's last day. */
export function addMonths(iso: string, months: number): string {
  const d = toUtc(iso);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return fromUtc(first);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS);
}

/** First day of a period of `months` months that ends with `end`. */
export function periodStart(end: string, months: number): string {
  return addMonths(addDays(end, 1), -months);
}

/** Yesterday in the local calendar: the newest complete day of business. */
export function yesterday(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const NEW_YEAR: Record<number, string> = {
  2016: '2016-02-08', 2017: '2017-01-28', 2018: '2018-02-16', 2019: '2019-02-05', 2020: '2020-01-25',
  2021: '2021-02-12', 2022: '2022-02-01', 2023: '2023-01-22', 2024: '2024-02-10', 2025: '2025-01-29',
  2026: '2026-02-17', 2027: '2027-02-06', 2028: '2028-01-26', 2029: '2029-02-13', 2030: '2030-02-03',
  2031: '2031-01-23', 2032: '2032-02-11', 2033: '2033-01-31', 2034: '2034-02-19', 2035: '2035-02-08',
  2036: '2036-01-28', 2037: '2037-02-15', 2038: '2038-02-04', 2039: '2039-01-24', 2040: '2040-02-12',
};

/** Chinese New Year's Day; outside the table, 1 February sits mid-way in its possible range. */
export function chineseNewYear(year: number): string {
  return NEW_YEAR[year] ?? `${year}-02-01`;
}

/** Relative order volume of each hour of the day: a late-evening peak, a small-hours trough. */
export const HOUR_WEIGHTS = [
  3.0, 1.6, 0.9, 0.5, 0.4, 0.5, 1.0, 2.0, 3.2, 4.4, 5.2, 5.4, 5.4, 5.2, 5.2, 5.3, 5.2, 5.0, 5.2, 6.0, 7.0, 7.6, 7.0, 4.8,
] as const;

/**
 * Demand multiplier of day `d` (a DATE column), given `t` (elapsed fraction of the period) and
 * `cny` (days since the nearest Chinese New Year, negative before it).
 */
export function demandFactor(d: string, t: string, cny: string): string {
  const md = (m: number, day: string) => `(month(${d}) = ${m} AND day(${d}) ${day})`;
  const festival = `CASE
    WHEN ${md(11, '= 11')} THEN 6.0
    WHEN ${md(11, 'IN (12, 13)')} THEN 1.3
    WHEN ${md(10, '>= 20')} OR ${md(11, '< 11')} THEN 1.5
    WHEN ${md(6, '= 18')} THEN 4.0
    WHEN ${md(6, '< 18')} THEN 1.5
    WHEN ${md(12, '= 12')} THEN 2.2
    WHEN ${md(3, '= 8')} THEN 1.8
    ELSE 1.0 END`;
  const newYear = `CASE
    WHEN ${cny} BETWEEN -30 AND -11 THEN 1.2
    WHEN ${cny} BETWEEN -10 AND -1 THEN 0.55
    WHEN ${cny} BETWEEN 0 AND 7 THEN 0.35
    WHEN ${cny} BETWEEN 8 AND 14 THEN 0.75
    ELSE 1.0 END`;
  const weekday = `list_extract([0.95, 0.95, 0.97, 0.98, 1.02, 1.08, 1.1], isodow(${d}))`;
  return `(${festival}) * (${newYear}) * ${weekday} * (1 + 0.25 * ${t}) * (0.9 + 0.2 * rnd(${d}, 'day'))`;
}
