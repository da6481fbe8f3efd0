// The fact relations every KPI is computed from, as SQL fragments over the canonical tables.
// A relation is one row per fact (a valid order, a line of a valid order, a complaint, ...) with
// a day, the dimensions it can be filtered and split by, and one column per measure. The query
// builder selects only the columns (and so only the joins) a query needs; the rollup builder
// selects them all and aggregates them per day. Both read these declarations, so a rollup holds
// exactly what the base query would compute. Attribution follows server/metrics/README.md.
import type { BreakdownDimension } from './contract.ts';
import type { TableName } from '../snapshots/schema.ts';

export const RELATION_IDS = ['orders', 'lines', 'complaints', 'complaint_lines', 'reviews', 'inquiries', 'traffic', 'inventory', 'market'] as const;
export type RelationId = (typeof RELATION_IDS)[number];

/** The multi-valued dimensions: an order (or a complaint through its order) spans several. */
export type MultiDimension = 'category' | 'product';

/**
 * How a measure aggregates. `sum` adds up per row. `entity` counts the facts (orders,
 * complaints) of a line relation whose flag is set, each once however many lines it has: per
 * value of category or product these counts add up across days and order-level dimensions,
 * across several values they do not.
 * `customer` (buyers, repeat buyers) needs each customer's orders; `quantile` needs every
 * value. The last two are never pre-aggregated.
 */
export type MeasureKind = 'sum' | 'entity' | 'customer' | 'quantile';

/** `(range) => SQL`: the predicate keeping the rows of one period, on a raw date column. */
export type RangeFn = (column: string, type?: 'TIMESTAMP' | 'DATE') => string;

export interface Fragment {
  sql: string;
  /** named joins of the relation this fragment reads from */
  joins?: string[];
}

export interface Measure extends Fragment {
  kind: MeasureKind;
  /** DECIMAL money (summed exactly); otherwise an integer count */
  money?: boolean;
  /** for `quantile`: which one */
  q?: number;
}

export interface Join {
  sql: string | ((range: RangeFn) => string);
  tables: TableName[];
  /** joins this one reads from */
  needs?: string[];
}

export interface Relation {
  id: RelationId;
  /** `line`: a fact (order, complaint) once per line of its order, for category and product */
  grain: 'fact' | 'line';
  /** tables every query of the relation reads */
  tables: TableName[];
  from: string;
  where: (range: RangeFn) => string;
  day: string;
  /** in declaration order: a join may read from the joins before it */
  joins: Record<string, Join>;
  dims: Partial<Record<BreakdownDimension, Fragment>>;
  /** the counted fact (order, complaint) of `entity` measures, and the order of `customer` ones */
  entity?: string;
  customer?: string;
  measures: Record<string, Measure>;
  /** the relation holding the same measures line by line, used when category or product is in play */
  lineVariant?: RelationId;
}

const VALID = `o.paid_at IS NOT NULL AND o.status <> 'cancelled'`;
const ORDERED_DAY = 'CAST(o.ordered_at AS DATE)';

const sum = (sql: string, joins?: string[]): Measure => ({ kind: 'sum', sql, joins });
const money = (sql: string, joins?: string[]): Measure => ({ kind: 'sum', sql, joins, money: true });
const entity = (sql: string, joins?: string[]): Measure => ({ kind: 'entity', sql, joins });
const customerMeasure = (sql: string): Measure => ({ kind: 'customer', sql });

// Per-order joins and flags, shared by the order and the line relation so both count the same.
const ORDER_JOINS: Record<string, Join> = {
  customer: { sql: 'LEFT JOIN customers c ON c.customer_id = o.customer_id', tables: ['customers'] },
  refund: {
    sql: `LEFT JOIN (SELECT order_id, sum(amount) AS amount FROM refunds WHERE status = 'approved' GROUP BY order_id) r ON r.order_id = o.order_id`,
    tables: ['refunds'],
  },
  logistics: { sql: 'LEFT JOIN (SELECT DISTINCT order_id FROM logistics_events) le ON le.order_id = o.order_id', tables: ['logistics_events'] },
  promotion: { sql: 'LEFT JOIN promotions pr ON pr.promotion_id = o.promotion_id', tables: ['promotions'] },
};

