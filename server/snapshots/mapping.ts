// The per-source mapping file: how an export's files, headers and values map onto the canonical
// tables. It is trusted operator input but stays data: expressions and conditions use the small
// vocabulary compiled by expressions.ts, never SQL text. The format is documented in
// server/snapshots/mappings/README.md.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { IngestError } from './failure.ts';
import { TABLE_NAMES, TABLES, type ColumnType, type TableName } from './schema.ts';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalar>;

const ENCODINGS = ['utf-8', 'utf8', 'gbk', 'gb2312', 'gb18030', 'utf-16', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];
const FORMATS = ['csv', 'jsonl', 'json', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];
const SOURCE_TYPES = ['VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL(18,2)', 'DECIMAL(6,4)', 'DATE', 'TIMESTAMP', 'BOOLEAN'] as const satisfies readonly ColumnType[];

const reading = {
  file: z.string().min(1),
  format: z.enum(FORMATS).optional(),
  encoding: z.enum(ENCODINGS).optional(),
  delimiter: z.string().length(1).optional(),
  description: z.string().optional(),
};

/** One file holding one canonical table, with renamed headers and constant columns. */
const tableFile = z.strictObject({
  ...reading,
  table: z.enum(TABLE_NAMES),
  /** source header -> canonical column */
  columns: z.record(z.string(), z.string()).default({}),
  /** canonical column -> value for every row */
  constants: z.record(z.string(), scalar).default({}),
});

const rule = z.strictObject({
  reason: z.string().regex(/^[a-z][a-z0-9_]*$/, 'reason codes are snake_case'),
  when: z.unknown(),
  detail: z.string().min(1),
  /** source columns whose values the detail shows; default: the columns the condition reads */
  columns: z.array(z.string()).optional(),
});

const lookup = z.strictObject({
  description: z.string().optional(),
  /** candidate lines (a condition) */
  from: z.unknown(),
  /** expressions that must be equal on the line and the candidate */
  match: z.array(z.unknown()).min(1),
  /** the candidate taken is the latest one whose value here is <= the line's */
  latestBefore: z.unknown(),
  /** what the lookup yields from that candidate */
  value: z.unknown(),
});

const target = z.strictObject({
  table: z.enum(TABLE_NAMES),
  description: z.string().optional(),
  where: z.unknown().optional(),
  groupBy: z.array(z.unknown()).min(1).optional(),
  columns: z.record(z.string(), z.unknown()),
});

/** One denormalised file split into several canonical tables, line by line. */
const splitFile = z.strictObject({
  ...reading,
  /** source columns parsed as a type before rules and expressions see them */
  types: z.record(z.string(), z.enum(SOURCE_TYPES)).default({}),
  /** named conditions, referenced as {"is": name} */
  conditions: z.record(z.string(), z.unknown()).default({}),
  lookups: z.record(z.string(), lookup).default({}),
  /** line rules in order; the first that holds rejects the line with its reason */
  rules: z.array(rule).default([]),
  split: z.array(target).min(1),
});

const mappingFile = z.strictObject({
  source: z.string().min(1).optional(),
  description: z.string().optional(),
  files: z.array(z.record(z.string(), z.unknown())).default([]),
  /** rows for tables the export lacks (e.g. the one platform it comes from) */
  rows: z.partialRecord(z.enum(TABLE_NAMES), z.array(z.record(z.string(), scalar)).min(1)).default({}),
});

type TableFileSpec = z.infer<typeof tableFile>;
export type SplitFileSpec = z.infer<typeof splitFile>;
type FileSpec = ({ kind: 'table' } & TableFileSpec) | ({ kind: 'split' } & SplitFileSpec);

export interface Mapping {
  /** where the mapping came from, for messages and the quality report */
  path: string;
  source?: string;
  files: FileSpec[];
  rows: Partial<Record<TableName, Record<string, Scalar>[]>>;
}

function issues(error: z.ZodError, prefix: string): string {
  const first = error.issues[0];
  const at = [prefix, ...first.path.map(String)].filter(Boolean).join('.');
  return `${at}: ${first.message}`;
}

function checkColumns(table: TableName, names: string[], where: string): void {
  const known = new Set(TABLES[table].columns.map((c) => c.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`${where}: ${table} has no column ${unknown.join(', ')}`);
}

/** Validates a parsed mapping; every canonical table and column it names must exist. */
function parseMapping(json: unknown, path: string): Mapping {
  const top = mappingFile.safeParse(json);
  if (!top.success) throw new IngestError(`mapping ${path}: ${issues(top.error, '')}`);
  try {
    const files = top.data.files.map((entry, i): FileSpec => {
      const where = `files[${i}]`;
      if ('split' in entry) {
        const parsed = splitFile.safeParse(entry);
        if (!parsed.success) throw new Error(issues(parsed.error, where));
        const tables = parsed.data.split.map((t) => t.table);
        const twice = tables.find((t, k) => tables.indexOf(t) !== k);
        if (twice) throw new Error(`${where}.split: table ${twice} appears twice`);
        parsed.data.split.forEach((t, k) => checkColumns(t.table, Object.keys(t.columns), `${where}.split[${k}].columns`));
        return { kind: 'split', ...parsed.data };
      }
      const parsed = tableFile.safeParse(entry);
      if (!parsed.success) throw new Error(issues(parsed.error, where));
      const spec = parsed.data;
      checkColumns(spec.table, Object.values(spec.columns), `${where}.columns`);
      checkColumns(spec.table, Object.keys(spec.constants), `${where}.constants`);
      const both = Object.values(spec.columns).find((c) => c in spec.constants);
      if (both) throw new Error(`${where}: ${both} is both a mapped column and a constant`);
      const targets = Object.values(spec.columns);
      const twice = targets.find((c, k) => targets.indexOf(c) !== k);
      if (twice) throw new Error(`${where}.columns: two headers map to ${twice}`);
      return { kind: 'table', ...spec };
    });
    for (const [table, rows] of Object.entries(top.data.rows) as [TableName, Record<string, Scalar>[]][]) {
      rows.forEach((row, k) => checkColumns(table, Object.keys(row), `rows.${table}[${k}]`));
    }
    return { path, source: top.data.source, files, rows: top.data.rows };
  } catch (err) {
    throw new IngestError(`mapping ${path}: ${(err as Error).message}`);
  }
}

export async function loadMapping(path: string): Promise<Mapping> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new IngestError(`cannot read mapping ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new IngestError(`mapping ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseMapping(json, path);
}
