// The staff-performance API's contract: query-string schemas and reply shapes, shared by the
// routes, the CLI, the Staff page and the tests. The figures' definitions are in definitions.ts
// (also sent with every person reply); README.md in this folder explains the choices.
import { z } from 'zod';

export const STAFF_ROLES = ['sales', 'service'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Number of monthly points in a trend: the 12 months ending with the period's last month. */
export const TREND_MONTHS = 12;

/** Response-time SLA in seconds (DESIGN.md: default 60 s). */
export const SLA_SECONDS = 60;

/**
 * A complaint counts as resolved by an agent when that agent handled an inquiry of the same
 * customer received within this many days before the complaint's resolution (see README.md).
 */
export const ATTRIBUTION_DAYS = 14;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const YEAR = /^\d{4}$/;

/** `YYYY-MM` (a calendar month) or `YYYY` (a calendar year). */
export const StaffPeriodParam = z
  .string({ message: 'expected a month YYYY-MM or a year YYYY' })
  .refine((s) => MONTH.test(s) || YEAR.test(s), 'expected a month YYYY-MM or a year YYYY')
  .refine((s) => Number(s.slice(0, 4)) >= 1900 && Number(s.slice(0, 4)) <= 2999, 'year out of range 1900–2999');

export const StaffPerformanceQuery = z.object({
  period: StaffPeriodParam,
  /** only this role's table; both when absent */
  role: z.enum(STAFF_ROLES).optional(),
  /** a published snapshot id; default the newest */
  snapshot: z.string().max(100).optional(),
});
export type StaffPerformanceQuery = z.infer<typeof StaffPerformanceQuery>;

export const StaffPersonParams = z.object({ id: z.string().min(1).max(100) });
export type StaffPersonParams = z.infer<typeof StaffPersonParams>;

export const StaffPersonQuery = z.object({
  period: StaffPeriodParam,
  snapshot: z.string().max(100).optional(),
});
export type StaffPersonQuery = z.infer<typeof StaffPersonQuery>;

export interface StaffPeriod {
  /** as asked: `2026-05` or `2026` */
  key: string;
  grain: 'month' | 'year';
  /** first and last day, inclusive (local dates) */
  from: string;
  to: string;
  /** the period the ranking movement compares with: previous month / previous year */
  previous: { key: string; from: string; to: string };
  /** first days (`YYYY-MM-01`) of the trend's months, oldest first; TREND_MONTHS of them */
  trendMonths: string[];
}

export interface StaffMember {
  staff_id: string;
  name: string;
  role: StaffRole;
  team: string | null;
  hired_on: string | null;
  left_on: string | null;
}

/** A sales person's figures for one period (orders by `ordered_at`). */
export interface SalesFigures {
  /** Σ paid_amount of their valid orders */
  revenue: number;
  /** Σ quantity·(unit_price − unit_cost) over their valid orders' lines whose SKU has a cost */
  gross_profit: number;
  /** count of their valid orders */
  orders: number;
  /** customers whose first valid order ever was theirs and falls in the period */
  new_customers: number;
  /** mean rating of reviews on their valid orders, reviews created in the period; null when none */
  avg_rating: number | null;
  /** number of those reviews (the sample size of avg_rating) */
  ratings: number;
  /** complaints on their valid orders received in the period */
  complaints: number;
}

/** A service agent's figures for one period (inquiries by `received_at`). */
export interface ServiceFigures {
  /** inquiries with agent_id = them received in the period */
  inquiries: number;
  /** those with a first response (the sample of the response-time figures) */
  responded: number;
  /** seconds from received_at to first_response_at, quantile_cont 0.5 / 0.9; null when none responded */
  first_response_p50: number | null;
  first_response_p90: number | null;
  /** responded inquiries with a response time above SLA_SECONDS */
  sla_breaches: number;
  /** sla_breaches ÷ responded; null when none responded */
  sla_breach_rate: number | null;
  /** complaints resolved in the period attributed to them (ATTRIBUTION_DAYS rule) */
  complaints_resolved: number;
  /** mean satisfaction (1–5) of those attributed complaints that have one; null when none */
  avg_satisfaction: number | null;
  /** number of attributed complaints with a satisfaction score */
  satisfaction_responses: number;
}

export interface Ranking {
  /** 1 = highest revenue; null when the person has no valid order in the period */
  rank: number | null;
  /** rank in the previous period; null when not ranked there */
  previous_rank: number | null;
  /** previous_rank − rank: positive = moved up; null when either is null */
  movement: number | null;
  /** ranked now but not in the previous period */
  new_entry: boolean;
}

export interface SalesRow {
  staff: StaffMember;
  figures: SalesFigures;
  ranking: Ranking;
  /** the figures per trend month, aligned with period.trendMonths */
  trend: SalesFigures[];
}

export interface ServiceRow {
  staff: StaffMember;
  figures: ServiceFigures;
  /** the figures per trend month, aligned with period.trendMonths */
  trend: ServiceFigures[];
}

export interface StaffPerformanceReply {
  snapshot: { id: string; asOf: string };
  period: StaffPeriod;
  /**
   * Sales staff (role = 'sales') employed at some time in the period or holding a valid order in
   * it, sorted by rank (unranked last, by staff_id). Absent when `role=service` was asked.
   */
  sales?: SalesRow[];
  /** Service staff employed in the period or with an inquiry in it, by staff_id. Absent when `role=sales`. */
  service?: ServiceRow[];
  /** totals over all valid orders of the period, to show how much is attributed to a sales person */
  coverage?: { revenue: number; attributed_revenue: number; orders: number; attributed_orders: number };
  /** complaints resolved in the period, and how many of them the ATTRIBUTION_DAYS rule gives to an agent */
  complaint_coverage?: { resolved: number; attributed: number };
  /** why a section is empty or a figure missing, e.g. "no data: the snapshot has no inquiries table" */
  notes: string[];
}

export interface FigureDefinition {
  id: keyof SalesFigures | keyof ServiceFigures;
  label: { en: string; zh: string };
  definition: { en: string; zh: string };
  unit: 'money' | 'count' | 'percent' | 'seconds' | 'rating';
}

export interface StaffPersonReply {
  snapshot: { id: string; asOf: string };
  period: StaffPeriod;
  staff: StaffMember;
  /** the figures of their role for the period */
  figures: SalesFigures | ServiceFigures;
  /** sales staff only */
  ranking?: Ranking;
  /** monthly points aligned with period.trendMonths */
  series: { month: string; figures: SalesFigures | ServiceFigures }[];
  /** definitions of each figure of their role, in the order of `figures` */
  definitions: FigureDefinition[];
  /** service staff only: the period's complaint coverage, as in StaffPerformanceReply */
  complaint_coverage?: { resolved: number; attributed: number };
  notes: string[];
}
