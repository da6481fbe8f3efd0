// StaffEngine: the staff-performance replies of contract.ts over a snapshot.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryEngine, OpenSnapshot } from '../db/engine.ts';
import { AnswerCache, answerKey } from '../metrics/cache.ts';
import type {
  SalesFigures, SalesRow, ServiceFigures, ServiceRow, StaffMember, StaffPerformanceQuery, StaffPerformanceReply,
  StaffPeriod, StaffPersonQuery, StaffPersonReply, StaffRole,
} from './contract.ts';
import { definitionsFor } from './definitions.ts';
import { StaffNotFound } from './errors.ts';
import { at, emptySales, emptyService, salesFigures, serviceFigures, type Buckets } from './figures.ts';
import { rangeOf, staffPeriod, trendRange } from './periods.ts';
import { rankByRevenue, rankingOf } from './ranking.ts';
import { runSql } from './sql.ts';

interface SalesSection {
  rows: SalesRow[];
  coverage: NonNullable<StaffPerformanceReply['coverage']>;
  notes: string[];
}

interface ServiceSection {
  rows: ServiceRow[];
  complaintCoverage: NonNullable<StaffPerformanceReply['complaint_coverage']>;
  notes: string[];
}

/** Worked in the period: hired by its last day and not gone before its first. */
function employedIn(m: StaffMember, p: { from: string; to: string }): boolean {
  return (m.hired_on === null || m.hired_on <= p.to) && (m.left_on === null || m.left_on >= p.from);
}

function only<T>(buckets: Buckets<T>, bucket: string): Map<string, T> {
  const out = new Map<string, T>();
  for (const [id, byBucket] of buckets) {
    const f = byBucket.get(bucket);
    if (f) out.set(id, f);
  }
  return out;
}

export interface StaffEngineOptions {
  /** keep answers in a bounded LRU cache (default true) */
  cache?: boolean;
}

export class StaffEngine {
  private readonly cache: AnswerCache;

  constructor(private readonly engine: QueryEngine, opts: StaffEngineOptions = {}) {
    this.cache = new AnswerCache(opts.cache ?? true);
  }

  performance(q: StaffPerformanceQuery): Promise<StaffPerformanceReply> {
    const period = staffPeriod(q.period);
    return this.answer(['performance', period.key, q.role ?? null], q.snapshot, async (conn, snap) => {
      const reply: StaffPerformanceReply = { snapshot: snapshotOf(snap), period, notes: [] };
      const staff = await loadStaff(conn, snap);
      if (!staff) reply.notes.push('no data: the snapshot has no staff table');
      if (q.role !== 'service') {
        const sales = await salesSection(conn, snap, period, staff ?? []);
        Object.assign(reply, { sales: sales.rows, coverage: sales.coverage });
        reply.notes.push(...sales.notes);
      }
      if (q.role !== 'sales') {
        const service = await serviceSection(conn, snap, period, staff ?? []);
        Object.assign(reply, { service: service.rows, complaint_coverage: service.complaintCoverage });
        reply.notes.push(...service.notes);
      }
      return reply;
    });
  }

  /** One person's figures, series and the definitions of their role's figures; StaffNotFound when unknown. */
  person(staffId: string, q: StaffPersonQuery): Promise<StaffPersonReply> {
    const period = staffPeriod(q.period);
    return this.answer(['person', staffId, period.key], q.snapshot, async (conn, snap) => {
      const staff = (await loadStaff(conn, snap)) ?? [];
      const member = staff.find((m) => m.staff_id === staffId);
      if (!member) throw new StaffNotFound(staffId);
      const base = { snapshot: snapshotOf(snap), period, staff: member, definitions: definitionsFor(member.role) };
      if (member.role === 'sales') {
        const section = await salesSection(conn, snap, period, staff, staffId);
        const row = section.rows[0];
        return { ...base, figures: row.figures, ranking: row.ranking, series: seriesOf(period, row.trend), notes: section.notes };
      }
      const section = await serviceSection(conn, snap, period, staff, staffId);
      const row = section.rows[0];
      return { ...base, figures: row.figures, series: seriesOf(period, row.trend), notes: section.notes, complaint_coverage: section.complaintCoverage };
    });
  }

