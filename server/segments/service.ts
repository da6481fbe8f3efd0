// The segments domain: RFM scoring and its summaries, customer lists, member tiers, cohorts,
// new vs returning buyers and segment movement, over a snapshot's tables.
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { customerColumns, type Viewer } from '../auth/masking.ts';
import type { AppDb } from '../db/appdb.ts';
import { all, literal } from '../db/duck.ts';
import type { OpenSnapshot, QueryEngine } from '../db/engine.ts';
import { AnswerCache, answerKey } from '../metrics/cache.ts';
import { ENUMS } from '../snapshots/schema.ts';
import {
  NO_SEGMENT, SEGMENT_LABELS, SEGMENTS,
  type CellKey, type CohortsQuery, type CohortsReply, type CustomerRow, type CustomersCsvQuery, type CustomersQuery,
  type CustomersReply, type MovementQuery, type MovementReply, type MovementSegment, type NewReturningQuery,
  type NewReturningReply, type RfmQuery, type RfmReply, type RulesReply, type ScoreBand, type SegmentId, type SegmentRule,
  type TiersQuery, type TiersReply,
} from './contract.ts';
import { SegmentQueryError, addDays, addMonths, monthOf, monthRange, monthsBetween, windowOf } from './dates.ts';
import { cellMap, cellsBySegment } from './rules.ts';
import { CSV_COLUMNS, toCsv } from './csv.ts';
import { scoreRfm } from './score.ts';
import * as SQL from './sql.ts';
import { loadRules, saveRules, type StoredRules } from './store.ts';

type Cells = Record<CellKey, SegmentId>;

const ratio = (n: number, d: number) => (d ? n / d : 0);
/** sums of many money values, back to whole cents */
const cents = (v: number) => Math.round(v * 100) / 100;
const cellCode = (cell: CellKey) => Number(cell);

interface SummaryRow {
  [key: string]: string | number | null;
  g: 'cell' | 'r' | 'f' | 'm';
  r: number | null; f: number | null; m: number | null;
  customers: number; orders: number; revenue: number; recency_sum: number;
  r_lo: number; r_hi: number; f_lo: number; f_hi: number; m_lo: number; m_hi: number;
}

interface Window {
  snapshot: OpenSnapshot;
  asOf: string;
  from: string;
  until: string;
  days: number;
}

export interface SegmentServiceOptions {
  /** keep answers in a bounded LRU cache (default true) */
  cache?: boolean;
}

/** What a window's answers depend on: the snapshot and the normalised reference date and length. */
const windowKey = (w: Window) => [w.snapshot.manifest.id, w.asOf, w.days];

/**
 * The rule table itself, not a version number, keys the answers that name segments: a table saved
 * by another process on the same app database (the CLI, a second server) changes the key as well.
 */
const rulesKey = (stored: StoredRules) => [stored.source, stored.rules];

export class SegmentService {
  private readonly cache: AnswerCache;

  /** Without `db` the default rule table is used and cannot be changed. */
  constructor(private readonly engine: QueryEngine, private readonly db?: AppDb, opts: SegmentServiceOptions = {}) {
    this.cache = new AnswerCache(opts.cache ?? true);
  }

  async rules(): Promise<RulesReply> {
    const stored = await loadRules(this.db);
    return { ...stored, cells: cellMap(stored.rules), labels: SEGMENT_LABELS };
  }

  /** Replaces the rule table; throws UncoveredCells when a cell would have no segment. */
  async saveRules(rules: SegmentRule[], username: string): Promise<RulesReply> {
    if (!this.db) throw new Error('no app-state database to save the rules in');
    await saveRules(this.db, rules, username);
    return this.rules();
  }

  private window(snapshot: OpenSnapshot, asOf: string | undefined, days: number, param = 'asOf'): Window {
    const ref = asOf ?? snapshot.manifest.asOf.slice(0, 10);
    if (ref > snapshot.manifest.asOf.slice(0, 10)) throw new SegmentQueryError(param, `${ref} is after the snapshot's as-of date ${snapshot.manifest.asOf.slice(0, 10)}`);
    return { snapshot, asOf: ref, days, ...windowOf(ref, days) };
  }

  private async scoreInto(conn: DuckDBConnection, table: SQL.RfmTable, w: Window): Promise<void> {
    await scoreRfm(conn, table, w);
  }

