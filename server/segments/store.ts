// The rule table in the app-state database: saved by an admin, read by every RFM call.
import type { AppDb } from '../db/appdb.ts';
import { SEGMENTS, type SegmentId, type SegmentRule } from './contract.ts';
import { DEFAULT_RULES, cellMap } from './rules.ts';

export interface StoredRules {
  rules: SegmentRule[];
  source: 'default' | 'custom';
  updatedAt: string | null;
  updatedBy: string | null;
}

interface RuleRow {
  [key: string]: string | number | null;
  priority: number;
  segment: string;
  r_min: number; r_max: number; f_min: number; f_max: number; m_min: number; m_max: number;
  updated_at: string;
  updated_by: string;
}

const isSegment = (s: string): s is SegmentId => (SEGMENTS as readonly string[]).includes(s);

/** The saved table, or the default one (also without an app-state database, e.g. a CLI beside a running server). */
export async function loadRules(db: AppDb | undefined): Promise<StoredRules> {
  const rows = db ? await db.all<RuleRow>('SELECT * FROM segment_rules ORDER BY priority') : [];
  if (!rows.length) return { rules: DEFAULT_RULES.map((r) => structuredClone(r)), source: 'default', updatedAt: null, updatedBy: null };
  const rules = rows.filter((row) => isSegment(row.segment)).map((row) => ({
    segment: row.segment as SegmentId,
    r: { min: row.r_min, max: row.r_max },
    f: { min: row.f_min, max: row.f_max },
    m: { min: row.m_min, max: row.m_max },
  }));
  return { rules, source: 'custom', updatedAt: String(rows[0].updated_at), updatedBy: rows[0].updated_by };
}

/** Replaces the table; refuses (UncoveredCells) one that leaves a cell without a segment. */
export async function saveRules(db: AppDb, rules: SegmentRule[], username: string): Promise<void> {
  cellMap(rules);
  const now = new Date().toISOString();
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM segment_rules');
    for (const [priority, rule] of rules.entries()) {
      await tx.run(
        `INSERT INTO segment_rules VALUES ($priority, $segment, $r_min, $r_max, $f_min, $f_max, $m_min, $m_max, CAST($now AS TIMESTAMP), $user)`,
        { priority, segment: rule.segment, r_min: rule.r.min, r_max: rule.r.max, f_min: rule.f.min, f_max: rule.f.max, m_min: rule.m.min, m_max: rule.m.max, now, user: username },
      );
    }
  });
}
