// Orders and their lines. Order `oi` (0..N-1) is the generator's key: days own consecutive ranges
// of oi in proportion to demand, so orders are numbered in date order, and every draw about an
// order hashes oi. items_amount is summed from the lines, so it matches them exactly.
import { HOUR_WEIGHTS, chineseNewYear, demandFactor } from './calendar.ts';
import type { GenContext } from './context.ts';
import { BASE_COHORT_MONTHS, customerIdSql, customerPosition, regionSql } from './customers.ts';
import { SALES_PER_PLATFORM } from './dimensions.ts';
import { CARRIERS, PLATFORMS, shareSql, shareTotalSql } from './platforms.ts';
import { caseOf, date, endOfDay, num, pick, pickInt, str } from './sqlText.ts';

/** Share of orders cancelled; 40 % of those after payment. */
const CANCEL_RATE = 0.04;
/** Share of shipments that miss the promised time when nothing is wrong. */
const NORMAL_LATE_RATE = 0.02;

export function daysSql(ctx: GenContext): string[] {
  const firstYear = Number(ctx.start.slice(0, 4)) - 1;
  const lastYear = Number(ctx.end.slice(0, 4)) + 1;
  const newYears = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => `(${date(chineseNewYear(firstYear + i))})`);
  const start = date(ctx.start);
  // cumulative platform shares of the day, the thresholds of each order's platform draw
  const thresholds = PLATFORMS.slice(0, -1).map((_, i) =>
    `(${PLATFORMS.slice(0, i + 1).map((p) => shareSql(p, 't')).join(' + ')}) / ${shareTotalSql('t')} AS platform_upto_${i}`);
  return [
    `CREATE TABLE g_days AS
    WITH cal AS (
      SELECT d::DATE AS d FROM generate_series(${start}, ${date(ctx.end)}, INTERVAL 1 DAY) AS s(d)
    ), shaped AS (
      SELECT cal.d,
        date_diff('day', ${start}, cal.d) AS day_idx,
        date_diff('day', ${start}, cal.d) / ${ctx.days - 1} AS t,
        date_diff('month', date_trunc('month', ${start}), date_trunc('month', cal.d)) + 1 AS month_idx,
        arg_min(date_diff('day', ny.cny, cal.d), abs(date_diff('day', ny.cny, cal.d))) AS cny_delta
      FROM cal CROSS JOIN (VALUES ${newYears.join(', ')}) AS ny(cny)
      GROUP BY cal.d
    ), weighted AS (
      SELECT *, round(1000000 * ${demandFactor('d', 't', 'cny_delta')})::BIGINT AS w FROM shaped
    ), cumulated AS (
      SELECT *, SUM(w) OVER (ORDER BY d) - w AS before, SUM(w) OVER () AS total FROM weighted
    )
    SELECT d, day_idx, t, month_idx, ${thresholds.join(', ')},
      (${ctx.orders}::HUGEINT * before // total)::BIGINT AS lo,
      (${ctx.orders}::HUGEINT * (before + w) // total)::BIGINT AS hi
    FROM cumulated`,
    // the promotion an order placed on day d may use: the highest-priority approved one running
    `CREATE TABLE g_promo_days AS
    SELECT d, promotion_id, uptake FROM (
      SELECT g.d, p.promotion_id, p.uptake,
        row_number() OVER (PARTITION BY g.d ORDER BY p.priority DESC, p.promotion_id) AS rk
      FROM g_days g JOIN promotions p ON g.d BETWEEN p.starts_at::DATE AND p.ends_at::DATE
      WHERE p.approved AND p.uptake > 0
    ) WHERE rk = 1`,
  ];
}

function platformPick(u: string): string {
  const branches = PLATFORMS.slice(0, -1).map((p, i) => `WHEN ${u} < platform_upto_${i} THEN ${str(p.id)}`);
  return `CASE ${branches.join(' ')} ELSE ${str(PLATFORMS[PLATFORMS.length - 1].id)} END`;
}

function carrierPick(u: string): string {
  return caseOf('platform_id', PLATFORMS.map((p) => [p.id, pick(u, p.carriers.map(([c, w]) => [str(c), w] as const))] as const));
}

