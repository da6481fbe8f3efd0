import type { AppDb } from '../db/appdb.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { HttpError, notFound } from '../http/errors.ts';
import type { UpdateUser, UserSummary } from './accountContract.ts';
import { requireAcceptablePassword } from './passwordPolicy.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { isRole, type Role } from './roles.ts';
import { liveSessionCounts, revokeSessionsOf } from './sessions.ts';
import { revokeTokensOf } from './tokens.ts';

export interface User {
  username: string;
  displayName: string;
  role: Role;
  pii: boolean;
}

interface UserRow {
  username: string;
  display_name: string;
  role: string;
  pii: boolean;
  password_hash: string;
  disabled: boolean;
  email: string | null;
  created_at: string;
  last_sign_in_at: string | null;
  password_pending: boolean;
  [key: string]: string | boolean | null;
}

/** Stored for an account that has no password yet: no scrypt hash, so no password can ever match it. */
const NO_PASSWORD = '!';

/** The columns a User is made of: every request reads them, so not the whole row with its password hash. */
export const USER_COLUMNS = ['username', 'display_name', 'role', 'pii'] as const;

export function toUser(row: Pick<UserRow, (typeof USER_COLUMNS)[number]>): User {
  if (!isRole(row.role)) throw new Error(`user ${row.username} has an unknown role ${row.role}`);
  return { username: row.username, displayName: row.display_name, role: row.role, pii: row.pii };
}

function toSummary(row: UserRow, activeSessions: number): UserSummary {
  return {
    ...toUser(row),
    email: row.email,
    disabled: row.disabled,
    createdAt: fromDbTime(row.created_at),
    lastSignInAt: fromDbTime(row.last_sign_in_at),
    passwordPending: row.password_pending,
    activeSessions,
  };
}

export interface NewUser extends User {
  email?: string | null;
  /** null: the account waits for its invite link to set one */
  password: string | null;
}

async function userRow(db: AppDb, username: string): Promise<UserRow | undefined> {
  return db.one<UserRow>('SELECT * FROM users WHERE username = $username', { username });
}

/** The account, or a 404 naming it. */
export async function requireUserRow(db: AppDb, username: string): Promise<UserRow> {
  const row = await userRow(db, username);
  if (!row) throw notFound(`no user ${username}`);
  return row;
}

async function getUserSummary(db: AppDb, username: string): Promise<UserSummary> {
  const row = await requireUserRow(db, username);
  return toSummary(row, (await liveSessionCounts(db)).get(username) ?? 0);
}

/** Creates an account; a password is checked by the policy, without one the account is pending until its link is used. */
export async function createUser(db: AppDb, user: NewUser): Promise<UserSummary> {
  if (user.password !== null) requireAcceptablePassword(user.password, user);
  const inserted = await db.all(
    `INSERT INTO users (username, display_name, email, role, pii, password_hash, password_pending, created_at)
     VALUES ($username, $display_name, $email, $role, $pii, $password_hash, $pending, $now::TIMESTAMP)
     ON CONFLICT DO NOTHING
     RETURNING username`,
    {
      username: user.username, display_name: user.displayName, email: user.email ?? null, role: user.role, pii: user.pii,
      password_hash: user.password === null ? NO_PASSWORD : await hashPassword(user.password), pending: user.password === null,
      now: toDbTime(Date.now()),
    },
  );
  if (!inserted.length) throw new HttpError(409, `the username ${user.username} is taken`);
  return getUserSummary(db, user.username);
}

export async function countUsers(db: AppDb): Promise<number> {
  return (await db.one<{ n: number }>('SELECT count(*) AS n FROM users'))?.n ?? 0;
}

/** An enabled account (possibly still pending its password). */
export async function findUser(db: AppDb, username: string): Promise<User | undefined> {
  const row = await db.one<UserRow>(`SELECT ${USER_COLUMNS.join(', ')} FROM users WHERE username = $username AND NOT disabled`, { username });
  return row && toUser(row);
}

/** The user when the password matches an enabled account that has one; undefined otherwise, in the same time either way. */
export async function authenticate(db: AppDb, username: string, password: string): Promise<User | undefined> {
  const row = await userRow(db, username);
  if (!row || row.disabled || row.password_pending) {
    await verifyAgainstNothing(password);
    return undefined;
  }
  return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
}

export async function markSignedIn(db: AppDb, username: string, now = Date.now()): Promise<void> {
  await db.run('UPDATE users SET last_sign_in_at = $now::TIMESTAMP WHERE username = $username', { username, now: toDbTime(now) });
}

/** Sets a policy-checked password and ends a pending state. */
export async function setPassword(db: AppDb, user: User, password: string): Promise<void> {
  requireAcceptablePassword(password, user);
  await db.run('UPDATE users SET password_hash = $hash, password_pending = false WHERE username = $username', {
    username: user.username, hash: await hashPassword(password),
  });
}

export async function markPasswordPending(db: AppDb, username: string): Promise<void> {
  await db.run('UPDATE users SET password_pending = true WHERE username = $username', { username });
}

/** A user's own change: the current password must match; the user's other sessions end, `keepToken`'s stays. */
export async function changeOwnPassword(db: AppDb, user: User, current: string, next: string, keepToken: string | undefined): Promise<void> {
  if (!(await authenticate(db, user.username, current))) throw new HttpError(400, 'the current password is wrong');
  await setPassword(db, user, next);
  await revokeSessionsOf(db, user.username, { except: keepToken });
}

export async function listUsers(db: AppDb): Promise<UserSummary[]> {
  const rows = await db.all<UserRow>('SELECT * FROM users ORDER BY username');
  const sessions = await liveSessionCounts(db);
  return rows.map((row) => toSummary(row, sessions.get(row.username) ?? 0));
}

/**
 * An admin's change to an account. Admins cannot demote or disable themselves, and the last enabled
 * admin is never demoted or disabled, so someone can always administer Vigil. Disabling ends the
 * account's sessions and API tokens.
 */
export async function updateUser(db: AppDb, username: string, patch: UpdateUser, actor: User): Promise<UserSummary> {
  const before = await requireUserRow(db, username);
  const losesAdmin = before.role === 'admin' && !before.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
  if (losesAdmin && actor.username === username) {
    throw new HttpError(409, patch.disabled ? 'you cannot disable your own account' : 'you cannot remove your own admin role');
  }
  await db.transaction(async (tx) => {
    if (losesAdmin) {
      // counted inside the transaction, so two admins demoting each other at once cannot both succeed
      const [others] = await tx.all<{ n: number }>(
        `SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled AND username <> $username`,
        { username },
      );
      if (others.n === 0) throw new HttpError(409, `${username} is the last enabled admin and cannot be demoted or disabled`);
    }
    await tx.run(
      `UPDATE users SET display_name = coalesce($displayName, display_name),
         email = CASE WHEN $setEmail THEN $email ELSE email END,
         role = coalesce($role, role), pii = coalesce($pii, pii), disabled = coalesce($disabled, disabled)
       WHERE username = $username`,
      {
        username, displayName: patch.displayName ?? null, setEmail: patch.email !== undefined, email: patch.email ?? null,
        role: patch.role ?? null, pii: patch.pii ?? null, disabled: patch.disabled ?? null,
      },
    );
  });
  if (patch.disabled && !before.disabled) {
    await revokeSessionsOf(db, username);
    await revokeTokensOf(db, username);
  }
  return getUserSummary(db, username);
}
