// The customer-segments API's contract: query-string schemas and reply shapes, shared by the
// server routes, the CLI, the Customers page and the tests. Definitions: DESIGN.md "Customer
// segments" and server/segments/README.md.
import { z } from 'zod';

/** The 11 named segments of DESIGN.md, as stable ids (labels below). */
export const SEGMENTS = [
  'champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention',
  'about_to_sleep', 'at_risk', 'cant_lose_them', 'hibernating', 'lost',
] as const;
export type SegmentId = (typeof SEGMENTS)[number];

export const SEGMENT_LABELS: Record<SegmentId, string> = {
  champions: 'Champions',
  loyal: 'Loyal',
  potential_loyalist: 'Potential Loyalist',
  new: 'New',
  promising: 'Promising',
  need_attention: 'Need Attention',
  about_to_sleep: 'About to Sleep',
  at_risk: 'At Risk',
  cant_lose_them: "Can't Lose Them",
  hibernating: 'Hibernating',
  lost: 'Lost',
};

/** In the movement matrix: a customer with no valid order in that reference date's window. */
export const NO_SEGMENT = 'none' as const;
export type MovementSegment = SegmentId | typeof NO_SEGMENT;

export const CUSTOMER_SORTS = ['monetary', 'frequency', 'recency'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

export const isoMonth = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM');

/** Shared by every RFM-based call. */
export const RfmQuery = z.object({
  snapshot: z.string().max(100).optional(),
  /** reference date; default the snapshot's as-of date */
  asOf: isoDate.optional(),
  /** look-back window in days ending at (and including) the reference date */
  days: z.coerce.number().int().min(1).max(3660).default(365),
});
export type RfmQuery = z.infer<typeof RfmQuery>;

export const CustomersQuery = RfmQuery.extend({
  /** one segment; omitted = every customer with a valid order in the window */
  segment: z.enum(SEGMENTS).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.enum(CUSTOMER_SORTS).default('monetary'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type CustomersQuery = z.infer<typeof CustomersQuery>;

/** CSV export: the same selection as the list, every page (at most `limit` rows). */
export const CustomersCsvQuery = RfmQuery.extend({
  segment: z.enum(SEGMENTS).optional(),
  sort: z.enum(CUSTOMER_SORTS).default('monetary'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});
export type CustomersCsvQuery = z.infer<typeof CustomersCsvQuery>;

export const CohortsQuery = z.object({
  snapshot: z.string().max(100).optional(),
  /** first and last cohort month; default the 12 months ending with the as-of month */
  from: isoMonth.optional(),
  to: isoMonth.optional(),
});
export type CohortsQuery = z.infer<typeof CohortsQuery>;

export const TiersQuery = RfmQuery;
export type TiersQuery = RfmQuery;

export const MovementQuery = z.object({
  snapshot: z.string().max(100).optional(),
  /** earlier reference date; default 90 days before `to` */
  from: isoDate.optional(),
  /** later reference date; default the (to-)snapshot's as-of date */
  to: isoDate.optional(),
  /** compare two snapshots instead (each at its own as-of date unless from/to are given) */
  fromSnapshot: z.string().max(100).optional(),
  toSnapshot: z.string().max(100).optional(),
  days: z.coerce.number().int().min(1).max(3660).default(365),
});
export type MovementQuery = z.infer<typeof MovementQuery>;

export const NewReturningQuery = z.object({
  snapshot: z.string().max(100).optional(),
  /** default the 12 months ending with the as-of month */
  from: isoMonth.optional(),
  to: isoMonth.optional(),
});
export type NewReturningQuery = z.infer<typeof NewReturningQuery>;

const score = z.number().int().min(1).max(5);
const range = z.object({ min: score, max: score }).refine((r) => r.min <= r.max, 'min must be <= max');

/** One rule: a box of score cells. Rules are tried in array order; the first match wins. */
export const SegmentRule = z.object({
  segment: z.enum(SEGMENTS),
  r: range,
  f: range,
  m: range,
});
export type SegmentRule = z.infer<typeof SegmentRule>;

export const RulesBody = z.object({
  rules: z.array(SegmentRule).min(1).max(200),
});
export type RulesBody = z.infer<typeof RulesBody>;

export interface SnapshotRef {
  id: string;
  asOf: string;
}

/** A score cell written as three digits R, F, M: "545" = R5 F4 M5. */
export type CellKey = string;

export interface RulesReply {
  rules: SegmentRule[];
  /** 'default' until an admin saves a table */
  source: 'default' | 'custom';
  updatedAt: string | null;
  updatedBy: string | null;
  /** every one of the 125 cells and the segment it maps to */
  cells: Record<CellKey, SegmentId>;
  labels: Record<SegmentId, string>;
}

export interface SegmentSummary {
  segment: SegmentId;
  label: string;
  customers: number;
  /** share of customers with a valid order in the window, 0..1 */
  customerShare: number;
  revenue: number;
  revenueShare: number;
  /** averages over the segment's customers; null when it has none */
  avgRecencyDays: number | null;
  avgFrequency: number | null;
  avgMonetary: number | null;
  /** revenue ÷ orders */
  aov: number | null;
  /** the score cells the rules give this segment */
  cells: CellKey[];
}

/** Score boundaries: the smallest and largest raw value inside each score, per measure. */
export interface ScoreBand {
  score: number;
  min: number;
  max: number;
  customers: number;
}

export interface RfmReply {
  snapshot: SnapshotRef;
  asOf: string;
  /** first day of the window (inclusive) */
  from: string;
  days: number;
  customers: number;
  revenue: number;
  orders: number;
  segments: SegmentSummary[];
  /** customers per occupied cell */
  cells: Array<{ cell: CellKey; r: number; f: number; m: number; segment: SegmentId; customers: number; revenue: number }>;
  bands: { recency: ScoreBand[]; frequency: ScoreBand[]; monetary: ScoreBand[] };
  rules: { source: 'default' | 'custom' };
}

/** A customers row: every customers column (personal ones masked unless the viewer has pii) + RFM. */
export interface CustomerRow {
  customer_id: string;
  platform_id: string | null;
  first_seen_at: string | null;
  region: string | null;
  city: string | null;
  member_tier: string | null;
  name: string | null;
  phone: string | null;
  address: string | null;
  last_order_at: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: SegmentId;
}

export interface CustomersReply {
  snapshot: SnapshotRef;
  asOf: string;
  from: string;
  days: number;
  segment: SegmentId | null;
  total: number;
  page: number;
  pageSize: number;
  /** true when personal columns are masked (viewer without pii) */
  masked: boolean;
  rows: CustomerRow[];
}

export interface CohortRow {
  /** YYYY-MM of the customers' first valid order (ever) */
  cohort: string;
  size: number;
  /** offset 0 is the cohort month itself (share 1); up to the last month of the snapshot */
  retention: Array<{ offset: number; month: string; active: number; share: number }>;
}

export interface CohortsReply {
  snapshot: SnapshotRef;
  from: string;
  to: string;
  cohorts: CohortRow[];
}

export interface TiersReply {
  snapshot: SnapshotRef;
  asOf: string;
  from: string;
  days: number;
  tiers: Array<{
    /** customers.member_tier; '(unknown)' when null */
    tier: string;
    /** customers of the tier in the customers table */
    customers: number;
    /** of those, with a valid order in the window */
    buyers: number;
    revenue: number;
    revenueShare: number;
  }>;
  /** customers per (customers.platform_id, tier) */
  byPlatform: Array<{ platform_id: string; tier: string; customers: number; share: number }>;
}

export interface MovementReply {
  from: SnapshotRef & { referenceDate: string };
  to: SnapshotRef & { referenceDate: string };
  days: number;
  segments: MovementSegment[];
  /** customers per (from segment, to segment), non-zero cells only */
  matrix: Array<{ from: MovementSegment; to: MovementSegment; customers: number }>;
  /** customers whose segment changed (both sides not none) */
  moved: number;
  stayed: number;
}

export interface NewReturningReply {
  snapshot: SnapshotRef;
  from: string;
  to: string;
  months: Array<{
    month: string;
    buyers: number;
    /** first valid order ever in this month */
    new: number;
    returning: number;
    newRevenue: number;
    returningRevenue: number;
  }>;
}
