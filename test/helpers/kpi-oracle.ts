// An independent KPI oracle for tests. It reads a snapshot's Parquet files row by row (a separate
// DuckDB instance runs nothing but `SELECT * FROM read_parquet(...)`), and computes every KPI of
// DESIGN.md's table in plain TypeScript, following server/metrics/README.md's rules for periods,
// filters and attribution. It shares no code with the KPI engine on purpose: it is what the
// engine is checked against.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// KPIs, their kinds and the meaning of numerator/denominator

/** How a value (or a numerator/denominator) is compared: counts exactly, money to the cent,
 * ratios and averages relatively, quantiles to 1e-6. */
export type Kind = 'count' | 'money' | 'ratio' | 'quantile';

export interface KpiSpec {
  id: string;
  kind: Kind;
  /** a rate: DESIGN says it always carries numerator and denominator */
  rate: boolean;
  numerator?: Kind;
  denominator?: Kind;
}

export const KPI_SPECS: KpiSpec[] = [
  { id: 'gmv', kind: 'money', rate: false },
  { id: 'net_revenue', kind: 'money', rate: false },
  { id: 'orders', kind: 'count', rate: false },
  { id: 'units', kind: 'count', rate: false },
  { id: 'buyers', kind: 'count', rate: false },
  { id: 'aov', kind: 'ratio', rate: false, numerator: 'money', denominator: 'count' },
  { id: 'revenue_per_buyer', kind: 'ratio', rate: false, numerator: 'money', denominator: 'count' },
  { id: 'conversion_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'repeat_purchase_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'gross_margin', kind: 'ratio', rate: true, numerator: 'money', denominator: 'money' },
  { id: 'avg_rating', kind: 'ratio', rate: false, numerator: 'count', denominator: 'count' },
  { id: 'negative_review_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'complaint_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'refund_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'late_shipment_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'logistics_exception_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'first_response_p50', kind: 'quantile', rate: false, denominator: 'count' },
  { id: 'first_response_p90', kind: 'quantile', rate: false, denominator: 'count' },
  { id: 'response_sla_breach_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'stockout_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'price_violation_rate', kind: 'ratio', rate: true, numerator: 'count', denominator: 'count' },
  { id: 'unapproved_promotion_orders', kind: 'count', rate: false },
  { id: 'market_share', kind: 'ratio', rate: true, numerator: 'money', denominator: 'money' },
  { id: 'visitors', kind: 'count', rate: false },
  { id: 'product_views', kind: 'count', rate: false },
  { id: 'add_to_cart', kind: 'count', rate: false },
];

export const KPI_IDS = KPI_SPECS.map((k) => k.id);

export const SLA_SECONDS = 60;

export interface Period {
  from: string;
  to: string;
}

export interface Filters {
  platform?: string[];
  category?: string[];
  region?: string[];
  member_tier?: string[];
}

export interface OracleValue {
  value: number | null;
  numerator?: number;
  denominator?: number;
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Dates: plain 'YYYY-MM-DD' strings; day arithmetic on UTC midnights, so no time zone ever applies

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function fromDayNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** inclusive number of days */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from) + 1;
}

/** Comparison `previous`: the same number of days, ending the day before `from`. */
export function previousPeriod(p: Period): Period {
  const to = addDays(p.from, -1);
  return { from: addDays(to, -(daysBetween(p.from, p.to) - 1)), to };
}

/** One year earlier, 29 Feb becoming 28 Feb. */
export function yearEarlier(date: string): string {
  const y = Number(date.slice(0, 4)) - 1;
  const md = date.slice(5);
  return `${String(y).padStart(4, '0')}-${md === '02-29' ? '02-28' : md}`;
}

/** Comparison `yoy`: the same dates one year earlier. */
export function yoyPeriod(p: Period): Period {
  return { from: yearEarlier(p.from), to: yearEarlier(p.to) };
}

/** 0 = Monday … 6 = Sunday */
function isoWeekday(date: string): number {
  // 1970-01-01 (day 0) was a Thursday (ISO weekday index 3)
  return (((dayNumber(date) + 3) % 7) + 7) % 7;
}