/** Draws are columns of their own CTE, computed once however often the expressions use them. */
export function ordersBaseSql(ctx: GenContext): string[] {
  const { lateShipments: late, priceViolation: flash } = ctx.plan;
  const endTs = endOfDay(ctx.end);
  const promiseHours = caseOf('platform_id', PLATFORMS.map((p) => [p.id, num(p.promiseHours)] as const));
  const transit = (i: 0 | 1) => caseOf('carrier_pick', CARRIERS.map((c) => [c.name, num(c.transit[i])] as const));
  const draws = ['hour', 'minute', 'platform', 'cohort', 'cohort_month', 'customer', 'flash', 'promotion', 'salesperson',
    'cancel', 'cancel_stage', 'unpaid', 'carrier', 'late', 'pay', 'ship', 'transit', 'lines'];
  return [`CREATE TABLE g_orders AS
    WITH numbered AS (
      SELECT *, unnest(range(lo, hi)) AS oi FROM g_days
    ), drawn AS (
      SELECT *, ${draws.map((name) => `rnd(oi, '${name}') AS u_${name}`).join(', ')} FROM numbered
    ), placed AS (
      SELECT *,
        'O' || strftime(d, '%Y%m%d') || lpad((oi - lo)::VARCHAR, 7, '0') AS order_id,
        d + secs(${pick('u_hour', HOUR_WEIGHTS.map((w, h) => [String(h), w] as const))} * 3600 + u_minute * 3600) AS ordered_at,
        ${platformPick('u_platform')} AS platform_id,
        CASE WHEN u_cohort < ${BASE_COHORT_MONTHS} / (${BASE_COHORT_MONTHS} + month_idx) THEN 0
             ELSE 1 + floor(u_cohort_month * month_idx)::BIGINT END AS cohort
      FROM drawn
    ), bought AS (
      SELECT placed.*, g.first_idx + ${customerPosition('u_customer', 'g.n')} AS customer_idx
      FROM placed JOIN g_cust_groups g USING (platform_id, cohort)
    ), promoted AS (
      SELECT b.*, rnd(customer_idx, 'region') AS u_region,
        CASE WHEN b.platform_id = ${str(flash.platformId)} AND b.d BETWEEN ${date(flash.start)} AND ${date(flash.end)}
               AND u_flash < ${num(flash.uptake)} THEN ${str(flash.promotionId)}
             WHEN u_promotion < pd.uptake THEN pd.promotion_id END AS promotion_id
      FROM bought b LEFT JOIN g_promo_days pd USING (d)
    ), staffed AS (
      SELECT p.*,
        CASE WHEN s.hired_on <= p.d AND (s.left_on IS NULL OR s.left_on > p.d) THEN s.staff_id ELSE lead.staff_id END AS salesperson_id
      FROM promoted p
      JOIN staff s ON s.unit = p.platform_id AND s.member_idx = floor(u_salesperson * ${SALES_PER_PLATFORM})
      JOIN staff lead ON lead.unit = p.platform_id AND lead.member_idx = 0
    ), flagged AS (
      SELECT *,
        u_cancel < ${CANCEL_RATE} AS cancelled,
        d >= ${date(ctx.end)} - 1 AND u_unpaid < 0.12 AS awaiting_payment,
        ${carrierPick('u_carrier')} AS carrier_pick,
        ${promiseHours} AS promise_h,
        ordered_at + secs(20 + pow(u_pay, 3) * 900) AS pay_time
      FROM staffed
    ), timed AS (
      SELECT *,
        u_late < CASE WHEN carrier_pick = ${str(late.carrier)} AND d BETWEEN ${date(late.start)} AND ${date(late.end)}
                      THEN ${num(late.lateShare)} ELSE ${NORMAL_LATE_RATE} END AS late,
        pay_time + secs(promise_h * 3600 * CASE WHEN late THEN 1.03 + 0.7 * u_ship ELSE 0.05 + 0.9 * u_ship END) AS ship_time,
        ship_time + secs(3600 * (${transit(0)} + (${transit(1)} - ${transit(0)}) * u_transit)) AS delivery_time
      FROM flagged
    ), paid AS (
      SELECT *,
        CASE WHEN awaiting_payment OR (cancelled AND u_cancel_stage >= 0.4) OR pay_time > ${endTs} THEN NULL ELSE pay_time END AS paid_at
      FROM timed
    ), shipped AS (
      SELECT *, CASE WHEN NOT cancelled AND paid_at IS NOT NULL AND ship_time <= ${endTs} THEN ship_time END AS shipped_at
      FROM paid
    ), delivered AS (
      SELECT *, CASE WHEN shipped_at IS NOT NULL AND delivery_time <= ${endTs} THEN delivery_time END AS delivered_at
      FROM shipped
    )
    SELECT oi, d, order_id, platform_id, customer_idx, ${customerIdSql('customer_idx')} AS customer_id, ${regionSql('u_region')} AS region,
      ordered_at, promotion_id, salesperson_id, late,
      ${pickInt('u_lines', [[1, 58], [2, 27], [3, 10], [4, 5]])} AS n_lines,
      paid_at, paid_at + to_hours(promise_h) AS promised_ship_by, shipped_at, delivered_at,
      CASE WHEN shipped_at IS NOT NULL THEN carrier_pick END AS carrier,
      CASE WHEN cancelled THEN 'cancelled' WHEN paid_at IS NULL THEN 'pending' WHEN shipped_at IS NULL THEN 'paid'
           WHEN delivered_at IS NULL THEN 'shipped' ELSE 'delivered' END AS status
    FROM delivered`];
}

