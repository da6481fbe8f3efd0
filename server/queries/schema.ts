// What the workbench's editor completes and its side panel lists: the snapshot's tables with
// their row counts (from the manifest) and columns, personal ones flagged.
import type { OpenSnapshot } from '../db/engine.ts';
import { TABLE_ORDER, personalColumns } from '../snapshots/schema.ts';
import type { SchemaReply } from './contract.ts';

export function snapshotSchema(snap: OpenSnapshot): SchemaReply {
  const { manifest } = snap;
  const tables = TABLE_ORDER.flatMap((name) => {
    const entry = manifest.tables[name];
    if (!entry) return [];
    const personal = new Set(personalColumns(name));
    return [{ name, rows: entry.rows, columns: entry.schema.map((c) => ({ name: c.name, type: c.type, personal: personal.has(c.name) })) }];
  });
  return { snapshot: { id: manifest.id, asOf: manifest.asOf }, tables };
}
