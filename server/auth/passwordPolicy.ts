// The one password policy, applied wherever a password is set: an admin creating a user, an
// invite or reset link, a user's own change and the first admin at start-up.
import { readFileSync } from 'node:fs';
import { HttpError } from '../http/errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
/**
 * A password containing the username is refused when what is left beside the name is shorter than
 * this: 'zhangwei2024!' is the name plus a suffix, while 'vigil-admin-demo' keeps enough of its own.
 */
const MIN_OWN_PART = 8;

const COMMON = new Set(
  readFileSync(new URL('./commonPasswords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter(Boolean),
);

function builtFrom(password: string, name: string): boolean {
  const part = name.trim().toLowerCase();
  if (part.length < 2 || !password.includes(part)) return false;
  return password === part || password.split(part).join('').length < MIN_OWN_PART;
}

/** Why the password is refused, or null when it is acceptable. */
export function checkPassword(password: string, who: { username: string; displayName: string }): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'this password is on the list of the most common passwords; choose another';
  if (builtFrom(lower, who.username) || builtFrom(lower, who.displayName)) return 'the password must not be built from the username or display name';
  return null;
}

/** checkPassword as a 400 reply. */
export function requireAcceptablePassword(password: string, who: { username: string; displayName: string }): void {
  const reason = checkPassword(password, who);
  if (reason) throw new HttpError(400, reason);
}
