// Day and month arithmetic on ISO strings (UTC calendar; the data's timestamps are local times).
export class SegmentQueryError extends Error {
  constructor(readonly param: string, readonly detail: string) {
    super(`${param}: ${detail}`);
  }
}

const DAY = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** The look-back window of `days` days ending at (and including) `asOf`. */
export function windowOf(asOf: string, days: number): { from: string; until: string } {
  return { from: addDays(asOf, -(days - 1)), until: addDays(asOf, 1) };
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

export function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split('-').map(Number);
  const [yb, mb] = b.split('-').map(Number);
  return (yb - ya) * 12 + (mb - ma);
}

/** A from/to month pair, defaulting to the 12 months ending with `lastMonth`. */
export function monthRange(from: string | undefined, to: string | undefined, lastMonth: string): { from: string; to: string } {
  const end = to ?? lastMonth;
  const start = from ?? addMonths(end, -11);
  if (start > end) throw new SegmentQueryError('from', `${start} is after 'to' ${end}`);
  return { from: start, to: end };
}
