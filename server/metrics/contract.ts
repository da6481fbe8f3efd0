// The KPI API's contract: query-string schemas and reply shapes, shared by the server routes,
// the CLI, the web pages and the tests. The KPI definitions themselves are DESIGN.md's table.
import { z } from 'zod';

export const GRAINS = ['day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

/** Dimensions a query can be filtered by. */
export const FILTER_DIMENSIONS = ['platform', 'category', 'region', 'member_tier'] as const;
export type FilterDimension = (typeof FILTER_DIMENSIONS)[number];

/** Dimensions a breakdown (or a stacked series) can be split by. */
export const BREAKDOWN_DIMENSIONS = ['platform', 'category', 'region', 'member_tier', 'product', 'carrier', 'promotion'] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export const COMPARISONS = ['previous', 'yoy'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const UNITS = ['money', 'count', 'percent', 'permille', 'seconds', 'rating'] as const;
export type Unit = (typeof UNITS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

/** `a,b` or repeated `?x=a&x=b`, as a list of non-empty strings. */
const list = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean)), z.array(item).max(100).optional());

/** The query every KPI call shares. Dates are inclusive days of `ordered_at` (local time). */
export const KpiQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  snapshot: z.string().optional(),
  kpis: list(z.string().regex(/^[a-z0-9_]+$/, 'not a KPI id')),
  platform: list(z.string().max(200)),
  category: list(z.string().max(200)),
  region: list(z.string().max(200)),
  member_tier: list(z.string().max(200)),
  compare: list(z.enum(COMPARISONS)),
});
export type KpiQuery = z.infer<typeof KpiQuery>;

export const SeriesQuery = KpiQuery.extend({
  grain: z.enum(GRAINS).default('day'),
  /** optional split into one series per value of a dimension (e.g. GMV stacked by platform) */
  by: z.enum(BREAKDOWN_DIMENSIONS).optional(),
});
export type SeriesQuery = z.infer<typeof SeriesQuery>;

export const BreakdownQuery = KpiQuery.extend({
  by: z.enum(BREAKDOWN_DIMENSIONS),
  /** rows sorted by this KPI, descending; default the first requested KPI */
  sort: z.string().regex(/^[a-z0-9_]+$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
export type BreakdownQuery = z.infer<typeof BreakdownQuery>;

/** One KPI's answer. A rate carries its numerator and denominator; `value` is null with a reason when it cannot be computed. */
export interface KpiValue {
  value: number | null;
  numerator?: number;
  denominator?: number;
  /** why value is null: e.g. "no data: the snapshot has no traffic table", "no orders in this period" */
  reason?: string;
}

/** A KPI's answer for the asked period, with the comparisons that were asked for. */
export interface KpiResult extends KpiValue {
  previous?: KpiValue;
  yoy?: KpiValue;
}

export interface Period {
  from: string;
  to: string;
}

export interface KpiReply {
  snapshot: { id: string; asOf: string };
  from: string;
  to: string;
  /** the comparison periods, present when asked for */
  periods: { previous?: Period; yoy?: Period };
  kpis: Record<string, KpiResult>;
}

export interface SeriesPoint {
  /** first day of the day/week (Monday)/month bucket */
  period: string;
  /** the dimension value when the series is split with `by` */
  key?: string;
  kpis: Record<string, KpiValue>;
}

export interface SeriesReply {
  snapshot: { id: string; asOf: string };
  from: string;
  to: string;
  grain: Grain;
  by?: BreakdownDimension;
  points: SeriesPoint[];
}

export interface BreakdownRow {
  key: string;
  /** display name (platform name, product name, ...); the key when there is none */
  label: string;
  kpis: Record<string, KpiResult>;
}

export interface BreakdownReply {
  snapshot: { id: string; asOf: string };
  from: string;
  to: string;
  by: BreakdownDimension;
  rows: BreakdownRow[];
}

export interface KpiDefinitionInfo {
  id: string;
  label: { en: string; zh: string };
  description: { en: string; zh: string };
  unit: Unit;
  direction: 'higher_is_better' | 'higher_is_worse' | 'neutral';
  tables: string[];
  isRate: boolean;
  /** dimensions this KPI can be broken down by */
  breakdowns: BreakdownDimension[];
}

export interface CatalogReply {
  kpis: KpiDefinitionInfo[];
  /** values for the filter bar, with display names */
  dimensions: Record<FilterDimension, { key: string; label: string }[]>;
  snapshot: { id: string; asOf: string; minDate: string | null; maxDate: string | null };
}
