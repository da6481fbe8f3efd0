// The SQL workbench's contract: running SQL in the sandbox, saved queries with versions,
// dashboards of pinned queries. Shared by the server routes, the CLI, the Queries page and the
// tests. DESIGN.md "Access" describes the sandbox; server/queries/README.md the file format.
import { z } from 'zod';

// ---------------------------------------------------------------- parameters

export const PARAM_TYPES = ['date', 'number', 'text', 'list'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

const paramName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a parameter name is lower-case letters, digits and _');

/**
 * A `$name` placeholder of a query. Values are always bound, never spliced into the SQL text.
 * `list`: one value chosen from `options` or from the first column of `optionsSql` (run in the sandbox).
 */
export const QueryParam = z.object({
  name: paramName,
  label: z.string().max(200).optional(),
  type: z.enum(PARAM_TYPES),
  default: z.union([z.string().max(1000), z.number().finite(), z.null()]).default(null),
  options: z.array(z.string().max(200)).max(1000).optional(),
  optionsSql: z.string().max(20_000).optional(),
});
export type QueryParam = z.infer<typeof QueryParam>;

/** Values by parameter name, as typed by the user (strings from a form or the CLI, numbers from JSON). */
export const ParamValues = z.record(paramName, z.union([z.string().max(1000), z.number().finite(), z.null()]));
export type ParamValues = z.infer<typeof ParamValues>;

// ---------------------------------------------------------------- charts

export const CHART_TYPES = ['line', 'bar', 'area', 'pie', 'scatter', 'heatmap'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** A chart drawn from a result: x column, one or more y columns, optional series column (pivot), stacking. Heatmap: x, series = y axis, y[0] = value. */
export const ChartSpec = z.object({
  type: z.enum(CHART_TYPES),
  x: z.string().min(1).max(200),
  y: z.array(z.string().min(1).max(200)).min(1).max(20),
  series: z.string().max(200).nullable().default(null),
  stack: z.boolean().default(false),
  title: z.string().max(200).optional(),
});
export type ChartSpec = z.infer<typeof ChartSpec>;

// ---------------------------------------------------------------- running SQL

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_ROW_LIMIT = 100_000;

export const RunBody = z.object({
  sql: z.string().min(1).max(100_000),
  /** declared parameters (types) of the SQL's $placeholders; an undeclared placeholder is an error */
  params: z.array(QueryParam).max(50).default([]),
  values: ParamValues.default({}),
  snapshot: z.string().optional(),
  /** a client-chosen id so that POST /api/queries/runs/:runId/cancel can stop this run */
  runId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  limit: z.number().int().min(1).max(DEFAULT_ROW_LIMIT).default(DEFAULT_ROW_LIMIT),
});
export type RunBody = z.infer<typeof RunBody>;

export interface ResultColumn {
  name: string;
  /** DuckDB type name, e.g. VARCHAR, BIGINT, DECIMAL(18,2), DATE, TIMESTAMP */
  type: string;
  /** how the web treats it */
  kind: 'number' | 'text' | 'date' | 'time' | 'boolean' | 'other';
}

export interface RunReply {
  runId: string;
  snapshot: { id: string; asOf: string };
  columns: ResultColumn[];
  /** row-major, JSON-safe: numbers (BIGINT beyond 2^53 as strings), strings, booleans, null; dates 'YYYY-MM-DD', times ISO */
  rows: (string | number | boolean | null)[][];
  rowCount: number;
  /** more rows existed than the limit; `rows` holds the first `limit` */
  truncated: boolean;
  elapsedMs: number;
  /** personal columns were masked for this user */
  masked: boolean;
}

/** A refusal or failure of the sandbox, with the reason the user sees. */
export const SANDBOX_ERRORS = ['not_select', 'multiple_statements', 'forbidden', 'file_access', 'timeout', 'cancelled', 'parameter', 'sql_error'] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERRORS)[number];

export interface HistoryEntry {
  id: number;
  sql: string;
  values: ParamValues;
  snapshotId: string | null;
  startedAt: string;
  elapsedMs: number;
  rowCount: number | null;
  status: 'ok' | 'error' | 'timeout' | 'cancelled';
  error: string | null;
}

export interface SchemaReply {
  snapshot: { id: string; asOf: string };
  tables: { name: string; rows: number; columns: { name: string; type: string; personal: boolean }[] }[];
}

// ---------------------------------------------------------------- saved queries

export const VISIBILITIES = ['private', 'everyone'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const SavedQueryInput = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  visibility: z.enum(VISIBILITIES).default('private'),
  sql: z.string().min(1).max(100_000),
  params: z.array(QueryParam).max(50).default([]),
  chart: ChartSpec.nullable().default(null),
});
export type SavedQueryInput = z.infer<typeof SavedQueryInput>;

export interface SavedQuery extends SavedQueryInput {
  /** 'q-12' for saved ones, 'file:<name>' for the read-only ones shipped in queries/ */
  id: string;
  owner: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  readonly: boolean;
  /** whether the asking user may edit it (owner or admin, never a shipped one) */
  canEdit: boolean;
}

export interface SavedQueryVersion {
  version: number;
  name: string;
  description: string;
  sql: string;
  params: QueryParam[];
  chart: ChartSpec | null;
  savedAt: string;
  savedBy: string;
}

export const QueriesListQuery = z.object({
  q: z.string().max(200).optional(),
  tag: z.string().max(50).optional(),
  mine: z.enum(['true', 'false']).optional(),
});

export interface QueriesReply {
  queries: SavedQuery[];
}

export const RestoreBody = z.object({ version: z.number().int().min(1) });

/** Running a saved query: its declared params with these values (defaults for the rest). */
export const RunSavedBody = z.object({
  values: ParamValues.default({}),
  snapshot: z.string().optional(),
  runId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  limit: z.number().int().min(1).max(DEFAULT_ROW_LIMIT).default(DEFAULT_ROW_LIMIT),
});

export const DownloadQuery = z.object({
  format: z.enum(['csv', 'parquet']).default('csv'),
  snapshot: z.string().optional(),
  /** parameter values as JSON (an object) */
  values: z.string().max(20_000).optional(),
});

// ---------------------------------------------------------------- dashboards

export const DashboardTile = z.object({
  queryId: z.string().min(1).max(100),
  view: z.enum(['chart', 'table']).default('chart'),
  /** grid position in a 12-column grid, rows of ~80 px */
  x: z.number().int().min(0).max(11),
  y: z.number().int().min(0).max(1000),
  w: z.number().int().min(1).max(12),
  h: z.number().int().min(1).max(20),
  title: z.string().max(200).optional(),
});
export type DashboardTile = z.infer<typeof DashboardTile>;

export const DashboardInput = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
  visibility: z.enum(VISIBILITIES).default('private'),
  /** shared inputs: a value here is passed to every tile's query that declares a parameter of that name */
  params: z.array(QueryParam).max(20).default([]),
  tiles: z.array(DashboardTile).max(50).default([]),
});
export type DashboardInput = z.infer<typeof DashboardInput>;

export interface Dashboard extends DashboardInput {
  id: string;
  owner: string;
  createdAt: string;
  updatedAt: string;
  canEdit: boolean;
}

export interface DashboardsReply {
  dashboards: Dashboard[];
}
