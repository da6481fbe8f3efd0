// Dates of the register: days as 'YYYY-MM-DD' in UTC, the review period by level, and the
// "overdue"/"expired" comparisons, all against one `today` so a request sees one consistent day.
import type { Assessment, RiskMatrix } from '../contract.ts';

export const dayOf = (now: Date): string => now.toISOString().slice(0, 10);

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return dayOf(d);
}

export const nextReviewFrom = (today: string, level: Assessment['level'], m: RiskMatrix): string => addDays(today, m.reviewDays[level]);

/** A date strictly before today: an overdue review or action, an expired acceptance. */
export const isPast = (day: string, today: string): boolean => day < today;

