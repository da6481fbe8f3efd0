import type { AppDb } from '../db/appdb.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { isRole, type Role } from './roles.ts';

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
  [key: string]: string | boolean;
}

function toUser(row: UserRow): User {
  if (!isRole(row.role)) throw new Error(`user ${row.username} has an unknown role ${row.role}`);
  return { username: row.username, displayName: row.display_name, role: row.role, pii: row.pii };
}

export interface NewUser extends User {
  password: string;
}

export async function createUser(db: AppDb, user: NewUser): Promise<User> {
  await db.run(
    `INSERT INTO users (username, display_name, role, pii, password_hash)
     VALUES ($username, $display_name, $role, $pii, $password_hash)`,
    { username: user.username, display_name: user.displayName, role: user.role, pii: user.pii, password_hash: await hashPassword(user.password) },
  );
  return { username: user.username, displayName: user.displayName, role: user.role, pii: user.pii };
}

export async function countUsers(db: AppDb): Promise<number> {
  return (await db.one<{ n: number }>('SELECT count(*) AS n FROM users'))?.n ?? 0;
}

export async function findUser(db: AppDb, username: string): Promise<User | undefined> {
  const row = await db.one<UserRow>('SELECT * FROM users WHERE username = $username AND NOT disabled', { username });
  return row && toUser(row);
}

/** The user when the password matches an enabled account; undefined otherwise, in the same time either way. */
export async function authenticate(db: AppDb, username: string, password: string): Promise<User | undefined> {
  const row = await db.one<UserRow>('SELECT * FROM users WHERE username = $username', { username });
  if (!row || row.disabled) {
    await verifyAgainstNothing(password);
    return undefined;
  }
  return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
}

export async function listUsers(db: AppDb): Promise<(User & { disabled: boolean; createdAt: string })[]> {
  const rows = await db.all<UserRow & { created_at: string }>('SELECT * FROM users ORDER BY username');
  return rows.map((row) => ({ ...toUser(row), disabled: row.disabled, createdAt: row.created_at }));
}
