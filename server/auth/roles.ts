export const ROLES = ['executive', 'analyst', 'risk_owner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Who may call a route: a list of roles, any signed-in user, or anyone. */
export type Access = readonly Role[] | 'signed_in' | 'public';

export const ALL_ROLES: readonly Role[] = ROLES;

export function allows(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  if (role === undefined) return false;
  return access === 'signed_in' || access.includes(role);
}