const ORDER_DIMS: Relation['dims'] = {
  platform: { sql: 'o.platform_id' },
  region: { sql: 'o.region' },
  member_tier: { sql: 'c.member_tier', joins: ['customer'] },
  carrier: { sql: 'o.carrier' },
  promotion: { sql: 'o.promotion_id' },
};

const ORDER_FLAGS: Record<string, Fragment> = {
  refunded_orders: { sql: '(r.order_id IS NOT NULL)::INTEGER', joins: ['refund'] },
  shipped_orders: { sql: '(o.shipped_at IS NOT NULL)::INTEGER' },
  late_orders: { sql: 'coalesce(o.shipped_at > o.promised_ship_by, false)::INTEGER' },
  exception_orders: { sql: '(o.shipped_at IS NOT NULL AND le.order_id IS NOT NULL)::INTEGER', joins: ['logistics'] },
  unapproved_orders: { sql: 'coalesce(o.promotion_id IS NOT NULL AND NOT pr.approved, false)::INTEGER', joins: ['promotion'] },
};

const CUSTOMER_MEASURES = {
  buyers: customerMeasure('count(*)'),
  repeat_buyers: customerMeasure('count(*) FILTER (WHERE orders_of_customer >= 2)'),
};

/** A line's share of its order, by quantity × unit price: how paid amounts and refunds reach categories and products. */
const LINE_VALUE = 'i.quantity * i.unit_price';
const LINE_SHARE = `${LINE_VALUE} / nullif(sum(${LINE_VALUE}) OVER (PARTITION BY i.order_id), 0)`;
// rounded to 10 decimals so that sums are exact DECIMALs, equal in any order of addition
const allocated = (amount: string) => `CAST(${amount} * ${LINE_SHARE} AS DECIMAL(38,10))`;

const orders: Relation = {
  id: 'orders',
  grain: 'fact',
  tables: ['orders'],
  from: 'orders o',
  where: (range) => `${VALID} AND ${range('o.ordered_at')}`,
  day: ORDERED_DAY,
  joins: ORDER_JOINS,
  dims: ORDER_DIMS,
  entity: 'o.order_id',
  customer: 'o.customer_id',
  measures: {
    orders: sum('1'),
    gmv: money('o.paid_amount'),
    refunds: money('coalesce(r.amount, 0)', ['refund']),
    ...Object.fromEntries(Object.entries(ORDER_FLAGS).map(([id, f]) => [id, sum(f.sql, f.joins)])),
    ...CUSTOMER_MEASURES,
  },
  lineVariant: 'lines',
};

const lines: Relation = {
  id: 'lines',
  grain: 'line',
  tables: ['order_items', 'orders'],
  from: 'order_items i JOIN orders o ON o.order_id = i.order_id',
  where: (range) => `${VALID} AND ${range('o.ordered_at')}`,
  day: ORDERED_DAY,
  joins: { ...ORDER_JOINS, product: { sql: 'LEFT JOIN products p ON p.sku = i.sku', tables: ['products'] } },
  dims: { ...ORDER_DIMS, category: { sql: 'p.category', joins: ['product'] }, product: { sql: 'i.sku' } },
  entity: 'o.order_id',
  customer: 'o.customer_id',
  measures: {
    orders: entity('1'),
    gmv: money(allocated('o.paid_amount')),
    refunds: money(allocated('coalesce(r.amount, 0)'), ['refund']),
    ...Object.fromEntries(Object.entries(ORDER_FLAGS).map(([id, f]) => [id, entity(f.sql, f.joins)])),
    ...CUSTOMER_MEASURES,
    units: sum('i.quantity'),
    margin_revenue: money(`CASE WHEN p.unit_cost IS NOT NULL THEN ${LINE_VALUE} END`, ['product']),
    margin_cost: money('i.quantity * p.unit_cost', ['product']),
    priced_lines: sum('(p.floor_price IS NOT NULL)::INTEGER', ['product']),
    price_violations: sum('coalesce(i.unit_price < p.floor_price, false)::INTEGER', ['product']),
  },
};

