// Sessions, setup links and API tokens are bearer secrets: only their sha256 is stored, so a copy
// of the database hands out nothing that signs in.
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
