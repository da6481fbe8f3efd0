// The login throttle: repeated failed sign-ins lock a username, or a source address, for a while.
// Failures are recorded for usernames that do not exist too, and the refusal is the same either
// way, so the throttle cannot be used to find out which accounts exist. Successes are never limited.
import type { AppDb } from '../db/appdb.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { LOGIN_LIMITS } from './accountContract.ts';

const MINUTE_MS = 60 * 1000;

const throttleKey = (username: string) => username.trim().toLowerCase();

/** The refusal of a locked sign-in: its message and how long to wait, rounded up to whole minutes. */
export interface LoginLock {
  message: string;
  retryAfterSeconds: number;
}

/**
 * When `limit` failures (newest first in `times`) fall within one window, the lock lasts
 * `lockMinutes` from the last of them. Failures are not recorded while locked, so the lock is not
 * extended by retries.
 */
function lockedUntil(times: number[], limit: number): number | null {
  if (times.length < limit) return null;
  const [newest] = times;
  if (newest - times[limit - 1] > LOGIN_LIMITS.windowMinutes * MINUTE_MS) return null;
  return newest + LOGIN_LIMITS.lockMinutes * MINUTE_MS;
}

/** Failures before this moment can no longer lock anything. */
const relevantSince = (now: number) => now - (LOGIN_LIMITS.windowMinutes + LOGIN_LIMITS.lockMinutes) * MINUTE_MS;

async function failureTimes(db: AppDb, column: 'username' | 'source', value: string, limit: number, now: number): Promise<number[]> {
  const since = relevantSince(now);
  const rows = await db.all<{ at: string }>(
    `SELECT "at" FROM login_failures WHERE ${column} = $value AND "at" > $since::TIMESTAMP ORDER BY "at" DESC LIMIT $limit`,
    { value, since: toDbTime(since), limit },
  );
  return rows.map((row) => Date.parse(fromDbTime(row.at)));
}

/** The lock on this sign-in attempt, or null when the password may be checked. */
export async function loginLock(db: AppDb, username: string, source: string, now = Date.now()): Promise<LoginLock | null> {
  const account = lockedUntil(await failureTimes(db, 'username', throttleKey(username), LOGIN_LIMITS.failuresPerAccount, now), LOGIN_LIMITS.failuresPerAccount);
  const address = lockedUntil(await failureTimes(db, 'source', source, LOGIN_LIMITS.failuresPerSource, now), LOGIN_LIMITS.failuresPerSource);
  const until = Math.max(account ?? 0, address ?? 0);
  if (until <= now) return null;
  const minutes = Math.ceil((until - now) / MINUTE_MS);
  return { message: `too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, retryAfterSeconds: minutes * 60 };
}

export async function recordLoginFailure(db: AppDb, username: string, source: string, now = Date.now()): Promise<void> {
  await db.run('INSERT INTO login_failures (username, source, "at") VALUES ($username, $source, $now::TIMESTAMP)', {
    username: throttleKey(username), source, now: toDbTime(now),
  });
  // a guessing run against made-up names must not grow the table for ever (the audit log keeps them)
  await db.run('DELETE FROM login_failures WHERE "at" < $before::TIMESTAMP', {
    before: toDbTime(relevantSince(now)),
  });
}

/** A successful sign-in forgives the username's failures (not the address's). */
export async function clearLoginFailures(db: AppDb, username: string): Promise<void> {
  await db.run('DELETE FROM login_failures WHERE username = $username', { username: throttleKey(username) });
}
