// The built-in risk library, created once per app database: the seeded risks and the indicators
// linked to them. Afterwards they are ordinary, editable rows.
import { DEMO_USERS } from '../auth/bootstrap.ts';
import { listUsers } from '../auth/users.ts';
import type { AppDb } from '../db/appdb.ts';
import { RiskInput } from './contract.ts';
import { createIndicator, getIndicator } from './indicatorStore.ts';
import { BUILTIN_RISKS, builtinIndicators } from './library.ts';
import { RiskRegister, SYSTEM_USER } from './register/service.ts';
import { riskExists } from './register/store.ts';

export const SEEDED_SETTING = 'risk.seeded';

/** Who owns the seeded library: the demo risk owner, else the first admin. */
export async function libraryOwner(db: AppDb, demo: boolean): Promise<string> {
  const demoOwner = DEMO_USERS.find((u) => u.role === 'risk_owner');
  if (demo && demoOwner) return demoOwner.username;
  const users = await listUsers(db);
  const admin = users.find((u) => u.role === 'admin' && !u.disabled) ?? users[0];
  if (!admin) throw new Error('no user to own the risk library');
  return admin.username;
}

/** Idempotent: the setting marks a finished seed, and rows a half-finished one left are skipped. */
export async function seedRiskLibrary(db: AppDb, owner: string): Promise<void> {
  if ((await db.getSetting(SEEDED_SETTING)) === 'true') return;
  const register = new RiskRegister(db);
  for (const risk of BUILTIN_RISKS) {
    if (await riskExists(db, risk.id)) continue;
    await register.create(RiskInput.parse({ ...risk, owner }), SYSTEM_USER, { id: risk.id });
  }
  for (const indicator of builtinIndicators(owner)) {
    if (await getIndicator(db, indicator.id)) continue;
    await createIndicator(db, indicator, SYSTEM_USER, { builtin: true });
  }
  await db.setSetting(SEEDED_SETTING, 'true');
}
