// The workbench API's shapes, straight from the server's contract (type-only: zod stays on the
// server), plus the lists the Queries page offers in its pickers.
export type {
  ChartSpec,
  ChartType,
  HistoryEntry,
  ParamType,
  ParamValues,
  QueriesReply,
  QueryParam,
  ResultColumn,
  RunReply,
  SandboxErrorCode,
  SavedQuery,
  SavedQueryInput,
  SavedQueryVersion,
  SchemaReply,
  Visibility,
} from '../../../server/queries/contract.ts';

import type { ChartType, ParamType, Visibility } from '../../../server/queries/contract.ts';

// the contract's value lists, repeated as types-checked literals so that zod stays on the server
export const CHART_TYPES: readonly ChartType[] = ['bar', 'line', 'area', 'pie', 'scatter', 'heatmap'];
export const PARAM_TYPES: readonly ParamType[] = ['date', 'number', 'text', 'list'];
export const VISIBILITIES: readonly Visibility[] = ['private', 'everyone'];

/** A cell of a result row, as the server sends it. */
export type Cell = string | number | boolean | null;
