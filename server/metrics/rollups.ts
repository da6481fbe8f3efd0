// Pre-aggregated rollups, built into a snapshot's staging folder before it is published (so they
// appear atomically with it): per relation, the base rows summed per day and a few dimension sets.
// They live in rollups/ with their own manifest; a snapshot without one (published before
// rollups existed, or by an older version of them) is answered from its base tables.
//
// A rollup row holds, for its cell, exactly the aggregate the base query would compute over the
// cell's rows (the same SQL), so summing rows gives the base answer. Only additive measures are
// stored: distinct buyers and quantiles are never summed across rows and always come from the
// base tables. Orders (and complaints) by category are stored per category cell: summed over
// cells of one category they are exact; over several they would count an order with lines in
// two of them twice, and the planner never asks that (rollups name that dimension `multi`).
// Coarser rollups are summed from finer ones of the same relation, the finest from the base rows.
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, ident, literal, openBatchDuck } from '../db/duck.ts';
import type { TableEntry } from '../snapshots/store.ts';
import type { TableName } from '../snapshots/schema.ts';
import type { BreakdownDimension } from './contract.ts';
import { RELATIONS, joinTables, type MultiDimension, type Relation, type RelationId } from './relations.ts';
import { BASE, groupedStatement, type Source } from './query.ts';
import { ALL_TIME, relationSelect } from './select.ts';

/** Bump when a relation's SQL or the layout changes: older rollups are then ignored, not misread. */
const ROLLUP_VERSION = 1;
export const ROLLUP_DIR = 'rollups';
const ROLLUP_MANIFEST = 'manifest.json';

export interface RollupSpec {
  relation: RelationId;
  dims: BreakdownDimension[];
  /** the multi-valued dimension (of dims) whose cells hold the fact counts; needed for `entity` measures */
  multi?: MultiDimension;
}

// Sized for the Overview: totals and platform splits read the day × platform rollups (a few
// thousand rows a year), filters by region or member tier the wider ones; carrier and promotion
// get their own so that their breakdowns need no join.
const ROLLUP_SPECS: readonly RollupSpec[] = [
  { relation: 'orders', dims: ['platform'] },
  { relation: 'orders', dims: ['platform', 'region', 'member_tier'] },
  { relation: 'orders', dims: ['platform', 'carrier'] },
  { relation: 'orders', dims: ['platform', 'promotion'] },
  { relation: 'lines', dims: ['platform', 'category'], multi: 'category' },
  { relation: 'lines', dims: ['platform', 'region', 'member_tier', 'category'], multi: 'category' },
  { relation: 'lines', dims: ['platform', 'category', 'product'], multi: 'product' },
  { relation: 'complaints', dims: ['platform', 'region', 'member_tier', 'carrier', 'promotion'] },
  { relation: 'complaint_lines', dims: ['platform', 'region', 'member_tier', 'category'], multi: 'category' },
  { relation: 'complaint_lines', dims: ['platform', 'category', 'product'], multi: 'product' },
  { relation: 'reviews', dims: ['platform'] },
  { relation: 'reviews', dims: ['platform', 'region', 'member_tier', 'category'] },
  { relation: 'reviews', dims: ['platform', 'category', 'product'] },
  { relation: 'inquiries', dims: ['platform'] },
  { relation: 'traffic', dims: ['platform'] },
  { relation: 'inventory', dims: ['category'] },
];

export interface RollupEntry extends RollupSpec {
  name: string;
  file: string;
  rows: number;
  /** the measures it holds: those whose tables the snapshot has */
  measures: string[];
}

export interface RollupManifest {
  version: number;
  rollups: RollupEntry[];
}

const FACT = 'rollup_fact';
/** Rows are sorted by day; small row groups let a month's query skip the rest of the file by its day statistics. */
const ROW_GROUP_ROWS = 16_384;

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function specName(spec: RollupSpec): string {
  return [spec.relation, ...spec.dims].join('__');
}

const has = (tables: Set<string>, needed: readonly string[]) => needed.every((t) => tables.has(t));

/** The measures of a relation a rollup can hold, given the snapshot's tables. */
function storableMeasures(relation: Relation, tables: Set<string>): string[] {
  return Object.entries(relation.measures)
    .filter(([, m]) => (m.kind === 'sum' || m.kind === 'entity') && has(tables, joinTables(relation, m.joins ?? [])))
    .map(([id]) => id);
}

/** Counts as BIGINT, which Parquet stores natively (DuckDB's integer sums are 128-bit). */
function storedColumn(relation: Relation, measure: string): string {
  return relation.measures[measure].money ? measure : `CAST(${measure} AS BIGINT) AS ${measure}`;
}