/**
 * Lines pick SKUs by popularity; a SKU not on sale that day (not launched yet, or retired) gives way
 * to a core SKU. Prices sit between floor and list, deeper in promotions; the planted unapproved
 * flash sale sells below the floor.
 */
export function orderItemsSql(ctx: GenContext): string[] {
  const { priceViolation: flash } = ctx.plan;
  return [`CREATE TABLE order_items AS
    WITH lines AS (
      SELECT oi, order_id, d, promotion_id, unnest(range(1, n_lines + 1)) AS line_no FROM g_orders
    ), drawn AS (
      SELECT *, rnd2(oi, line_no, 'sku') AS u_sku, rnd2(oi, line_no, 'core') AS u_core,
        rnd2(oi, line_no, 'qty') AS u_qty, rnd2(oi, line_no, 'price') AS u_price
      FROM lines
    ), scaled AS (
      SELECT *, floor(u_sku * (SELECT max(pop_total) FROM products))::BIGINT AS sku_pick,
        floor(u_core * (SELECT count(core_idx) FROM products))::BIGINT AS core_pick
      FROM drawn
    ), popular AS (
      SELECT scaled.*, CASE WHEN p.launched_on <= scaled.d AND (p.retired_on IS NULL OR p.retired_on >= scaled.d) THEN p.k END AS on_sale_k
      FROM scaled ASOF JOIN products p ON scaled.sku_pick >= p.pop_lo
    ), resolved AS (
      SELECT popular.*, coalesce(on_sale_k, core.k) AS k
      FROM popular JOIN products core ON core.core_idx = popular.core_pick
    )
    SELECT r.oi, r.order_id, r.line_no::INTEGER AS line_no, p.sku,
      ${pickInt('r.u_qty', [[1, 78], [2, 15], [3, 5], [4, 1.5], [5, 0.5]])} AS quantity,
      CAST(CASE WHEN r.promotion_id = ${str(flash.promotionId)}
             THEN least(p.floor_price - 0.01, round(p.floor_price * (0.78 + 0.12 * r.u_price), 2))
             ELSE greatest(p.floor_price, round(p.list_price - (p.list_price - p.floor_price)
               * CASE WHEN r.promotion_id IS NULL THEN 0.35 ELSE 0.9 END * r.u_price, 2)) END AS DECIMAL(18,2)) AS unit_price
    FROM resolved r JOIN products p USING (k)`];
}

/** The money of an order, from its lines, its promotion and the platform's shipping terms. */
export function ordersSql(): string[] {
  return [`CREATE TABLE orders AS
    WITH items AS (
      SELECT oi, SUM(quantity * unit_price)::DECIMAL(18,2) AS items_amount FROM order_items GROUP BY oi
    ), priced AS (
      SELECT o.*, i.items_amount, pr.kind AS promotion_kind, pl.free_shipping_from, pl.shipping_fee AS platform_fee
      FROM g_orders o JOIN items i USING (oi) JOIN platforms pl USING (platform_id) LEFT JOIN promotions pr USING (promotion_id)
    )
    SELECT *,
      CAST(CASE promotion_kind
        WHEN 'full_reduction' THEN least(floor(items_amount / 200) * 20, items_amount * 0.3)
        WHEN 'discount' THEN round(items_amount * 0.05, 2)
        WHEN 'gift' THEN 0
        WHEN 'lottery' THEN 0
        ELSE CASE WHEN rnd(oi, 'coupon') >= 0.12 THEN 0 WHEN items_amount >= 199 THEN 20 WHEN items_amount >= 99 THEN 10
                  WHEN items_amount >= 49 THEN 5 ELSE 0 END
      END AS DECIMAL(18,2)) AS discount_amount,
      CAST(CASE WHEN items_amount < free_shipping_from THEN platform_fee ELSE 0 END AS DECIMAL(18,2)) AS shipping_fee,
      CAST(items_amount - discount_amount + shipping_fee AS DECIMAL(18,2)) AS paid_amount
    FROM priced`,
    // orders now holds every column of the working table: free its memory for what follows
    'DROP TABLE g_orders'];
}
