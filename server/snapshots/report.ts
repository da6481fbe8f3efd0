// Turns the rejection tables into the quality report's counts and samples. A sample shows the
// rejected row as the source had it (original headers and untrimmed values), or, for a row built
// by a split, the canonical values it was built with.
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, literal } from '../db/duck.ts';
import type { RejectedSample } from './quality.ts';

/** Where a rejected row's values are: table `from`, columns `columns` shown under `headers`. */
export interface RowValues {
  from: string;
  /** `rowid` for a source table in file order (row = rowid + 1), `__row` for a split's rows */
  row: 'rowid' | '__row';
  columns: string[];
  headers: string[];
}

export interface SampleSource {
  src: number;
  label: string;
  values: RowValues;
}

const SAMPLES_PER_REASON = 20;

export async function reasonCounts(conn: DuckDBConnection, rejections: string, where: string): Promise<Record<string, number>> {
  const rows = await all<{ reason: string; n: number }>(conn, `SELECT reason, count(*) AS n FROM ${rejections} WHERE ${where} GROUP BY reason ORDER BY n DESC, reason`);
  return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
}

/** Up to SAMPLES_PER_REASON rejected rows per reason, earliest first. */
export async function rejectedSamples(conn: DuckDBConnection, rejections: string, where: string, sources: SampleSource[]): Promise<RejectedSample[]> {
  const picked = `SELECT src, "row", reason, detail FROM ${rejections} WHERE ${where}
    QUALIFY row_number() OVER (PARTITION BY reason ORDER BY src, "row") <= ${SAMPLES_PER_REASON}`;
  const parts = sources.map(({ src, values }) => {
    const row = values.row === 'rowid' ? 'v.rowid + 1' : 'v.__row';
    return `SELECT s.src, s."row" AS row, s.reason, s.detail, CAST(to_json([${values.columns.map((c) => `v.${c}`).join(', ')}]) AS VARCHAR) AS vals
      FROM picked s JOIN ${values.from} v ON s.src = ${src} AND ${row} = s."row"`;
  });
  if (!parts.length) return [];
  const rows = await all<{ src: number; row: number; reason: string; detail: string; vals: string }>(
    conn,
    `WITH picked AS (${picked}) ${parts.join(' UNION ALL ')} ORDER BY reason, src, row`,
  );
  const bySrc = new Map(sources.map((s) => [s.src, s]));
  return rows.map((r) => {
    const source = bySrc.get(r.src)!;
    const vals = JSON.parse(r.vals) as (string | null)[];
    return {
      file: source.label,
      row: r.row,
      reason: r.reason,
      detail: r.detail,
      values: Object.fromEntries(source.values.headers.map((h, k) => [h, vals[k] ?? null])),
    };
  });
}

export const whereTable = (table: string) => `tbl = ${literal(table)}`;
export const whereSource = (src: number) => `src = ${src}`;
