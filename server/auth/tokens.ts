// API tokens for scripts: created by a signed-in user, read-only or scoped to a role no higher
// than the creator's, shown once and stored only as a sha256 hash. All SQL on `api_tokens` is here.
import { randomBytes } from 'node:crypto';
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { TOKEN_PREFIX, type CreateToken, type CreateTokenReply, type TokenInfo } from './accountContract.ts';
import { ROLES, isRole, type Role } from './roles.ts';
import { findUser, type User } from './users.ts';
import { activityDue } from './activity.ts';
import { hashSecret, newSecret } from './secrets.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** ROLES is ordered from least to most privileged. */
const rank = (role: Role): number => ROLES.indexOf(role);

const COLUMNS = 'id, username, name, role, read_only, created_at, expires_at, last_used_at, revoked_at';

function toInfo(row: Row): TokenInfo {
  const role = String(row.role);
  if (!isRole(role)) throw new Error(`API token ${String(row.id)} has an unknown role ${role}`);
  return {
    id: String(row.id),
    username: String(row.username),
    name: String(row.name),
    role,
    readOnly: Boolean(row.read_only),
    createdAt: fromDbTime(row.created_at as string),
    expiresAt: fromDbTime(row.expires_at),
    lastUsedAt: fromDbTime(row.last_used_at),
    revokedAt: fromDbTime(row.revoked_at),
  };
}

export async function createToken(db: AppDb, creator: User, spec: CreateToken, now = Date.now()): Promise<CreateTokenReply> {
  if (rank(spec.role) > rank(creator.role)) {
    throw new HttpError(400, `a token cannot have a higher role than its creator (${spec.role} is above your role ${creator.role})`);
  }
  const secret = `${TOKEN_PREFIX}${newSecret()}`;
  const id = randomBytes(6).toString('hex');
  const row = await db.one(
    `INSERT INTO api_tokens (id, token_hash, username, name, role, read_only, created_at, expires_at)
     VALUES ($id, $hash, $username, $name, $role, $readOnly, $now::TIMESTAMP, $expires::TIMESTAMP)
     RETURNING ${COLUMNS}`,
    {
      id, hash: hashSecret(secret), username: creator.username, name: spec.name, role: spec.role, readOnly: spec.readOnly,
      now: toDbTime(now), expires: spec.expiresInDays === null ? null : toDbTime(now + spec.expiresInDays * DAY_MS),
    },
  );
  if (!row) throw new Error('inserting an API token returned no row');
  return { token: secret, info: toInfo(row) };
}

/** Tokens newest first, revoked and expired ones included; only `username`'s when given. */
export async function listTokens(db: AppDb, scope: { username?: string } = {}): Promise<TokenInfo[]> {
  const rows = await db.all(
    `SELECT ${COLUMNS} FROM api_tokens WHERE ($username IS NULL OR username = $username) ORDER BY created_at DESC, id`,
    { username: scope.username ?? null },
  );
  return rows.map(toInfo);
}

/** Revokes one token; with `username`, only that user's, so the Account page cannot reach others' tokens. */
export async function revokeToken(db: AppDb, id: string, scope: { username?: string } = {}, now = Date.now()): Promise<void> {
  const rows = await db.all(
    `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $now::TIMESTAMP)
     WHERE id = $id AND ($username IS NULL OR username = $username) RETURNING id`,
    { id, username: scope.username ?? null, now: toDbTime(now) },
  );
  if (rows.length === 0) throw notFound(`no API token ${id}`);
}

/** Revokes every live token of a user (when the account is disabled). */
export async function revokeTokensOf(db: AppDb, username: string, now = Date.now()): Promise<void> {
  await db.run('UPDATE api_tokens SET revoked_at = $now::TIMESTAMP WHERE username = $username AND revoked_at IS NULL', {
    username, now: toDbTime(now),
  });
}

export interface TokenCaller {
  /** the creator, acting with the token's role (never above the creator's current one) */
  user: User;
  token: { id: string; readOnly: boolean };
}

/** Who a bearer secret acts as; undefined when it is unknown, revoked, expired, or its creator is disabled or gone. */
export async function tokenUser(db: AppDb, secret: string, now = Date.now()): Promise<TokenCaller | undefined> {
  const row = await db.one(
    `SELECT id, username, role, read_only, last_used_at FROM api_tokens
     WHERE token_hash = $hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $now::TIMESTAMP)`,
    { hash: hashSecret(secret), now: toDbTime(now) },
  );
  if (!row) return undefined;
  const creator = await findUser(db, String(row.username));
  const role = String(row.role);
  if (!creator || !isRole(role)) return undefined;
  if (activityDue(row.last_used_at as string | null, now)) {
    await db.run('UPDATE api_tokens SET last_used_at = $now::TIMESTAMP WHERE id = $id', { id: String(row.id), now: toDbTime(now) });
  }
  // a creator demoted since the token was made must not keep their old role through it
  const effective = rank(role) <= rank(creator.role) ? role : creator.role;
  return { user: { ...creator, role: effective }, token: { id: String(row.id), readOnly: Boolean(row.read_only) } };
}
