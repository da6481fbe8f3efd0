// The KPI API's shapes, straight from the server's contract (type-only: nothing of zod reaches
// the browser bundle), plus the few constants the pages need at run time.
import type { BreakdownDimension, Comparison, FilterDimension, Grain } from '../../../server/metrics/contract.ts';

export type {
  BreakdownDimension,
  BreakdownReply,
  BreakdownRow,
  CatalogReply,
  Comparison,
  FilterDimension,
  Grain,
  KpiDefinitionInfo,
  KpiReply,
  KpiResult,
  KpiValue,
  Period,
  SeriesPoint,
  SeriesReply,
  Unit,
} from '../../../server/metrics/contract.ts';

export const FILTER_DIMS = ['platform', 'category', 'region', 'member_tier'] as const satisfies readonly FilterDimension[];
export const GRAIN_LIST = ['day', 'week', 'month'] as const satisfies readonly Grain[];
export const COMPARE_LIST = ['previous', 'yoy'] as const satisfies readonly Comparison[];
export const BREAKDOWN_LIST = ['platform', 'category', 'region', 'member_tier', 'product', 'carrier', 'promotion'] as const satisfies readonly BreakdownDimension[];

export function isFilterDim(dim: string): dim is FilterDimension {
  return (FILTER_DIMS as readonly string[]).includes(dim);
}