  /** The query's window over its snapshot (the newest when none is named). */
  private async rfmWindow(q: RfmQuery): Promise<Window> {
    return this.window(await this.engine.snapshot(q.snapshot), q.asOf, q.days);
  }

  /** Runs `work` with the temp view `rfm` scored for the window. */
  private withRfm<T>(w: Window, work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.engine.withSnapshot(w.snapshot.manifest.id, async (conn) => {
      await this.scoreInto(conn, 'rfm', w);
      return work(conn);
    });
  }

  /** The answer to the question `parts` from the cache, or computed by `compute` and kept. */
  private cached<T>(parts: unknown[], compute: () => Promise<T>): Promise<T> {
    return this.cache.answer(answerKey('segments', ...parts), compute);
  }

  private head(w: Window) {
    return { snapshot: { id: w.snapshot.manifest.id, asOf: w.snapshot.manifest.asOf }, asOf: w.asOf, from: w.from, days: w.days };
  }

  async rfm(q: RfmQuery): Promise<RfmReply> {
    const stored = await loadRules(this.db);
    const map = cellMap(stored.rules);
    const w = await this.rfmWindow(q);
    return this.cached(['rfm', windowKey(w), rulesKey(stored)], () => this.withRfm(w, async (conn) => {
      const summary = await all<SummaryRow>(conn, SQL.RFM_SUMMARY);
      const cells = summary.filter((row) => row.g === 'cell').map((row) => ({ ...row, r: row.r!, f: row.f!, m: row.m! }));
      const sums = new Map<SegmentId, { customers: number; orders: number; revenue: number; recency: number }>();
      for (const c of cells) {
        const seg = map[`${c.r}${c.f}${c.m}`];
        const s = sums.get(seg) ?? { customers: 0, orders: 0, revenue: 0, recency: 0 };
        s.customers += c.customers; s.orders += c.orders; s.revenue += c.revenue; s.recency += c.recency_sum;
        sums.set(seg, s);
      }
      const customers = cells.reduce((a, c) => a + c.customers, 0);
      const revenue = cents(cells.reduce((a, c) => a + c.revenue, 0));
      const orders = cells.reduce((a, c) => a + c.orders, 0);
      const bySegment = cellsBySegment(map);
      const band = (g: 'r' | 'f' | 'm'): ScoreBand[] => summary.filter((row) => row.g === g).map((row) => ({ score: row[g]!, min: row[`${g}_lo`], max: row[`${g}_hi`], customers: row.customers }));
      return {
        ...this.head(w),
        customers, revenue, orders,
        segments: SEGMENTS.map((segment) => {
          const s = sums.get(segment);
          const n = s?.customers ?? 0;
          return {
            segment, label: SEGMENT_LABELS[segment],
            customers: n, customerShare: ratio(n, customers),
            revenue: cents(s?.revenue ?? 0), revenueShare: ratio(s?.revenue ?? 0, revenue),
            avgRecencyDays: n ? s!.recency / n : null,
            avgFrequency: n ? s!.orders / n : null,
            avgMonetary: n ? s!.revenue / n : null,
            aov: s?.orders ? s.revenue / s.orders : null,
            cells: bySegment[segment],
          };
        }),
        cells: cells.map((c) => {
          const cell = `${c.r}${c.f}${c.m}`;
          return { cell, r: c.r, f: c.f, m: c.m, segment: map[cell], customers: c.customers, revenue: c.revenue };
        }),
        bands: { recency: band('r'), frequency: band('f'), monetary: band('m') },
        rules: { source: stored.source },
      };
    }));
  }

  private async customerRows(conn: DuckDBConnection, map: Cells, cells: CellKey[], q: { sort: CustomersQuery['sort']; order: CustomersQuery['order'] }, viewer: Viewer, limit: number, offset: number): Promise<CustomerRow[]> {
    const rows = await all(conn, SQL.customerPage(customerColumns(viewer, 'c'), q.sort, q.order), { cells: listValue(cells.map(cellCode)), limit, offset });
    return rows.map((row) => {
      const { rfm_customer_id: id, ...rest } = row;
      const r = Number(rest.r), f = Number(rest.f), m = Number(rest.m);
      return { ...rest, customer_id: (rest.customer_id ?? id) as string, segment: map[`${r}${f}${m}`] } as unknown as CustomerRow;
    });
  }

