import { fromDbTime } from '../db/time.ts';

/**
 * A browser page fires several calls at once and a script may call many times a second; recording
 * every request as "last seen / last used" would turn each read into a write on the single-writer
 * app DB. The minute is all the account pages show, and the 8 h idle limit needs no finer.
 */
const ACTIVITY_RESOLUTION_MS = 60 * 1000;

/** Whether a stored last-activity time (app DB text, or null for never) is old enough to record `now`. */
export function activityDue(stored: string | null, now: number): boolean {
  return stored === null || now - Date.parse(fromDbTime(stored)) >= ACTIVITY_RESOLUTION_MS;
}
