// Ingest: a folder of platform exports -> one published snapshot (Parquet per table, manifest,
// quality.json). Everything heavy runs set-based in one in-memory DuckDB per ingest, spilling to
// a work folder beside the staging folder. Whole-input failures throw IngestError before the
// rename, so the previous snapshot is never touched.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, openBatchDuck } from '../db/duck.ts';
import { buildRollups } from '../metrics/rollups.ts';
import { checkTable, createRejectionsTable, type Candidate, type TableCounts } from './checks.ts';
import { IngestError } from './failure.ts';
import { discoverInputs, type Inputs, type SplitSource } from './inputs.ts';
import type { QualityReport, RejectedSample, SourceQuality, TableQuality } from './quality.ts';
import { createQuarantineTable, loadFile, loadInlineRows, type LoadedSource } from './read.ts';
import { reasonCounts, rejectedSamples, whereSource, whereTable } from './report.ts';
import { TABLE_ORDER, type TableName } from './schema.ts';
import { createLineRejectionsTable, rejectLinesOfRejectedRows, splitSource } from './split.ts';
import { publishSnapshot, QUALITY, type Manifest, type StagedSnapshot, type TableEntry } from './store.ts';
import { tableCandidate } from './tablefile.ts';
import { utf8Input } from './transcode.ts';
import { writeTable } from './write.ts';

export { IngestError } from './failure.ts';

export interface IngestProgress {
  step: 'read' | 'check' | 'write' | 'report';
  detail: string;
}

