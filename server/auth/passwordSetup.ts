// Invite and reset links: one-time links that let a user choose a password. Only the sha256 of a
// link's token is stored; a newer link of the same user replaces any unused older one.
import type { AppDb } from '../db/appdb.ts';
import { toDbTime } from '../db/time.ts';
import { HttpError } from '../http/errors.ts';
import { renderMessage } from '../notify/layout.ts';
import { enqueueMessage } from '../notify/outbox.ts';
import type { SetupLink } from './accountContract.ts';
import { revokeSessionsOf } from './sessions.ts';
import { findUser, markPasswordPending, requireUserRow, setPassword, type User } from './users.ts';
import { hashSecret, newSecret } from './secrets.ts';

export type SetupPurpose = 'invite' | 'reset';

const LINK_MS = 72 * 60 * 60 * 1000;
// one message for every refusal, so a guessed token tells nothing about which links exist
const INVALID = 'this link is invalid or has expired';

const setupUrl = (appUrl: string, token: string) => `${appUrl.replace(/\/+$/, '')}/login/setup?token=${token}`;

function setupMessage(purpose: SetupPurpose, user: { username: string; displayName: string }, url: string, expiresAt: string) {
  return renderMessage({
    subject: purpose === 'invite' ? '[Vigil] You are invited: choose your password' : '[Vigil] Your password was reset: choose a new one',
    lead: purpose === 'invite'
      ? `${user.displayName}, an account was created for you in Vigil. Open the link to choose your password.`
      : `${user.displayName}, an admin reset your Vigil password. Open the link to choose a new one.`,
    facts: [{ label: 'Username', value: user.username }, { label: 'Link valid until', value: `${expiresAt.slice(0, 16).replace('T', ' ')} UTC` }],
    link: { label: 'Choose your password', href: url },
  });
}

/**
 * A new link for `username`, emailed through the outbox when the account has an email. A reset also
 * makes the account wait for its new password and signs it out everywhere.
 */
export async function createSetupLink(db: AppDb, username: string, purpose: SetupPurpose, createdBy: string, appUrl: string, now = Date.now()): Promise<SetupLink> {
  const user = await requireUserRow(db, username);
  const token = newSecret();
  const hash = hashSecret(token);
  const expiresAt = new Date(now + LINK_MS).toISOString();
  await db.transaction(async (tx) => {
    await tx.run('UPDATE password_setups SET expires_at = $now::TIMESTAMP WHERE username = $username AND used_at IS NULL AND expires_at > $now::TIMESTAMP', {
      username, now: toDbTime(now),
    });
    await tx.run(
      `INSERT INTO password_setups (token_hash, username, purpose, created_by, created_at, expires_at)
       VALUES ($hash, $username, $purpose, $createdBy, $now::TIMESTAMP, $expires::TIMESTAMP)`,
      { hash, username, purpose, createdBy, now: toDbTime(now), expires: toDbTime(expiresAt) },
    );
  });
  if (purpose === 'reset') {
    await markPasswordPending(db, username);
    await revokeSessionsOf(db, username);
  }
  const url = setupUrl(appUrl, token);
  if (user.email) {
    const message = setupMessage(purpose, { username, displayName: user.display_name }, url, expiresAt);
    await enqueueMessage(db, { key: `setup:${hash.slice(0, 16)}`, kind: 'account', recipients: [user.email], ...message }, new Date(now));
  }
  return { url, expiresAt, emailed: Boolean(user.email) };
}

/** Sets the password of a link's account and uses the link up; an unknown, used or expired link is refused. */
export async function useSetupLink(db: AppDb, token: string, password: string, now = Date.now()): Promise<User> {
  const hash = hashSecret(token);
  const link = await db.one<{ username: string }>(
    'SELECT username FROM password_setups WHERE token_hash = $hash AND used_at IS NULL AND expires_at > $now::TIMESTAMP',
    { hash, now: toDbTime(now) },
  );
  const user = link && (await findUser(db, link.username));
  if (!user) throw new HttpError(400, INVALID);
  await setPassword(db, user, password);
  await db.run('UPDATE password_setups SET used_at = $now::TIMESTAMP WHERE token_hash = $hash', { hash, now: toDbTime(now) });
  return user;
}
