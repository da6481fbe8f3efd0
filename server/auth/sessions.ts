import type { AppDb } from '../db/appdb.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import type { SessionInfo } from './accountContract.ts';
import { activityDue } from './activity.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { markSignedIn, toUser, USER_COLUMNS, type User } from './users.ts';

export const SESSION_COOKIE = 'vigil_session';
const IDLE_MS = 8 * 60 * 60 * 1000;
const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** The public id of a session: this many hex characters of its stored hash. */
const ID_LENGTH = 16;
const USER_AGENT_MAX = 300;

const sessionId = (token: string) => hashSecret(token).slice(0, ID_LENGTH);

/** A session (`sessions s`) is live when it is not revoked, before its absolute expiry and seen within the idle limit. */
const LIVE = `NOT s.revoked AND s.expires_at > $now::TIMESTAMP AND s.last_seen_at > $idle::TIMESTAMP`;
const liveParams = (now: number) => ({ now: toDbTime(now), idle: toDbTime(now - IDLE_MS) });

export async function createSession(db: AppDb, username: string, source: string, now = Date.now(), userAgent: string | null = null): Promise<string> {
  const token = newSecret();
  await db.run(
    `INSERT INTO sessions (token_hash, username, created_at, last_seen_at, expires_at, source, user_agent)
     VALUES ($hash, $username, $now::TIMESTAMP, $now::TIMESTAMP, $expires::TIMESTAMP, $source, $userAgent)`,
    {
      hash: hashSecret(token), username, now: toDbTime(now), expires: toDbTime(now + ABSOLUTE_MS), source,
      userAgent: userAgent === null ? null : userAgent.slice(0, USER_AGENT_MAX),
    },
  );
  return token;
}

/** The signed-in user of a live session; idle or expired sessions are refused. */
export async function sessionUser(db: AppDb, token: string, now = Date.now()): Promise<User | undefined> {
  const hash = hashSecret(token);
  // one statement for the session and its user: every request of a signed-in page asks this
  const row = await db.one<{ username: string; display_name: string; role: string; pii: boolean; last_seen_at: string }>(
    `SELECT ${USER_COLUMNS.map((c) => `u.${c}`).join(', ')}, s.last_seen_at FROM sessions s JOIN users u ON u.username = s.username
     WHERE s.token_hash = $hash AND NOT u.disabled AND ${LIVE}`,
    { hash, ...liveParams(now) },
  );
  if (!row) return undefined;
  if (activityDue(row.last_seen_at, now)) {
    await db.run('UPDATE sessions SET last_seen_at = $now::TIMESTAMP WHERE token_hash = $hash', { hash, now: toDbTime(now) });
  }
  return toUser(row);
}

export async function revokeSession(db: AppDb, token: string): Promise<void> {
  await db.run('UPDATE sessions SET revoked = true WHERE token_hash = $hash', { hash: hashSecret(token) });
}

/** Live sessions, newest first: everyone's, or one user's; `currentToken` marks the caller's own. */
export async function listSessions(db: AppDb, scope: { username?: string }, currentToken?: string, now = Date.now()): Promise<SessionInfo[]> {
  const rows = await db.all<{ token_hash: string; username: string; created_at: string; last_seen_at: string; expires_at: string; source: string | null; user_agent: string | null }>(
    `SELECT token_hash, username, created_at, last_seen_at, expires_at, source, user_agent FROM sessions s
     WHERE ($username IS NULL OR username = $username) AND ${LIVE}
     ORDER BY last_seen_at DESC`,
    { username: scope.username ?? null, ...liveParams(now) },
  );
  const current = currentToken ? sessionId(currentToken) : null;
  return rows.map((row) => {
    const id = row.token_hash.slice(0, ID_LENGTH);
    return {
      id, username: row.username, createdAt: fromDbTime(row.created_at), lastSeenAt: fromDbTime(row.last_seen_at),
      expiresAt: fromDbTime(row.expires_at), source: row.source, userAgent: row.user_agent, current: id === current,
    };
  });
}

/** Revokes the session with this public id (only among `scope.username`'s when given); false when there is none to revoke. */
export async function revokeSessionById(db: AppDb, id: string, scope: { username?: string } = {}): Promise<boolean> {
  const revoked = await db.all(
    `UPDATE sessions SET revoked = true
     WHERE left(token_hash, ${ID_LENGTH}) = $id AND NOT revoked AND ($username IS NULL OR username = $username)
     RETURNING token_hash`,
    { id, username: scope.username ?? null },
  );
  return revoked.length > 0;
}

/** Signs a user out everywhere, or everywhere but the session of `except`. */
export async function revokeSessionsOf(db: AppDb, username: string, opts: { except?: string } = {}): Promise<void> {
  await db.run(
    `UPDATE sessions SET revoked = true WHERE username = $username AND NOT revoked AND ($keep IS NULL OR token_hash <> $keep)`,
    { username, keep: opts.except ? hashSecret(opts.except) : null },
  );
}

/** How many live sessions each user has. */
export async function liveSessionCounts(db: AppDb, now = Date.now()): Promise<Map<string, number>> {
  const rows = await db.all<{ username: string; n: number }>(`SELECT username, count(*) AS n FROM sessions s WHERE ${LIVE} GROUP BY username`, liveParams(now));
  return new Map(rows.map((row) => [row.username, row.n]));
}

/** A new session for a user who just proved who they are; records the sign-in time. */
export async function signIn(db: AppDb, username: string, source: string, userAgent: string | null, now = Date.now()): Promise<string> {
  const token = await createSession(db, username, source, now, userAgent);
  await markSignedIn(db, username, now);
  return token;
}