function daysInMonth(month: string): number {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export type Grain = 'day' | 'week' | 'month';

/** The first day of the bucket `date` falls in. */
export function bucketStart(date: string, grain: Grain): string {
  if (grain === 'day') return date;
  if (grain === 'week') return addDays(date, -isoWeekday(date));
  return `${date.slice(0, 7)}-01`;
}

/** Buckets of a range: their label (first day of the bucket) and the part of the range inside them. */
export function buckets(p: Period, grain: Grain): { period: string; range: Period }[] {
  const out: { period: string; range: Period }[] = [];
  for (let d = p.from; d <= p.to; d = addDays(d, 1)) {
    const start = bucketStart(d, grain);
    const last = out[out.length - 1];
    if (last && last.period === start) last.range.to = d;
    else out.push({ period: start, range: { from: d, to: d } });
  }
  return out;
}

/** Seconds since an arbitrary epoch of a zone-less 'YYYY-MM-DD HH:MM:SS[.ffffff]' text. */
function seconds(ts: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(ts);
  if (!m) throw new Error(`unexpected timestamp text: ${ts}`);
  const whole = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  return whole + (m[7] ? Number(`0${m[7]}`) : 0);
}

function dateOf(ts: string): string {
  return ts.slice(0, 10);
}

function inPeriod(date: string, p: Period): boolean {
  return date >= p.from && date <= p.to;
}

// ---------------------------------------------------------------------------------------------
// Reading the snapshot: rows as JSON text, converted here (decimals exactly to cents)

type Cell = string | number | boolean | null;
type JsonRow = Record<string, Cell>;

/** DECIMAL(18,2) text -> integer cents, exactly */
function cents(v: Cell): number {
  if (v === null) throw new Error('cents of null');
  const s = String(v).trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not a money amount: ${s}`);
  const c = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -c : c;
}

function centsOrNull(v: Cell): number | null {
  return v === null ? null : cents(v);
}

function str(v: Cell): string {
  return String(v);
}

function strOrNull(v: Cell): string | null {
  return v === null ? null : String(v);
}

function num(v: Cell): number {
  return Number(v);
}

async function readRows(conn: DuckDBConnection, file: string): Promise<JsonRow[]> {
  const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  return reader.getRowObjectsJson() as unknown as JsonRow[];
}

interface ManifestLike {
  id: string;
  asOf: string;
  tables: Record<string, { file: string } | undefined>;
}

export interface Line {
  sku: string;
  quantity: number;
  priceCents: number;
  category: string | null;
  costCents: number | null;
  floorCents: number | null;
}

export interface OrderRow {
  id: string;
  platform: string;
  customer: string | null;
  tier: string | null;
  region: string | null;
  day: string;
  valid: boolean;
  paidCents: number;
  lines: Line[];
  /** Σ quantity × unit_price over all lines, cents */
  linesCents: number;
  approvedRefundCents: number;
  hasApprovedRefund: boolean;
  shipped: boolean;
  late: boolean;
  hasLogisticsEvent: boolean;
  promotionUnapproved: boolean;
}

interface ComplaintRow { day: string; platform: string; order: OrderRow | null }
interface ReviewRow { day: string; rating: number; category: string | null; order: OrderRow | null }
interface InquiryRow { day: string; platform: string; responseSeconds: number | null }
interface TrafficRow { day: string; platform: string; visitors: number; productViews: number; addToCart: number }
interface InventoryRow { day: string; category: string | null; active: boolean; onHand: number }
interface MarketRow { month: string; category: string; sizeCents: number }

export interface OracleData {
  snapshotId: string;
  asOf: string;
  /** tables present in the snapshot */
  tables: Set<string>;
  platforms: { id: string; name: string }[];
  categories: string[];
  orders: OrderRow[];
  complaints: ComplaintRow[];
  reviews: ReviewRow[];
  inquiries: InquiryRow[];
  traffic: TrafficRow[];
  inventory: InventoryRow[];
  market: MarketRow[];
  /** first and last day with an order */
  minOrderDay: string;
  maxOrderDay: string;
}

/** Reads one published snapshot folder into plain rows. */
export async function loadSnapshot(dir: string): Promise<OracleData> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ManifestLike;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const raw: Record<string, JsonRow[]> = {};
  try {
    for (const [table, entry] of Object.entries(manifest.tables)) {
      if (entry) raw[table] = await readRows(conn, join(dir, entry.file));
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const rows = (t: string) => raw[t] ?? [];

  const products = new Map<string, { category: string | null; cost: number | null; floor: number | null; active: boolean }>();
  for (const p of rows('products')) {
    products.set(str(p.sku), { category: strOrNull(p.category), cost: centsOrNull(p.unit_cost), floor: centsOrNull(p.floor_price), active: p.status === 'active' });
  }
  const tierOf = new Map<string, string | null>();
  for (const c of rows('customers')) tierOf.set(str(c.customer_id), strOrNull(c.member_tier));
  const approvedPromotion = new Map<string, boolean>();
  for (const p of rows('promotions')) approvedPromotion.set(str(p.promotion_id), p.approved === true || p.approved === 'true');

  const linesOf = new Map<string, Line[]>();
  for (const i of rows('order_items')) {
    const sku = str(i.sku);
    const product = products.get(sku);
    const line: Line = {
      sku,
      quantity: num(i.quantity),
      priceCents: cents(i.unit_price),
      category: product?.category ?? null,
      costCents: product?.cost ?? null,
      floorCents: product?.floor ?? null,
    };
    const id = str(i.order_id);
    const list = linesOf.get(id);
    if (list) list.push(line);
    else linesOf.set(id, [line]);
  }
  const approvedRefunds = new Map<string, number>();
  for (const r of rows('refunds')) {
    if (r.status !== 'approved') continue;
    const id = str(r.order_id);
    approvedRefunds.set(id, (approvedRefunds.get(id) ?? 0) + cents(r.amount));
  }
  const withEvents = new Set(rows('logistics_events').map((e) => str(e.order_id)));

  const orders: OrderRow[] = [];
  const orderById = new Map<string, OrderRow>();
  let minOrderDay = '9999-12-31';
  let maxOrderDay = '0000-01-01';
  for (const o of rows('orders')) {
    const id = str(o.order_id);
    const lines = linesOf.get(id) ?? [];
    const customer = strOrNull(o.customer_id);
    const shippedAt = strOrNull(o.shipped_at);
    const promised = strOrNull(o.promised_ship_by);
    const promotion = strOrNull(o.promotion_id);
    const day = dateOf(str(o.ordered_at));
    if (day < minOrderDay) minOrderDay = day;
    if (day > maxOrderDay) maxOrderDay = day;
    const row: OrderRow = {
      id,
      platform: str(o.platform_id),
      customer,
      tier: customer === null ? null : (tierOf.get(customer) ?? null),
      region: strOrNull(o.region),
      day,
      valid: o.paid_at !== null && o.status !== 'cancelled',
      paidCents: cents(o.paid_amount),
      lines,
      linesCents: lines.reduce((s, l) => s + l.quantity * l.priceCents, 0),
      approvedRefundCents: approvedRefunds.get(id) ?? 0,
      hasApprovedRefund: approvedRefunds.has(id),
      shipped: shippedAt !== null,
      late: shippedAt !== null && promised !== null && seconds(shippedAt) > seconds(promised),
      hasLogisticsEvent: withEvents.has(id),
      promotionUnapproved: promotion !== null && approvedPromotion.get(promotion) === false,
    };
    orders.push(row);
    orderById.set(id, row);
  }
  const orderOf = (v: Cell) => (v === null ? null : (orderById.get(str(v)) ?? null));

  return {
    snapshotId: manifest.id,
    asOf: manifest.asOf,
    tables: new Set(Object.keys(raw)),
    platforms: rows('platforms').map((p) => ({ id: str(p.platform_id), name: str(p.name) })),
    categories: [...new Set(rows('products').map((p) => p.category).filter((c): c is string => typeof c === 'string'))],
    orders,
    complaints: rows('complaints').map((c) => ({ day: dateOf(str(c.received_at)), platform: str(c.platform_id), order: orderOf(c.order_id) })),
    reviews: rows('reviews').map((r) => ({
      day: dateOf(str(r.created_at)),
      rating: num(r.rating),
      category: r.sku === null ? null : (products.get(str(r.sku))?.category ?? null),
      order: orderOf(r.order_id),
    })),
    inquiries: rows('inquiries').map((q) => ({
      day: dateOf(str(q.received_at)),
      platform: str(q.platform_id),
      responseSeconds: q.first_response_at === null ? null : seconds(str(q.first_response_at)) - seconds(str(q.received_at)),
    })),
    traffic: rows('traffic').map((t) => ({
      day: str(t.date).slice(0, 10),
      platform: str(t.platform_id),
      visitors: num(t.visitors),
      productViews: t.product_views === null ? 0 : num(t.product_views),
      addToCart: t.add_to_cart === null ? 0 : num(t.add_to_cart),
    })),
    inventory: rows('inventory').map((i) => {
      const p = products.get(str(i.sku));
      return { day: str(i.date).slice(0, 10), category: p?.category ?? null, active: p?.active ?? false, onHand: num(i.on_hand) };
    }),
    market: rows('market').map((m) => ({ month: str(m.month).slice(0, 7), category: str(m.category), sizeCents: cents(m.market_size) })),
    minOrderDay,
    maxOrderDay,
  };
}

// ---------------------------------------------------------------------------------------------
// The computation

function active(list: string[] | undefined): Set<string> | null {
  return list && list.length ? new Set(list) : null;
}

function nullValue(reason: string): OracleValue {
  return { value: null, reason };
}

function ratio(numerator: number, denominator: number, empty: string): OracleValue {
  if (denominator === 0) return { value: null, numerator, denominator, reason: empty };
  return { value: numerator / denominator, numerator, denominator };
}

/** DuckDB's quantile_cont: linear interpolation between the order statistics around (n-1)·q. */
export function quantileCont(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export class KpiOracle {
  constructor(readonly data: OracleData) {}

  static async open(snapshotDir: string): Promise<KpiOracle> {
    return new KpiOracle(await loadSnapshot(snapshotDir));
  }

  private readonly memo = new Map<string, Record<string, OracleValue>>();

  /** Every KPI of the list for one period under one set of filters (remembered: the data never changes). */
  compute(p: Period, filters: Filters = {}): Record<string, OracleValue> {
    const key = JSON.stringify([p.from, p.to, filters.platform, filters.category, filters.region, filters.member_tier]);
    let result = this.memo.get(key);
    if (!result) {
      result = this.computeUncached(p, filters);
      this.memo.set(key, result);
    }
    return result;
  }

  private computeUncached(p: Period, filters: Filters): Record<string, OracleValue> {
    const d = this.data;
    const platforms = active(filters.platform);
    const categories = active(filters.category);
    const regions = active(filters.region);
    const tiers = active(filters.member_tier);
    const byRegionCategoryTier = regions !== null || categories !== null || tiers !== null;
    const inCategory = (l: Line) => categories === null || (l.category !== null && categories.has(l.category));
    /** an order passes the platform/region/member-tier filters and holds a line of the category */
    const orderPasses = (o: OrderRow) =>
      (platforms === null || platforms.has(o.platform)) &&
      (regions === null || (o.region !== null && regions.has(o.region))) &&
      (tiers === null || (o.tier !== null && tiers.has(o.tier))) &&
      (categories === null || o.lines.some(inCategory));
    const out: Record<string, OracleValue> = {};

    // --- orders of the period
    const valid = d.orders.filter((o) => o.valid && inPeriod(o.day, p) && orderPasses(o));
    /** share of an order's money that belongs to the filtered lines */
    const share = (o: OrderRow) => {
      if (categories === null) return 1;
      if (o.linesCents === 0) return 0;
      return o.lines.filter(inCategory).reduce((s, l) => s + l.quantity * l.priceCents, 0) / o.linesCents;
    };
    let gmvCents = 0;
    let refundCents = 0;
    for (const o of valid) {
      const f = share(o);
      gmvCents += f === 1 ? o.paidCents : o.paidCents * f;
      refundCents += f === 1 ? o.approvedRefundCents : o.approvedRefundCents * f;
    }
    const gmv = gmvCents / 100;
    const ordersCount = valid.length;
    const perBuyer = new Map<string, number>();
    for (const o of valid) if (o.customer !== null) perBuyer.set(o.customer, (perBuyer.get(o.customer) ?? 0) + 1);
    const buyers = perBuyer.size;
    const lines = valid.flatMap((o) => o.lines.filter(inCategory));

    out.gmv = { value: gmv };
    out.net_revenue = { value: (gmvCents - refundCents) / 100 };
    out.orders = { value: ordersCount };
    out.units = { value: lines.reduce((s, l) => s + l.quantity, 0) };
    out.buyers = { value: buyers };
    out.aov = ratio(gmv, ordersCount, 'no orders in this period');
    out.revenue_per_buyer = ratio(gmv, buyers, 'no buyers in this period');
    out.repeat_purchase_rate = ratio([...perBuyer.values()].filter((n) => n >= 2).length, buyers, 'no buyers in this period');

    const costed = lines.filter((l) => l.costCents !== null);
    const revenueCents = costed.reduce((s, l) => s + l.quantity * l.priceCents, 0);
    const costCents = costed.reduce((s, l) => s + l.quantity * (l.costCents as number), 0);
    out.gross_margin = ratio((revenueCents - costCents) / 100, revenueCents / 100, 'no sales with a cost in this period');

    out.refund_rate = ratio(valid.filter((o) => o.hasApprovedRefund).length, ordersCount, 'no orders in this period');
    const shipped = valid.filter((o) => o.shipped);
    out.late_shipment_rate = ratio(shipped.filter((o) => o.late).length, shipped.length, 'no shipped orders in this period');
    out.logistics_exception_rate = ratio(shipped.filter((o) => o.hasLogisticsEvent).length, shipped.length, 'no shipped orders in this period');

    const floored = lines.filter((l) => l.floorCents !== null);
    out.price_violation_rate = ratio(floored.filter((l) => l.priceCents < (l.floorCents as number)).length, floored.length, 'no order lines in this period');
    out.unapproved_promotion_orders = { value: valid.filter((o) => o.promotionUnapproved).length };

    // --- complaints: received in the period; platform by the complaint's own column, the rest
    // through its order (left out without an order when such a filter is set)
    if (!d.tables.has('complaints')) out.complaint_rate = nullValue('no data: the snapshot has no complaints table');
    else {
      const complaints = d.complaints.filter((c) => {
        if (!inPeriod(c.day, p)) return false;
        if (platforms !== null && !platforms.has(c.platform)) return false;
        if (!byRegionCategoryTier) return true;
        const o = c.order;
        if (o === null) return false;
        return (regions === null || (o.region !== null && regions.has(o.region))) &&
          (tiers === null || (o.tier !== null && tiers.has(o.tier))) &&
          (categories === null || o.lines.some(inCategory));
      }).length;
      out.complaint_rate = ratio(complaints, ordersCount, 'no orders in this period');
    }

    // --- reviews: created in the period; platform/region/tier through the order, category by sku
    if (!d.tables.has('reviews')) {
      out.avg_rating = nullValue('no data: the snapshot has no reviews table');
      out.negative_review_rate = nullValue('no data: the snapshot has no reviews table');
    } else {
      const reviews = d.reviews.filter((r) => {
        if (!inPeriod(r.day, p)) return false;
        if (categories !== null && (r.category === null || !categories.has(r.category))) return false;
        if (platforms === null && regions === null && tiers === null) return true;
        const o = r.order;
        if (o === null) return false;
        return (platforms === null || platforms.has(o.platform)) &&
          (regions === null || (o.region !== null && regions.has(o.region))) &&
          (tiers === null || (o.tier !== null && tiers.has(o.tier)));
      });
      out.avg_rating = ratio(reviews.reduce((s, r) => s + r.rating, 0), reviews.length, 'no reviews in this period');
      out.negative_review_rate = ratio(reviews.filter((r) => r.rating <= 2).length, reviews.length, 'no reviews in this period');
    }

    // --- inquiries: platform only
    const responseKpis = ['first_response_p50', 'first_response_p90', 'response_sla_breach_rate'];
    if (!d.tables.has('inquiries')) for (const k of responseKpis) out[k] = nullValue('no data: the snapshot has no inquiries table');
    else if (byRegionCategoryTier) for (const k of responseKpis) out[k] = nullValue('inquiries cannot be split by region, category or member tier');
    else {
      const times = d.inquiries
        .filter((q) => inPeriod(q.day, p) && (platforms === null || platforms.has(q.platform)) && q.responseSeconds !== null)
        .map((q) => q.responseSeconds as number)
        .sort((a, b) => a - b);
      const none = 'no answered inquiries in this period';
      out.first_response_p50 = times.length ? { value: quantileCont(times, 0.5), denominator: times.length } : { ...nullValue(none), denominator: 0 };
      out.first_response_p90 = times.length ? { value: quantileCont(times, 0.9), denominator: times.length } : { ...nullValue(none), denominator: 0 };
      out.response_sla_breach_rate = ratio(times.filter((t) => t > SLA_SECONDS).length, times.length, none);
    }

    // --- traffic: platform only
    const trafficKpis = ['conversion_rate', 'visitors', 'product_views', 'add_to_cart'];
    if (!d.tables.has('traffic')) for (const k of trafficKpis) out[k] = nullValue('no data: the snapshot has no traffic table');
    else if (byRegionCategoryTier) for (const k of trafficKpis) out[k] = nullValue('traffic cannot be split by region, category or member tier');
    else {
      const traffic = d.traffic.filter((t) => inPeriod(t.day, p) && (platforms === null || platforms.has(t.platform)));
      // distinct buyers per platform-day, from the valid orders of the period
      const dayBuyers = new Map<string, Set<string>>();
      for (const o of valid) {
        if (o.customer === null) continue;
        const key = `${o.platform}\u0000${o.day}`;
        const set = dayBuyers.get(key);
        if (set) set.add(o.customer);
        else dayBuyers.set(key, new Set([o.customer]));
      }
      let converted = 0;
      const seen = new Set<string>();
      for (const t of traffic) {
        const key = `${t.platform}\u0000${t.day}`;
        if (seen.has(key)) continue; // (date, platform) is the table's key; guard anyway
        seen.add(key);
        converted += dayBuyers.get(key)?.size ?? 0;
      }
      out.conversion_rate = ratio(converted, traffic.reduce((s, t) => s + t.visitors, 0), 'no visitors in this period');
      out.visitors = { value: traffic.reduce((s, t) => s + t.visitors, 0) };
      out.product_views = { value: traffic.reduce((s, t) => s + t.productViews, 0) };
      out.add_to_cart = { value: traffic.reduce((s, t) => s + t.addToCart, 0) };
    }

    // --- inventory: category only, active SKUs
    if (!d.tables.has('inventory')) out.stockout_rate = nullValue('no data: the snapshot has no inventory table');
    else if (platforms !== null || regions !== null || tiers !== null) out.stockout_rate = nullValue('inventory cannot be split by platform, region or member tier');
    else {
      const inv = d.inventory.filter((i) => i.active && inPeriod(i.day, p) && (categories === null || (i.category !== null && categories.has(i.category))));
      out.stockout_rate = ratio(inv.filter((i) => i.onHand <= 0).length, inv.length, 'no inventory rows in this period');
    }

    // --- market share: category only; market cells pro-rated by the share of their month's days in range
    if (!d.tables.has('market')) out.market_share = nullValue('no data: the snapshot has no market table');
    else if (platforms !== null || regions !== null || tiers !== null) out.market_share = nullValue('market size cannot be split by platform, region or member tier');
    else {
      const daysInRange = new Map<string, number>();
      for (let day = p.from; day <= p.to; day = addDays(day, 1)) daysInRange.set(day.slice(0, 7), (daysInRange.get(day.slice(0, 7)) ?? 0) + 1);
      let sizeCents = 0;
      for (const m of d.market) {
        const n = daysInRange.get(m.month);
        if (!n) continue;
        if (categories !== null && !categories.has(m.category)) continue;
        sizeCents += (m.sizeCents * n) / daysInMonth(`${m.month}-01`);
      }
      out.market_share = ratio(gmv, sizeCents / 100, 'no market size for this period');
    }

    for (const k of KPI_IDS) if (!(k in out)) throw new Error(`oracle forgot ${k}`);
    return out;
  }

  /** One KPI's values per bucket of a range. */
  series(p: Period, grain: Grain, filters: Filters = {}): { period: string; kpis: Record<string, OracleValue> }[] {
    return buckets(p, grain).map((b) => ({ period: b.period, kpis: this.compute(b.range, filters) }));
  }

  /** The whole range of the data: first order day to the snapshot's as-of date. */
  wholeRange(): Period {
    return { from: this.data.minOrderDay, to: this.data.asOf > this.data.maxOrderDay ? this.data.asOf : this.data.maxOrderDay };
  }
}
