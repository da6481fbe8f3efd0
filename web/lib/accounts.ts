// Accounts, sessions and API tokens as the Admin and Account pages use them. The shapes come from the
// server's contract (type-only: zod stays on the server); one set of calls serves both pages, which
// differ only in scope (every user's, for an admin, or the signed-in user's own).
export type {
  CreateTokenReply,
  CreateUserReply,
  SessionInfo,
  SetupLink,
  TokenInfo,
  UpdateUser,
  UserSummary,
} from '../../server/auth/accountContract.ts';

import type { CreateToken, CreateTokenReply, SessionInfo, TokenInfo } from '../../server/auth/accountContract.ts';
import { ROLES } from '../../server/auth/roles.ts';
import { api, get, post } from './api';
import { t } from './i18n.svelte';
import type { Role } from './types';

export { ROLES };

/** The roles a token of someone holding `role` may carry: the server refuses anything higher. */
export function rolesUpTo(role: Role): Role[] {
  return ROLES.slice(0, ROLES.indexOf(role) + 1);
}

/** The token lifetimes offered, in days; null never expires. */
export const TOKEN_EXPIRIES: readonly (number | null)[] = [30, 90, 365, null];

/** Where a list lives: the Admin page sees everyone's, the Account page only its own. */
export type Scope = 'admin' | 'own';

const base = (scope: Scope, what: 'sessions' | 'tokens') => `/api/${scope === 'admin' ? 'admin' : 'account'}/${what}`;

export async function listSessions(scope: Scope, username?: string): Promise<SessionInfo[]> {
  const query = scope === 'admin' && username ? `?username=${encodeURIComponent(username)}` : '';
  return (await get<{ sessions: SessionInfo[] }>(`${base(scope, 'sessions')}${query}`)).sessions;
}

export const revokeSession = (scope: Scope, id: string) =>
  api<void>(`${base(scope, 'sessions')}/${encodeURIComponent(id)}`, { method: 'DELETE' });

export async function listTokens(scope: Scope): Promise<TokenInfo[]> {
  return (await get<{ tokens: TokenInfo[] }>(base(scope, 'tokens'))).tokens;
}

export const revokeToken = (scope: Scope, id: string) =>
  api<void>(`${base(scope, 'tokens')}/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const createToken = (body: CreateToken) => post<CreateTokenReply>(base('own', 'tokens'), body);

/** The policy every new password must meet (server/auth/passwordPolicy.ts); the server gives the reason it refuses. */
export const PASSWORD_MIN = 12;

/** Why a new password typed twice cannot be sent yet, or null; the server has the final word. */
export function newPasswordProblem(password: string, repeat: string): string | null {
  if (password.length < PASSWORD_MIN) return t('account.password.tooShort', { n: PASSWORD_MIN });
  if (password !== repeat) return t('account.password.mismatch');
  return null;
}