  private selection(stored: StoredRules, segment: SegmentId | undefined): { map: Cells; cells: CellKey[] } {
    const map = cellMap(stored.rules);
    const cells = Object.keys(map).filter((cell) => !segment || map[cell] === segment);
    return { map, cells };
  }

  /** One page of the list; the whole viewer is part of the key, so masked and unmasked rows never share an entry. */
  async customers(q: CustomersQuery, viewer: Viewer): Promise<CustomersReply> {
    const stored = await loadRules(this.db);
    const { map, cells } = this.selection(stored, q.segment);
    const w = await this.rfmWindow(q);
    const page = { segment: q.segment ?? null, sort: q.sort, order: q.order, page: q.page, pageSize: q.pageSize };
    return this.cached(['customers', windowKey(w), rulesKey(stored), page, viewer], () => this.withRfm(w, async (conn) => {
      const total = (await all<{ n: number }>(conn, SQL.CUSTOMER_COUNT, { cells: listValue(cells.map(cellCode)) }))[0].n;
      const rows = await this.customerRows(conn, map, cells, q, viewer, q.pageSize, (q.page - 1) * q.pageSize);
      return { ...this.head(w), segment: q.segment ?? null, total, page: q.page, pageSize: q.pageSize, masked: !viewer.pii, rows };
    }));
  }

  /**
   * The customer list as CSV text (masked like the list). Not cached: an export is asked for
   * rarely and may hold up to a million rows, which would pin that much memory per entry.
   */
  async customersCsv(q: CustomersCsvQuery, viewer: Viewer): Promise<string> {
    const { map, cells } = this.selection(await loadRules(this.db), q.segment);
    return this.withRfm(await this.rfmWindow(q), async (conn) => {
      const rows = await this.customerRows(conn, map, cells, q, viewer, q.limit, 0);
      return toCsv(CSV_COLUMNS, rows as unknown as Record<string, unknown>[]);
    });
  }

  async tiers(q: TiersQuery): Promise<TiersReply> {
    const w = await this.rfmWindow(q);
    return this.cached(['tiers', windowKey(w)], () => this.withRfm(w, async (conn) => {
      const tiers = await all<{ tier: string; customers: number; buyers: number; revenue: number }>(conn, SQL.TIERS);
      const byPlatform = await all<{ platform_id: string; tier: string; customers: number }>(conn, SQL.TIERS_BY_PLATFORM);
      const order = (t: string) => { const k = (ENUMS.memberTier as readonly string[]).indexOf(t); return k < 0 ? 99 : k; };
      tiers.sort((a, b) => order(a.tier) - order(b.tier) || a.tier.localeCompare(b.tier));
      const revenue = cents(tiers.reduce((a, t) => a + t.revenue, 0));
      const perPlatform = new Map<string, number>();
      for (const row of byPlatform) perPlatform.set(row.platform_id, (perPlatform.get(row.platform_id) ?? 0) + row.customers);
      return {
        ...this.head(w),
        tiers: tiers.map((t) => ({ ...t, revenueShare: ratio(t.revenue, revenue) })),
        byPlatform: byPlatform.map((row) => ({ ...row, share: ratio(row.customers, perPlatform.get(row.platform_id)!) })),
      };
    }));
  }

  /** The answer for the months the query asks of its snapshot (the newest when none is named). */
  private async monthly<T>(kind: string, q: CohortsQuery | NewReturningQuery, work: (conn: DuckDBConnection, snap: OpenSnapshot, range: { from: string; to: string }) => Promise<T>): Promise<T> {
    const snap = await this.engine.snapshot(q.snapshot);
    const range = monthRange(q.from, q.to, monthOf(snap.manifest.asOf));
    return this.cached([kind, snap.manifest.id, range], () => this.engine.withSnapshot(snap.manifest.id, (conn) => work(conn, snap, range)));
  }