export interface IngestOptions {
  /** the folder of exports */
  input: string;
  snapshotsRoot: string;
  /** mapping file; default: mapping.json in the input folder, if any */
  mapping?: string;
  /** YYYY-MM-DD; default: the date of the newest accepted order */
  asOf?: string;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestResult {
  manifest: Manifest;
  quality: QualityReport;
}

interface Loaded {
  candidates: Map<TableName, Candidate[]>;
  splits: { source: SplitSource; loaded: LoadedSource; tables: TableName[] }[];
  warnings: string[];
}

async function load(conn: DuckDBConnection, inputs: Inputs, work: string, progress: (p: IngestProgress) => void): Promise<Loaded> {
  const candidates = new Map<TableName, Candidate[]>();
  const add = (table: TableName, candidate: Candidate) => candidates.set(table, [...(candidates.get(table) ?? []), candidate]);
  const splits: Loaded['splits'] = [];
  const warnings = [...inputs.warnings];
  for (const source of inputs.sources) {
    progress({ step: 'read', detail: source.origin.name });
    const table = `src_${source.id}`;
    const origin = source.origin;
    const loaded = 'rows' in origin ? await loadInlineRows(conn, origin, table) : await loadFile(conn, await utf8Input(origin, work, source.id), work, table, source.id);
    if (source.kind === 'table') {
      add(source.table, tableCandidate(source, loaded, warnings));
    } else {
      const made = await splitSource(conn, source, loaded);
      source.spec.split.forEach((target, k) => add(target.table, made[k]));
      splits.push({ source, loaded, tables: source.spec.split.map((t) => t.table) });
    }
  }
  return { candidates, splits, warnings };
}

interface Rejected {
  count: number;
  reasons: Record<string, number>;
  samples: RejectedSample[];
}

const total = (reasons: Record<string, number>) => Object.values(reasons).reduce((a, b) => a + b, 0);

/** The records of these sources that the reader quarantined (read.ts), as the report counts and shows them. */
async function quarantined(conn: DuckDBConnection, sources: { src: number; label: string }[]): Promise<Rejected> {
  if (!sources.length) return { count: 0, reasons: {}, samples: [] };
  const where = `src IN (${sources.map((s) => s.src).join(', ')})`;
  const reasons = await reasonCounts(conn, 'quarantine', where);
  // A quarantined record has no fields to show (its detail quotes the line), so each source's
  // "values" are just the quarantined row numbers, with no columns.
  const samples = await rejectedSamples(conn, 'quarantine', where, sources.map(({ src, label }) => ({
    src,
    label,
    values: { from: `(SELECT "row" - 1 AS rowid FROM quarantine WHERE src = ${src})`, row: 'rowid' as const, columns: [], headers: [] },
  })));
  return { count: total(reasons), reasons, samples };
}

/** Reasons of both, most frequent first, as reasonCounts orders them. */
function mergeReasons(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged = { ...a };
  for (const [reason, n] of Object.entries(b)) merged[reason] = (merged[reason] ?? 0) + n;
  return Object.fromEntries(Object.entries(merged).sort(([ra, na], [rb, nb]) => nb - na || ra.localeCompare(rb)));
}

/** Samples of both, in rejectedSamples' order: by reason, then file order. */
function mergeSamples(a: RejectedSample[], b: RejectedSample[]): RejectedSample[] {
  return [...a, ...b].sort((x, y) => x.reason.localeCompare(y.reason) || (x.file ?? '').localeCompare(y.file ?? '') || x.row - y.row);
}

/** The files read for the table itself, not through a split: records quarantined from them count as rows of the table. */
function tableSources(inputs: Inputs, table: TableName): { src: number; label: string }[] {
  return inputs.sources.flatMap((s) => (s.kind === 'table' && s.table === table ? [{ src: s.id, label: s.origin.name }] : []));
}

async function tableQuality(conn: DuckDBConnection, table: TableName, candidates: Candidate[], counts: TableCounts, lost: Rejected): Promise<TableQuality> {
  const reasons = await reasonCounts(conn, 'rejections', whereTable(table));
  const read = counts.read + lost.count;
  return {
    table,
    files: [...new Set(candidates.map((c) => c.label))],
    read,
    accepted: counts.accepted,
    rejected: read - counts.accepted,
    reasons: mergeReasons(reasons, lost.reasons),
    samples: mergeSamples(await rejectedSamples(conn, 'rejections', whereTable(table), candidates), lost.samples),
  };
}

async function sourceQuality(conn: DuckDBConnection, split: Loaded['splits'][number]): Promise<SourceQuality> {
  const { source, loaded } = split;
  const label = source.origin.name;
  const lines = await reasonCounts(conn, 'line_rejections', whereSource(source.id));
  const lost = await quarantined(conn, [{ src: source.id, label }]);
  const read = loaded.rows + lost.count;
  const rejected = total(lines) + lost.count;
  const values = { from: loaded.table, row: 'rowid' as const, columns: loaded.headers.map((_, k) => `c${k}`), headers: loaded.headers };
  return {
    file: label,
    tables: split.tables,
    read,
    accepted: read - rejected,
    rejected,
    reasons: mergeReasons(lines, lost.reasons),
    samples: mergeSamples(await rejectedSamples(conn, 'line_rejections', whereSource(source.id), [{ src: source.id, label, values }]), lost.samples),
  };
}

function summary(reasons: Record<string, number>): string {
  return Object.entries(reasons).map(([reason, n]) => `${reason} ${n}`).join(', ');
}

/** Loads, checks and writes every table into the staging folder; returns the manifest body and report. */
async function build(
  conn: DuckDBConnection,
  inputs: Inputs,
  staged: StagedSnapshot,
  work: string,
  opts: IngestOptions,
  startedAt: string,
): Promise<{ manifest: Omit<Manifest, 'id' | 'createdAt'>; quality: QualityReport }> {
  const progress = opts.onProgress ?? (() => {});
  await createRejectionsTable(conn);
  await createLineRejectionsTable(conn);
  await createQuarantineTable(conn);
  const { candidates, splits, warnings } = await load(conn, inputs, work, progress);

  const tables: Partial<Record<TableName, TableEntry>> = {};
  const qualities: TableQuality[] = [];
  for (const table of TABLE_ORDER) {
    const offered = candidates.get(table);
    if (!offered) continue;
    progress({ step: 'check', detail: table });
    const counts = await checkTable(conn, table, offered, inputs.tables);
    const lost = await quarantined(conn, tableSources(inputs, table));
    if (table === 'orders' && counts.accepted === 0) {
      const reasons = mergeReasons(await reasonCounts(conn, 'rejections', whereTable('orders')), lost.reasons);
      const files = [...new Set(offered.map((c) => c.label))].join(', ');
      const read = counts.read + lost.count;
      throw new IngestError(`no order was accepted from ${files}: ${read} rows read${read ? `, all rejected (${summary(reasons)})` : ''}`);
    }
    progress({ step: 'write', detail: table });
    tables[table] = await writeTable(conn, table, staged.dir, counts.accepted);
    qualities.push(await tableQuality(conn, table, offered, counts, lost));
  }

  progress({ step: 'report', detail: 'quality.json' });
  const sources: SourceQuality[] = [];
  for (const split of splits) {
    const lost = await rejectLinesOfRejectedRows(conn, split.source);
    if (lost) {
      warnings.push(`${split.source.origin.name}: ${lost} lines were rejected because a row built from them was rejected by the table checks; rows of other tables built from the same lines were kept`);
    }
    sources.push(await sourceQuality(conn, split));
  }

  const [{ newest }] = await all<{ newest: string | null }>(conn, `SELECT strftime(max(ordered_at), '%Y-%m-%d') AS newest FROM acc_orders`);
  const quality: QualityReport = {
    snapshotId: staged.id,
    source: inputs.source,
    startedAt,
    finishedAt: new Date().toISOString(),
    tables: qualities,
    missingTables: TABLE_ORDER.filter((t) => !inputs.tables.has(t)),
    ...(sources.length ? { sources } : {}),
    warnings,
  };
  return { manifest: { asOf: opts.asOf ?? newest!, source: inputs.source, tables }, quality };
}

/** Ingests one input folder and publishes it as a new snapshot. */
export async function ingest(opts: IngestOptions): Promise<IngestResult> {
  const startedAt = new Date().toISOString();
  if (opts.asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf) || Number.isNaN(Date.parse(opts.asOf)))) {
    throw new IngestError(`as-of must be a date YYYY-MM-DD, got "${opts.asOf}"`);
  }
  const inputs = await discoverInputs(opts.input, opts.mapping);
  let quality: QualityReport | undefined;
  const manifest = await publishSnapshot(opts.snapshotsRoot, async (staged) => {
    // beside the staging folder, not in it: the rename must publish only the snapshot's files,
    // and its ".tmp-" prefix lets the next publish clear it after a crash
    const work = `${staged.dir}.work`;
    await mkdir(work);
    const db = await openBatchDuck(join(work, 'spill'));
    const conn = await db.connect();
    let built: Awaited<ReturnType<typeof build>>;
    try {
      built = await build(conn, inputs, staged, work, opts, startedAt);
    } finally {
      // before the rollups, whose DuckDB has a memory cap of its own: the two caps never add up
      conn.closeSync();
      db.closeSync();
      await rm(work, { recursive: true, force: true });
    }
    quality = built.quality;
    await writeFile(join(staged.dir, QUALITY), JSON.stringify(quality, null, 2));
    // in the staging folder, so that the rename publishes the rollups with the tables they summarise
    await buildRollups(staged.dir, built.manifest.tables);
    return built.manifest;
  });
  return { manifest, quality: quality! };
}