// Complaints follow their order for region, member tier, carrier and promotion (whatever the
// order's status); the platform is the complaint's own.
const COMPLAINT_JOINS: Record<string, Join> = {
  order: { sql: 'LEFT JOIN orders o ON o.order_id = k.order_id', tables: ['orders'] },
  customer: { sql: 'LEFT JOIN customers c ON c.customer_id = o.customer_id', tables: ['customers'], needs: ['order'] },
};

const COMPLAINT_DIMS: Relation['dims'] = {
  platform: { sql: 'k.platform_id' },
  region: { sql: 'o.region', joins: ['order'] },
  member_tier: { sql: 'c.member_tier', joins: ['customer'] },
  carrier: { sql: 'o.carrier', joins: ['order'] },
  promotion: { sql: 'o.promotion_id', joins: ['order'] },
};

const complaints: Relation = {
  id: 'complaints',
  grain: 'fact',
  tables: ['complaints'],
  from: 'complaints k',
  where: (range) => range('k.received_at'),
  day: 'CAST(k.received_at AS DATE)',
  joins: COMPLAINT_JOINS,
  dims: COMPLAINT_DIMS,
  entity: 'k.complaint_id',
  measures: { complaints: sum('1') },
  lineVariant: 'complaint_lines',
};

/** A complaint once per line of its order (once, with no category, when it has none). */
const complaintLines: Relation = {
  id: 'complaint_lines',
  grain: 'line',
  tables: ['complaints', 'order_items'],
  from: 'complaints k LEFT JOIN order_items i ON i.order_id = k.order_id',
  where: (range) => range('k.received_at'),
  day: 'CAST(k.received_at AS DATE)',
  joins: { ...COMPLAINT_JOINS, product: { sql: 'LEFT JOIN products p ON p.sku = i.sku', tables: ['products'] } },
  dims: { ...COMPLAINT_DIMS, category: { sql: 'p.category', joins: ['product'] }, product: { sql: 'i.sku' } },
  entity: 'k.complaint_id',
  measures: { complaints: entity('1') },
};

// Reviews reach platform, region, tier, carrier and promotion through their order, and
// category and product through their own SKU.
const reviews: Relation = {
  id: 'reviews',
  grain: 'fact',
  tables: ['reviews'],
  from: 'reviews v',
  where: (range) => range('v.created_at'),
  day: 'CAST(v.created_at AS DATE)',
  joins: {
    order: { sql: 'LEFT JOIN orders o ON o.order_id = v.order_id', tables: ['orders'] },
    customer: { sql: 'LEFT JOIN customers c ON c.customer_id = o.customer_id', tables: ['customers'], needs: ['order'] },
    product: { sql: 'LEFT JOIN products p ON p.sku = v.sku', tables: ['products'] },
  },
  dims: {
    platform: { sql: 'o.platform_id', joins: ['order'] },
    region: { sql: 'o.region', joins: ['order'] },
    member_tier: { sql: 'c.member_tier', joins: ['customer'] },
    category: { sql: 'p.category', joins: ['product'] },
    product: { sql: 'v.sku' },
    carrier: { sql: 'o.carrier', joins: ['order'] },
    promotion: { sql: 'o.promotion_id', joins: ['order'] },
  },
  measures: {
    ratings: sum('1'),
    rating_sum: sum('v.rating'),
    negative_ratings: sum('(v.rating <= 2)::INTEGER'),
  },
};

const RESPONSE_SECONDS = 'epoch(q.first_response_at) - epoch(q.received_at)';
const RESPONSE_SLA_SECONDS = 60;

const inquiries: Relation = {
  id: 'inquiries',
  grain: 'fact',
  tables: ['inquiries'],
  from: 'inquiries q',
  where: (range) => `q.first_response_at IS NOT NULL AND ${range('q.received_at')}`,
  day: 'CAST(q.received_at AS DATE)',
  joins: {},
  dims: { platform: { sql: 'q.platform_id' } },
  measures: {
    answered: sum('1'),
    sla_breaches: sum(`(${RESPONSE_SECONDS} > ${RESPONSE_SLA_SECONDS})::INTEGER`),
    response_p50: { kind: 'quantile', sql: RESPONSE_SECONDS, q: 0.5 },
    response_p90: { kind: 'quantile', sql: RESPONSE_SECONDS, q: 0.9 },
  },
};

