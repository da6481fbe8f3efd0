// Staff figures per (person, bucket) over a day range: each figure's query runs only when the
// snapshot has its tables; a missing table leaves its figures empty and says so in `notes`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ATTRIBUTION_DAYS, SLA_SECONDS, type SalesFigures, type ServiceFigures } from './contract.ts';
import type { DayRange } from './periods.ts';
import { runSql } from './sql.ts';

/** staff_id → bucket → figures; the bucket is a month's first day, or the range's `from`. */
export type Buckets<T> = Map<string, Map<string, T>>;

interface Part {
  sql: string;
  tables: string[];
  /** the figures that stay empty without the part */
  figures: string;
}

const SALES_PARTS: Part[] = [
  { sql: 'sales_orders', tables: ['orders'], figures: 'revenue and orders' },
  { sql: 'sales_profit', tables: ['orders', 'order_items', 'products'], figures: 'gross profit' },
  { sql: 'sales_new_customers', tables: ['orders'], figures: 'new customers' },
  { sql: 'sales_reviews', tables: ['orders', 'reviews'], figures: 'average rating' },
  { sql: 'sales_complaints', tables: ['orders', 'complaints'], figures: 'complaints' },
];

const SERVICE_PARTS: Part[] = [
  { sql: 'service_inquiries', tables: ['inquiries'], figures: 'inquiries and response times' },
  { sql: 'service_complaints', tables: ['complaints', 'inquiries'], figures: 'complaints resolved and satisfaction' },
];

export const emptySales = (): SalesFigures => ({ revenue: 0, gross_profit: 0, orders: 0, new_customers: 0, avg_rating: null, ratings: 0, complaints: 0 });

export const emptyService = (): ServiceFigures => ({
  inquiries: 0, responded: 0, first_response_p50: null, first_response_p90: null, sla_breaches: 0, sla_breach_rate: null,
  complaints_resolved: 0, avg_satisfaction: null, satisfaction_responses: 0,
});

const cents = (x: number) => Math.round(x * 100) / 100;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

function missingNotes(parts: Part[], tables: Set<string>): string[] {
  return parts.filter((p) => !p.tables.every((t) => tables.has(t)))
    .map((p) => `no data for ${p.figures}: the snapshot has no ${p.tables.filter((t) => !tables.has(t)).join(', ')} table`);
}

function cell<T>(buckets: Buckets<T>, staffId: string, bucket: string, empty: () => T): T {
  let byBucket = buckets.get(staffId);
  if (!byBucket) buckets.set(staffId, (byBucket = new Map()));
  let figures = byBucket.get(bucket);
  if (!figures) byBucket.set(bucket, (figures = empty()));
  return figures;
}

export interface SalesResult {
  buckets: Buckets<SalesFigures>;
  notes: string[];
}

export async function salesFigures(conn: DuckDBConnection, tables: Set<string>, range: DayRange, monthly: boolean): Promise<SalesResult> {
  const params = { from: range.from, end: range.end, monthly };
  const buckets: Buckets<SalesFigures> = new Map();
  const ratingSums = new Map<SalesFigures, number>();
  for (const part of SALES_PARTS) {
    if (!part.tables.every((t) => tables.has(t))) continue;
    for (const row of await runSql(conn, part.sql, params)) {
      const f = cell(buckets, String(row.staff_id), String(row.bucket), emptySales);
      if ('revenue' in row) { f.revenue = cents(num(row.revenue)); f.orders = num(row.orders); }
      if ('gross_profit' in row) f.gross_profit = cents(num(row.gross_profit));
      if ('new_customers' in row) f.new_customers = num(row.new_customers);
      if ('ratings' in row) { f.ratings = num(row.ratings); ratingSums.set(f, num(row.rating_sum)); }
      if ('complaints' in row) f.complaints = num(row.complaints);
    }
  }
  for (const [f, sum] of ratingSums) f.avg_rating = f.ratings ? sum / f.ratings : null;
  return { buckets, notes: missingNotes(SALES_PARTS, tables) };
}

export interface ServiceResult {
  buckets: Buckets<ServiceFigures>;
  /** per bucket: complaints resolved, and those attributed to an agent */
  coverage: Map<string, { resolved: number; attributed: number }>;
  notes: string[];
}

export async function serviceFigures(conn: DuckDBConnection, tables: Set<string>, range: DayRange, monthly: boolean): Promise<ServiceResult> {
  const params = { from: range.from, end: range.end, monthly, sla: SLA_SECONDS, days: ATTRIBUTION_DAYS };
  const buckets: Buckets<ServiceFigures> = new Map();
  const coverage = new Map<string, { resolved: number; attributed: number }>();
  const [inquiries, complaints] = SERVICE_PARTS.map((p) => p.tables.every((t) => tables.has(t)));
  if (inquiries) {
    for (const row of await runSql(conn, 'service_inquiries', params)) {
      const f = cell(buckets, String(row.staff_id), String(row.bucket), emptyService);
      f.inquiries = num(row.inquiries);
      f.responded = num(row.responded);
      f.first_response_p50 = row.first_response_p50 === null ? null : Number(row.first_response_p50);
      f.first_response_p90 = row.first_response_p90 === null ? null : Number(row.first_response_p90);
      f.sla_breaches = num(row.sla_breaches);
      f.sla_breach_rate = f.responded ? f.sla_breaches / f.responded : null;
    }
  }
  if (complaints) {
    for (const row of await runSql(conn, 'service_complaints', params)) {
      const bucket = String(row.bucket);
      const cov = coverage.get(bucket) ?? { resolved: 0, attributed: 0 };
      cov.resolved += num(row.complaints_resolved);
      coverage.set(bucket, cov);
      if (row.staff_id === null) continue;
      cov.attributed += num(row.complaints_resolved);
      const f = cell(buckets, String(row.staff_id), bucket, emptyService);
      f.complaints_resolved = num(row.complaints_resolved);
      f.satisfaction_responses = num(row.satisfaction_responses);
      f.avg_satisfaction = f.satisfaction_responses ? num(row.satisfaction_sum) / f.satisfaction_responses : null;
    }
  }
  return { buckets, coverage, notes: missingNotes(SERVICE_PARTS, tables) };
}

/** The figures of one bucket, or empty ones. */
export function at<T>(buckets: Buckets<T>, staffId: string, bucket: string, empty: () => T): T {
  return buckets.get(staffId)?.get(bucket) ?? empty();
}