  cohorts(q: CohortsQuery): Promise<CohortsReply> {
    return this.monthly('cohorts', q, async (conn, snap, range) => {
      const last = monthOf(snap.manifest.asOf);
      const rows = await all<{ cohort: string; month: string; offset: number; active: number }>(conn, SQL.COHORTS, { from: `${range.from}-01`, to: `${range.to}-01` });
      const cohorts: CohortsReply['cohorts'] = [];
      for (let month = range.from; month <= range.to; month = addMonths(month, 1)) {
        const mine = new Map(rows.filter((r) => r.cohort === month).map((r) => [r.offset, r.active]));
        const size = mine.get(0) ?? 0;
        const span = Math.max(0, monthsBetween(month, last));
        cohorts.push({
          cohort: month, size,
          retention: Array.from({ length: span + 1 }, (_, offset) => {
            const active = mine.get(offset) ?? 0;
            return { offset, month: addMonths(month, offset), active, share: ratio(active, size) };
          }),
        });
      }
      return { snapshot: { id: snap.manifest.id, asOf: snap.manifest.asOf }, ...range, cohorts };
    });
  }

  newReturning(q: NewReturningQuery): Promise<NewReturningReply> {
    return this.monthly('new-returning', q, async (conn, snap, range) => {
      const rows = await all<{ month: string; buyers: number; new: number; returning: number; new_revenue: number; returning_revenue: number }>(conn, SQL.NEW_RETURNING, { from: `${range.from}-01`, to: `${range.to}-01` });
      const byMonth = new Map(rows.map((r) => [r.month, r]));
      const months: NewReturningReply['months'] = [];
      for (let month = range.from; month <= range.to; month = addMonths(month, 1)) {
        const r = byMonth.get(month);
        months.push({ month, buyers: r?.buyers ?? 0, new: r?.new ?? 0, returning: r?.returning ?? 0, newRevenue: r?.new_revenue ?? 0, returningRevenue: r?.returning_revenue ?? 0 });
      }
      return { snapshot: { id: snap.manifest.id, asOf: snap.manifest.asOf }, ...range, months };
    });
  }

  async movement(q: MovementQuery): Promise<MovementReply> {
    const stored = await loadRules(this.db);
    const map = cellMap(stored.rules);
    const toSnap = await this.engine.snapshot(q.toSnapshot ?? q.snapshot);
    const fromSnap = q.fromSnapshot ? await this.engine.snapshot(q.fromSnapshot) : toSnap;
    const to = this.window(toSnap, q.to, q.days, 'to');
    const fromDefault = q.fromSnapshot ? undefined : addDays(to.asOf, -90);
    const from = this.window(fromSnap, q.from ?? fromDefault, q.days, 'from');
    if (fromSnap === toSnap && from.asOf > to.asOf) throw new SegmentQueryError('from', `${from.asOf} is after 'to' ${to.asOf}`);
    return this.cached(['movement', windowKey(from), windowKey(to), rulesKey(stored)], () => this.engine.withSnapshot(toSnap.manifest.id, async (conn) => {
      await this.scoreInto(conn, 'rfm_to', to);
      if (fromSnap !== toSnap) await conn.run(`SET SESSION search_path = ${literal(fromSnap.schema)}`);
      await this.scoreInto(conn, 'rfm_from', from);
      const rows = await all<{ from_cell: number | null; to_cell: number | null; customers: number }>(conn, SQL.MOVEMENT);
      const seg = (cell: number | null): MovementSegment => (cell === null ? NO_SEGMENT : map[String(cell)]);
      const counts = new Map<string, number>();
      for (const row of rows) {
        const key = `${seg(row.from_cell)}|${seg(row.to_cell)}`;
        counts.set(key, (counts.get(key) ?? 0) + row.customers);
      }
      const segments: MovementSegment[] = [...SEGMENTS, NO_SEGMENT];
      const matrix = [...counts].map(([key, customers]) => {
        const [a, b] = key.split('|') as [MovementSegment, MovementSegment];
        return { from: a, to: b, customers };
      }).sort((x, y) => segments.indexOf(x.from) - segments.indexOf(y.from) || segments.indexOf(x.to) - segments.indexOf(y.to));
      const both = matrix.filter((c) => c.from !== NO_SEGMENT && c.to !== NO_SEGMENT);
      const ref = (w: Window) => ({ id: w.snapshot.manifest.id, asOf: w.snapshot.manifest.asOf, referenceDate: w.asOf });
      return {
        from: ref(from), to: ref(to), days: q.days, segments, matrix,
        moved: both.filter((c) => c.from !== c.to).reduce((a, c) => a + c.customers, 0),
        stayed: both.filter((c) => c.from === c.to).reduce((a, c) => a + c.customers, 0),
      };
    }));
  }
}
