// The 5×5 scoring matrix: a stored setting an admin may change, and the one function that turns
// likelihood × impact into a score and a level.
import type { AppDb } from '../../db/appdb.ts';
import { RiskMatrix, type Assessment, type RiskLevel } from '../contract.ts';

const SETTING = 'risk.matrix';

const range5 = [1, 2, 3, 4, 5];

/** score = likelihood × impact; low < 5, medium 5–9, high 10–15, critical ≥ 16 (DESIGN.md review periods). */
export const DEFAULT_MATRIX: RiskMatrix = {
  score: range5.map((l) => range5.map((i) => l * i)),
  levels: { medium: 5, high: 10, critical: 16 },
  reviewDays: { low: 360, medium: 180, high: 90, critical: 90 },
};

export class InvalidMatrix extends Error {}

/** Why a matrix cannot be used, or [] when it can. */
export function matrixProblems(m: RiskMatrix): string[] {
  const problems: string[] = [];
  const { medium, high, critical } = m.levels;
  if (!(medium < high && high < critical)) problems.push(`the level thresholds must increase: medium ${medium} < high ${high} < critical ${critical}`);
  for (let l = 0; l < 5; l++) {
    for (let i = 0; i < 5; i++) {
      // a more likely or more severe risk must never score lower
      if (l < 4 && m.score[l + 1][i] < m.score[l][i]) problems.push(`score at likelihood ${l + 2}, impact ${i + 1} is lower than at likelihood ${l + 1}`);
      if (i < 4 && m.score[l][i + 1] < m.score[l][i]) problems.push(`score at likelihood ${l + 1}, impact ${i + 2} is lower than at impact ${i + 1}`);
    }
  }
  return problems;
}

/** Parses and checks a matrix; throws InvalidMatrix with every problem named. */
export function validMatrix(value: unknown): RiskMatrix {
  const parsed = RiskMatrix.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidMatrix(`matrix ${issue.path.join('.') || 'value'}: ${issue.message}`);
  }
  const problems = matrixProblems(parsed.data);
  if (problems.length) throw new InvalidMatrix(`invalid matrix: ${problems.join('; ')}`);
  return parsed.data;
}

export function levelOf(score: number, m: RiskMatrix): RiskLevel {
  if (score >= m.levels.critical) return 'critical';
  if (score >= m.levels.high) return 'high';
  if (score >= m.levels.medium) return 'medium';
  return 'low';
}

export function assess(likelihood: number, impact: number, m: RiskMatrix): Assessment {
  const score = m.score[likelihood - 1][impact - 1];
  return { likelihood, impact, score, level: levelOf(score, m) };
}

export async function loadMatrix(db: AppDb): Promise<RiskMatrix> {
  const stored = await db.getSetting(SETTING);
  return stored ? RiskMatrix.parse(JSON.parse(stored)) : DEFAULT_MATRIX;
}

export async function saveMatrix(db: AppDb, value: unknown): Promise<RiskMatrix> {
  const m = validMatrix(value);
  await db.setSetting(SETTING, JSON.stringify(m));
  return m;
}
