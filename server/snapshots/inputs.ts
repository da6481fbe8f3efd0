// Which files of an input folder feed which canonical tables: files named after a table
// (orders.csv, orders.csv.gz, orders.jsonl, orders.json, orders.parquet) plus whatever the mapping
// declares. Nothing is read here beyond the folder listing.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { IngestError } from './failure.ts';
import { loadMapping, type Encoding, type Format, type Mapping, type Scalar, type SplitFileSpec } from './mapping.ts';
import { TABLE_ORDER, isTableName, type TableName } from './schema.ts';

export interface FileInput {
  /** the file name as the user knows it (relative to the input folder) */
  name: string;
  path: string;
  reader: 'csv' | 'json' | 'parquet';
  compressed: boolean;
  encoding?: Encoding;
  delimiter?: string;
}

export interface InlineRows {
  name: string;
  rows: Record<string, Scalar>[];
}

/** A file (or the mapping's inline rows) holding one canonical table. */
export interface TableSource {
  kind: 'table';
  id: number;
  table: TableName;
  origin: FileInput | InlineRows;
  /** source header -> canonical column */
  columns: Record<string, string>;
  constants: Record<string, Scalar>;
}

/** A denormalised file split into several tables. */
export interface SplitSource {
  kind: 'split';
  id: number;
  origin: FileInput;
  spec: SplitFileSpec;
}

export type Source = TableSource | SplitSource;

export interface Inputs {
  source: string;
  sources: Source[];
  /** every canonical table some source feeds */
  tables: Set<TableName>;
  warnings: string[];
}

const FILE_NAME = /^([a-z_]+)\.(csv|csv\.gz|jsonl|jsonl\.gz|json|json\.gz|parquet)$/;
const EXTENSIONS = 'csv, csv.gz, jsonl, json or parquet';

function readerOf(name: string, format?: Format): Pick<FileInput, 'reader' | 'compressed'> {
  const compressed = name.toLowerCase().endsWith('.gz');
  const ext = format ?? name.toLowerCase().replace(/\.gz$/, '').split('.').pop();
  if (ext === 'csv') return { reader: 'csv', compressed };
  if (ext === 'jsonl' || ext === 'json' || ext === 'ndjson') return { reader: 'json', compressed };
  if (ext === 'parquet' && !compressed) return { reader: 'parquet', compressed };
  throw new IngestError(`${name}: unknown file format (expected ${EXTENSIONS}, or a "format" in the mapping)`);
}

async function listFolder(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new IngestError(`input is not a folder: ${dir}`);
    return (await readdir(dir)).sort();
  } catch (err) {
    if (err instanceof IngestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new IngestError(`input folder not found: ${dir}`);
    throw new IngestError(`cannot read input folder ${dir}: ${code ?? (err as Error).message}`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Resolves the input folder and mapping into sources; fails when there is no orders table. */
export async function discoverInputs(inputDir: string, mappingPath?: string): Promise<Inputs> {
  const dir = resolve(inputDir);
  const names = await listFolder(dir);
  const defaultMapping = join(dir, 'mapping.json');
  const mappingFile = mappingPath ? resolve(mappingPath) : names.includes('mapping.json') ? defaultMapping : undefined;
  const mapping: Mapping | undefined = mappingFile ? await loadMapping(mappingFile) : undefined;

  const sources: Source[] = [];
  const warnings: string[] = [];
  const claimed = new Set<string>();
  const add = (source: Omit<TableSource, 'id'> | Omit<SplitSource, 'id'>) => sources.push({ ...source, id: sources.length } as Source);

  for (const spec of mapping?.files ?? []) {
    const path = resolve(dir, spec.file);
    if (!(await isFile(path))) throw new IngestError(`mapping ${mappingFile} names ${spec.file}, which is not a file in ${dir}`);
    claimed.add(path);
    const origin: FileInput = { name: spec.file, path, ...readerOf(spec.file, spec.format), encoding: spec.encoding, delimiter: spec.delimiter };
    if (spec.kind === 'split') add({ kind: 'split', origin, spec });
    else add({ kind: 'table', table: spec.table, origin, columns: spec.columns, constants: spec.constants });
  }

  const byTable = new Map<TableName, string>();
  for (const name of names) {
    const path = join(dir, name);
    if (claimed.has(path) || path === mappingFile || name.startsWith('.') || !(await isFile(path))) continue;
    const match = FILE_NAME.exec(name);
    if (!match || !isTableName(match[1])) {
      if (!/^readme/i.test(name)) warnings.push(`ignored ${name}: not named after a canonical table and not in the mapping`);
      continue;
    }
    const table = match[1];
    const other = byTable.get(table);
    if (other) throw new IngestError(`two files for table ${table}: ${other} and ${name}; keep one`);
    byTable.set(table, name);
  }
  for (const table of TABLE_ORDER) {
    const name = byTable.get(table);
    if (name) add({ kind: 'table', table, origin: { name, path: join(dir, name), ...readerOf(name) }, columns: {}, constants: {} });
  }

  for (const [table, rows] of Object.entries(mapping?.rows ?? {}) as [TableName, Record<string, Scalar>[]][]) {
    add({ kind: 'table', table, origin: { name: `${basename(mappingFile!)} rows.${table}`, rows }, columns: {}, constants: {} });
  }

  const tables = new Set<TableName>(sources.flatMap((s) => (s.kind === 'table' ? [s.table] : s.spec.split.map((t) => t.table))));
  if (!tables.has('orders')) {
    throw new IngestError(`no orders table in ${dir}: expected orders.csv, orders.csv.gz, orders.jsonl, orders.json or orders.parquet, or a mapping entry for orders`);
  }
  return { source: mapping?.source ?? basename(dir), sources, tables, warnings };
}