// Conversion's numerator is the distinct buyers of each platform-day, counted only on the
// platform-days traffic has: one row per platform-day holds both, so they add up across days.
const traffic: Relation = {
  id: 'traffic',
  grain: 'fact',
  tables: ['traffic'],
  from: 'traffic t',
  where: (range) => range('t.date', 'DATE'),
  day: 't.date',
  joins: {
    buyers: {
      sql: (range) => `LEFT JOIN (SELECT ${ORDERED_DAY} AS day, o.platform_id, count(DISTINCT o.customer_id) AS buyers
        FROM orders o WHERE ${VALID} AND ${range('o.ordered_at')} GROUP BY ALL) b ON b.day = t.date AND b.platform_id = t.platform_id`,
      tables: ['orders'],
    },
  },
  dims: { platform: { sql: 't.platform_id' } },
  measures: {
    visitors: sum('t.visitors'),
    product_views: sum('coalesce(t.product_views, 0)'),
    add_to_cart: sum('coalesce(t.add_to_cart, 0)'),
    conversion_buyers: sum('coalesce(b.buyers, 0)', ['buyers']),
  },
};

const inventory: Relation = {
  id: 'inventory',
  grain: 'fact',
  tables: ['inventory', 'products'],
  from: 'inventory n JOIN products p ON p.sku = n.sku',
  where: (range) => `p.status = 'active' AND ${range('n.date', 'DATE')}`,
  day: 'n.date',
  joins: {},
  dims: { category: { sql: 'p.category' }, product: { sql: 'n.sku' } },
  measures: {
    stock_rows: sum('1'),
    stockout_rows: sum('(n.on_hand <= 0)::INTEGER'),
  },
};

// Each month's market size spread evenly over its days, so that any range sums each
// (category, month) cell pro-rated by the share of its days inside the range.
const MONTH = `date_trunc('month', month)`;
const market: Relation = {
  id: 'market',
  grain: 'fact',
  tables: ['market'],
  from: `(SELECT category,
      CAST(unnest(generate_series(${MONTH}, ${MONTH} + INTERVAL 1 MONTH - INTERVAL 1 DAY, INTERVAL 1 DAY)) AS DATE) AS day,
      CAST(market_size / date_diff('day', ${MONTH}, ${MONTH} + INTERVAL 1 MONTH) AS DECIMAL(38,10)) AS daily_size
    FROM market) m`,
  where: (range) => range('m.day', 'DATE'),
  day: 'm.day',
  joins: {},
  dims: { category: { sql: 'm.category' } },
  measures: { market_size: money('m.daily_size') },
};

export const RELATIONS: Record<RelationId, Relation> = {
  orders, lines, complaints, complaint_lines: complaintLines, reviews, inquiries, traffic, inventory, market,
};

/**
 * The relation a measure is read from: the first that declares it (whole facts come before their
 * line variants), or that one's line variant when category or product is in play.
 */
export function measureRelation(measure: string, lineContext: boolean): Relation {
  const home = RELATION_IDS.map((id) => RELATIONS[id]).find((r) => measure in r.measures);
  if (!home) throw new Error(`no relation declares measure ${measure}`);
  const variant = home.lineVariant && RELATIONS[home.lineVariant];
  return lineContext && variant && measure in variant.measures ? variant : home;
}

/** Tables a set of joins reads, with the joins they depend on, in declaration order. */
export function joinClosure(relation: Relation, names: Iterable<string>): string[] {
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    const join = relation.joins[name];
    if (!join) throw new Error(`relation ${relation.id} has no join ${name}`);
    wanted.add(name);
    join.needs?.forEach(add);
  };
  for (const name of names) add(name);
  return Object.keys(relation.joins).filter((name) => wanted.has(name));
}

export function joinTables(relation: Relation, joins: Iterable<string>): TableName[] {
  return joinClosure(relation, joins).flatMap((name) => relation.joins[name].tables);
}