/** A built rollup of the same relation that holds every cell of `spec`, summed finer: the smallest. */
function finerRollup(spec: RollupSpec, built: RollupEntry[]): RollupEntry | undefined {
  return built
    .filter((r) => r.relation === spec.relation && r.multi === spec.multi && spec.dims.every((d) => r.dims.includes(d)))
    .sort((a, b) => a.rows - b.rows)[0];
}

async function buildRelation(conn: DuckDBConnection, relation: Relation, specs: RollupSpec[], tables: Set<string>, outDir: string): Promise<RollupEntry[]> {
  // finest first, so that coarser rollups can be summed from them instead of from the base rows
  const usable = specs
    .filter((s) => has(tables, joinTables(relation, s.dims.flatMap((d) => relation.dims[d]?.joins ?? []))))
    .sort((a, b) => b.dims.length - a.dims.length);
  if (!usable.length) return [];
  const measures = storableMeasures(relation, tables);
  const dims = [...new Set(usable.flatMap((s) => s.dims))];
  // the fact rows once for every rollup read from them: the line relation's joins and window run once
  await conn.run(`CREATE OR REPLACE TABLE ${FACT} AS ${relationSelect(relation, { dims, measures, entity: relation.grain === 'line' }, ALL_TIME)}`);
  const entries: RollupEntry[] = [];
  for (const spec of usable) {
    const name = specName(spec);
    const file = join(outDir, `${name}.parquet`);
    const keys = ['day', ...spec.dims];
    const stored = measures.filter((m) => relation.measures[m].kind === 'sum' || spec.multi);
    const finer = finerRollup(spec, entries);
    const source: Source = finer ? { kind: 'rollup', rollup: finer } : BASE;
    const rows = finer ? `SELECT * FROM read_parquet(${literal(finer.file)})` : `SELECT * FROM ${FACT}`;
    const cells = groupedStatement(relation, source, stored, keys.map((k) => ({ name: k, expr: k })), rows);
    await conn.run(`COPY (SELECT ${keys.join(', ')}, ${stored.map((m) => storedColumn(relation, m)).join(', ')}
      FROM (${cells}) ORDER BY ${keys.join(', ')}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
    await syncFile(file);
    const [{ count }] = await all<{ count: number }>(conn, `SELECT count(*) AS count FROM read_parquet(${literal(file)})`);
    entries.push({ ...spec, name, file, rows: count, measures: stored });
  }
  await conn.run(`DROP TABLE ${FACT}`);
  return entries.map((e) => ({ ...e, file: basename(e.file) }));
}

/**
 * Builds every rollup the snapshot's tables allow into `<snapshotDir>/rollups/`, from the Parquet
 * files already written there. Ingest calls it on the staging folder before publishing. It runs
 * in a DuckDB of its own with a memory cap, spilling beside the staging folder, so that building
 * rollups of a large snapshot does not add gigabytes to the ingest's own peak.
 */
export async function buildRollups(snapshotDir: string, tableFiles: Partial<Record<TableName, TableEntry>>): Promise<RollupManifest> {
  const outDir = join(snapshotDir, ROLLUP_DIR);
  // beside the staging folder, not in it, and named after it, so that a crash's leftovers are cleared by the next publish
  const spill = `${snapshotDir}.rollups-spill`;
  await mkdir(outDir, { recursive: true });
  const db = await openBatchDuck(spill);
  const conn = await db.connect();
  try {
    const tables = new Set(Object.keys(tableFiles));
    for (const [table, entry] of Object.entries(tableFiles)) {
      await conn.run(`CREATE VIEW ${ident(table)} AS SELECT * FROM read_parquet(${literal(join(snapshotDir, entry.file))})`);
    }
    const rollups: RollupEntry[] = [];
    for (const relation of Object.values(RELATIONS)) {
      const specs = ROLLUP_SPECS.filter((s) => s.relation === relation.id);
      if (specs.length && has(tables, relation.tables)) rollups.push(...(await buildRelation(conn, relation, specs, tables, outDir)));
    }
    const manifest: RollupManifest = { version: ROLLUP_VERSION, rollups };
    await writeFile(join(outDir, ROLLUP_MANIFEST), JSON.stringify(manifest, null, 2));
    await syncFile(join(outDir, ROLLUP_MANIFEST));
    return manifest;
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}

/** A snapshot's rollups with absolute file paths; none when it has no (current) rollup manifest. */
export async function loadRollups(snapshotDir: string): Promise<RollupEntry[]> {
  let manifest: RollupManifest;
  try {
    manifest = JSON.parse(await readFile(join(snapshotDir, ROLLUP_DIR, ROLLUP_MANIFEST), 'utf8')) as RollupManifest;
  } catch {
    return [];
  }
  if (manifest.version !== ROLLUP_VERSION) return [];
  return manifest.rollups.map((r) => ({ ...r, file: join(snapshotDir, ROLLUP_DIR, r.file) }));
}