  /**
   * The answer to `question` over the snapshot (the newest when no id is given), cached under the
   * resolved id so that a newly published snapshot gets new answers. Staff answers hold no
   * customer's personal data and the figures' definitions are code, so no user scope or version is needed.
   */
  private async answer<T>(question: unknown[], snapshotId: string | undefined, work: (conn: DuckDBConnection, snap: OpenSnapshot) => Promise<T>): Promise<T> {
    const id = (await this.engine.snapshot(snapshotId)).manifest.id;
    return this.cache.answer(answerKey('staff', id, ...question), () => this.engine.withSnapshot(id, work));
  }
}

function snapshotOf(snap: OpenSnapshot): { id: string; asOf: string } {
  return { id: snap.manifest.id, asOf: snap.manifest.asOf };
}

function seriesOf<T extends SalesFigures | ServiceFigures>(period: StaffPeriod, trend: T[]): { month: string; figures: T }[] {
  return period.trendMonths.map((month, k) => ({ month, figures: trend[k] }));
}

async function loadStaff(conn: DuckDBConnection, snap: OpenSnapshot): Promise<StaffMember[] | undefined> {
  if (!snap.tables.has('staff')) return undefined;
  return (await runSql(conn, 'staff')).map((r) => ({
    staff_id: String(r.staff_id), name: String(r.name ?? r.staff_id), role: r.role === 'service' ? 'service' : 'sales',
    team: r.team === null ? null : String(r.team), hired_on: r.hired_on as string | null, left_on: r.left_on as string | null,
  } satisfies StaffMember));
}

/** Whether a row is shown: the one asked-for person, or everyone of the role who worked in the period or has figures in it. */
function shown(m: StaffMember, role: StaffRole, period: StaffPeriod, hasFigures: boolean, person?: string): boolean {
  if (person !== undefined) return m.staff_id === person;
  return m.role === role && (employedIn(m, period) || hasFigures);
}

/** Sales rows (see `shown`); rankings always run over all sales staff of the snapshot. */
async function salesSection(conn: DuckDBConnection, snap: OpenSnapshot, period: StaffPeriod, staff: StaffMember[], person?: string): Promise<SalesSection> {
  const current = await salesFigures(conn, snap.tables, rangeOf(period), false);
  const previous = await salesFigures(conn, snap.tables, rangeOf(period.previous), false);
  const trend = await salesFigures(conn, snap.tables, trendRange(period), true);
  const salesIds = new Set(staff.filter((m) => m.role === 'sales').map((m) => m.staff_id));
  const onlySales = (m: Map<string, SalesFigures>) => new Map([...m].filter(([id]) => salesIds.has(id)));
  const rankNow = rankByRevenue(onlySales(only(current.buckets, period.from)));
  const rankBefore = rankByRevenue(onlySales(only(previous.buckets, period.previous.from)));
  const rows = staff
    .filter((m) => shown(m, 'sales', period, current.buckets.has(m.staff_id), person))
    .map((m) => ({
      staff: m,
      figures: at(current.buckets, m.staff_id, period.from, emptySales),
      ranking: rankingOf(m.staff_id, rankNow, rankBefore),
      trend: period.trendMonths.map((month) => at(trend.buckets, m.staff_id, month, emptySales)),
    }))
    .sort((a, b) => (a.ranking.rank ?? Infinity) - (b.ranking.rank ?? Infinity) || a.staff.staff_id.localeCompare(b.staff.staff_id));
  const coverage = snap.tables.has('orders')
    ? (await runSql(conn, 'sales_coverage', { from: period.from, end: rangeOf(period).end }))[0]
    : { revenue: 0, attributed_revenue: 0, orders: 0, attributed_orders: 0 };
  return {
    rows,
    coverage: {
      revenue: Number(coverage.revenue), attributed_revenue: Number(coverage.attributed_revenue),
      orders: Number(coverage.orders), attributed_orders: Number(coverage.attributed_orders),
    },
    notes: current.notes,
  };
}

async function serviceSection(conn: DuckDBConnection, snap: OpenSnapshot, period: StaffPeriod, staff: StaffMember[], person?: string): Promise<ServiceSection> {
  const current = await serviceFigures(conn, snap.tables, rangeOf(period), false);
  const trend = await serviceFigures(conn, snap.tables, trendRange(period), true);
  const rows = staff
    .filter((m) => shown(m, 'service', period, current.buckets.has(m.staff_id), person))
    .map((m) => ({
      staff: m,
      figures: at(current.buckets, m.staff_id, period.from, emptyService),
      trend: period.trendMonths.map((month) => at(trend.buckets, m.staff_id, month, emptyService)),
    }));
  const complaintCoverage = current.coverage.get(period.from) ?? { resolved: 0, attributed: 0 };
  return { rows, complaintCoverage, notes: current.notes };
}
