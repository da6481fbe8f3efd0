// What the planner needs to know about a snapshot: the tables it has and its rollups.
import type { OpenSnapshot } from '../db/engine.ts';
import type { SnapshotData } from './plan.ts';
import { loadRollups } from './rollups.ts';

export async function loadSnapshotData(snap: OpenSnapshot, withRollups: boolean): Promise<SnapshotData> {
  return { tables: snap.tables, rollups: withRollups ? await loadRollups(snap.dir) : [] };
}
