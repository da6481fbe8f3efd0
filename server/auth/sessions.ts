import { createHash, randomBytes } from 'node:crypto';
import type { AppDb } from '../db/appdb.ts';
import { toDbTime } from '../db/time.ts';
import { findUser, type User } from './users.ts';

export const SESSION_COOKIE = 'vigil_session';
const IDLE_MS = 8 * 60 * 60 * 1000;
const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;

// Only a hash of the token is stored, so a copy of the database does not hand out live sessions.
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: AppDb, username: string, source: string, now = Date.now()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.run(
    `INSERT INTO sessions (token_hash, username, created_at, last_seen_at, expires_at, source)
     VALUES ($hash, $username, $now::TIMESTAMP, $now::TIMESTAMP, $expires::TIMESTAMP, $source)`,
    { hash: hashToken(token), username, now: toDbTime(now), expires: toDbTime(now + ABSOLUTE_MS), source },
  );
  return token;
}

/** The signed-in user of a live session; idle or expired sessions are refused. */
export async function sessionUser(db: AppDb, token: string, now = Date.now()): Promise<User | undefined> {
  const hash = hashToken(token);
  const row = await db.one<{ username: string }>(
    `SELECT username FROM sessions
     WHERE token_hash = $hash AND NOT revoked
       AND expires_at > $now::TIMESTAMP AND last_seen_at > $idle::TIMESTAMP`,
    { hash, now: toDbTime(now), idle: toDbTime(now - IDLE_MS) },
  );
  if (!row) return undefined;
  await db.run('UPDATE sessions SET last_seen_at = $now::TIMESTAMP WHERE token_hash = $hash', { hash, now: toDbTime(now) });
  return findUser(db, row.username);
}

export async function revokeSession(db: AppDb, token: string): Promise<void> {
  await db.run('UPDATE sessions SET revoked = true WHERE token_hash = $hash', { hash: hashToken(token) });
}
