import type { AppDb } from '../db/appdb.ts';
import { checkPassword } from './passwordPolicy.ts';
import { countUsers, createUser, type NewUser } from './users.ts';

/** An account with the password it was created with. */
export type SignIn = NewUser & { password: string };

/** The demo sign-ins, one per role; also listed in README.md. Only created for sample data. */
export const DEMO_USERS: readonly SignIn[] = [
  { username: 'admin', displayName: 'Demo Admin', role: 'admin', pii: true, password: 'vigil-admin-demo' },
  { username: 'exec', displayName: 'Demo Executive', role: 'executive', pii: false, password: 'vigil-exec-demo' },
  { username: 'analyst', displayName: 'Demo Analyst', role: 'analyst', pii: false, password: 'vigil-analyst-demo' },
  { username: 'risk', displayName: 'Demo Risk Owner', role: 'risk_owner', pii: false, password: 'vigil-risk-demo' },
];

export class NoAdminAccount extends Error {}

/**
 * Makes sure someone can sign in: the demo users on sample data; otherwise an admin taken from
 * VIGIL_ADMIN_USER / VIGIL_ADMIN_PASSWORD, or asked for by `ask` on a terminal.
 */
export async function ensureUsers(
  db: AppDb,
  opts: { demo: boolean; env: NodeJS.ProcessEnv; ask?: () => Promise<{ username: string; password: string }> },
): Promise<readonly SignIn[]> {
  if ((await countUsers(db)) > 0) return [];
  if (opts.demo) {
    for (const user of DEMO_USERS) await createUser(db, user);
    return DEMO_USERS;
  }
  const fromEnv = opts.env.VIGIL_ADMIN_USER && opts.env.VIGIL_ADMIN_PASSWORD
    ? { username: opts.env.VIGIL_ADMIN_USER, password: opts.env.VIGIL_ADMIN_PASSWORD }
    : undefined;
  const account = fromEnv ?? (await opts.ask?.());
  if (!account) {
    throw new NoAdminAccount('no users yet: set VIGIL_ADMIN_USER and VIGIL_ADMIN_PASSWORD (at least 12 characters, not a common one) for the first admin, or start on a terminal to be asked');
  }
  const admin = { username: account.username, displayName: account.username, role: 'admin' as const, pii: true, password: account.password };
  const refused = checkPassword(admin.password, admin);
  if (refused) throw new NoAdminAccount(`the admin password is refused: ${refused}`);
  await createUser(db, admin);
  return [];
}
