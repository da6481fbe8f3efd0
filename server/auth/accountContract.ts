// Shapes of user administration, the signed-in user's own account, sessions and API tokens;
// shared by the server routes and the Admin and Account pages.
import { z } from 'zod';
import { ROLES, type Role } from './roles.ts';

export const USERNAME = z
  .string()
  .trim()
  .min(2, 'at least 2 characters')
  .max(64, 'at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash and underscore only');

/** Checked by `checkPassword` (server/auth/passwordPolicy.ts) too; the schema only bounds the size. */
export const PASSWORD = z.string().min(1, 'required').max(200, 'at most 200 characters');

const EMAIL = z.string().trim().email('not an email address').max(200);

/** One row of the Admin page's user list. */
export interface UserSummary {
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  pii: boolean;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  /** the account must set a new password (created by invite or reset) before it can sign in with one */
  passwordPending: boolean;
  activeSessions: number;
}

/** Create an account: with a password the admin chose, or (no password) an invite link the user opens to set one. */
export const CreateUserBody = z.object({
  username: USERNAME,
  displayName: z.string().trim().min(1, 'required').max(100),
  email: EMAIL.nullable().default(null),
  role: z.enum(ROLES),
  pii: z.boolean().default(false),
  password: PASSWORD.optional(),
});
export type CreateUser = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z
  .object({
    displayName: z.string().trim().min(1, 'required').max(100),
    email: EMAIL.nullable(),
    role: z.enum(ROLES),
    pii: z.boolean(),
    disabled: z.boolean(),
  })
  .partial();
export type UpdateUser = z.infer<typeof UpdateUserBody>;

/** A one-time link that sets a password (invite or reset); shown once to the admin, emailed when the user has an email. */
export interface SetupLink {
  url: string;
  expiresAt: string;
  emailed: boolean;
}

export interface CreateUserReply {
  user: UserSummary;
  setup: SetupLink | null;
}

/** Opening an invite or reset link: choose a password; signs in on success. */
export const SetupPasswordBody = z.object({ token: z.string().min(10).max(200), password: PASSWORD });

export const ChangePasswordBody = z.object({ current: PASSWORD, next: PASSWORD });

export interface SessionInfo {
  /** not the cookie: a public id derived from the stored hash */
  id: string;
  username: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  source: string | null;
  userAgent: string | null;
  /** the session this request came with */
  current: boolean;
}

export const TOKEN_PREFIX = 'vigil_';

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1, 'required').max(100),
  /** no higher than the creator's role (checked by the server) */
  role: z.enum(ROLES),
  /** read-only tokens may only call GET routes */
  readOnly: z.boolean().default(true),
  /** null: never expires */
  expiresInDays: z.number().int().min(1).max(365).nullable().default(90),
});
export type CreateToken = z.infer<typeof CreateTokenBody>;

export interface TokenInfo {
  id: string;
  username: string;
  name: string;
  role: Role;
  readOnly: boolean;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreateTokenReply {
  /** the secret, shown this once; only its hash is stored */
  token: string;
  info: TokenInfo;
}

/** The login throttle's limits (server/auth/loginThrottle.ts). */
export const LOGIN_LIMITS = {
  /** failed sign-ins for one username inside the window lock it for `lockMinutes` */
  failuresPerAccount: 5,
  /** failed sign-ins from one address inside the window refuse that address for `lockMinutes` */
  failuresPerSource: 30,
  windowMinutes: 15,
  lockMinutes: 15,
} as const;
