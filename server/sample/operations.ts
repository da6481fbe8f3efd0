// Tables derived from sales: shop traffic, stock levels and the market around the company.
import type { DuckDBConnection } from '@duckdb/node-api';
import { one } from '../db/duck.ts';
import { addDays } from './calendar.ts';
import type { GenContext } from './context.ts';
import { date, num, str } from './sqlText.ts';

const VALID = `o.paid_at IS NOT NULL AND o.status <> 'cancelled'`;

/**
 * Visitors are backed out of the day's distinct buyers through the platform's conversion rate,
 * so conversion computed from the data lands where the platform spec says, except in the planted
 * drop, where extra visitors bring no buyers.
 */
export function trafficSql(ctx: GenContext): string[] {
  const drop = ctx.plan.conversionDrop;
  return [`CREATE TABLE traffic AS
    WITH buyers AS (
      SELECT o.platform_id, o.d AS date, count(DISTINCT o.customer_id) AS buyers
      FROM orders o WHERE ${VALID} GROUP BY ALL
    ), sized AS (
      SELECT g.d AS date, p.platform_id, coalesce(b.buyers, 0) AS buyers,
        round(greatest(coalesce(b.buyers, 0), 1) / (p.conversion * (0.85 + 0.3 * rnd2(g.d, p.platform_id, 'conversion')))
          * CASE WHEN p.platform_id = ${str(drop.platformId)} AND g.d BETWEEN ${date(drop.start)} AND ${date(drop.end)}
                 THEN ${num(drop.visitorFactor)} ELSE 1 END)::BIGINT AS visitors
      FROM g_days g CROSS JOIN platforms p LEFT JOIN buyers b ON b.platform_id = p.platform_id AND b.date = g.d
    )
    SELECT date, platform_id, visitors,
      round(visitors * (2.5 + 2 * rnd2(date, platform_id, 'views')))::BIGINT AS product_views,
      greatest(buyers, round(visitors * (0.06 + 0.06 * rnd2(date, platform_id, 'cart'))))::BIGINT AS add_to_cart
    FROM sized`];
}

/** The best seller among active SKUs over the 90 days before the planted stockout. */
export async function stockoutSku(conn: DuckDBConnection, ctx: GenContext): Promise<string> {
  const from = addDays(ctx.plan.stockout.start, -90);
  const row = await one<{ sku: string }>(conn, `
    SELECT i.sku FROM order_items i JOIN orders o USING (oi) JOIN products p ON p.sku = i.sku
    WHERE o.status <> 'cancelled' AND p.status = 'active' AND o.d BETWEEN ${date(from)} AND ${date(ctx.plan.stockout.start)} - 1
    GROUP BY i.sku ORDER BY SUM(i.quantity) DESC, i.sku LIMIT 1`);
  if (!row) throw new Error('no sales before the stockout window: cannot choose its SKU');
  return row.sku;
}

/**
 * Each SKU is restocked every 7, 10 or 14 days to what the coming cycle will sell plus a margin,
 * so stock runs out only in the rare cycle restocked short, and in the planted episode, where
 * on_hand goes negative by the units sold on back-order.
 */
export function inventorySql(ctx: GenContext, sku: string): string[] {
  const { start, end } = ctx.plan.stockout;
  return [`CREATE TABLE inventory AS
    WITH sold AS (
      SELECT i.sku, o.d AS date, SUM(i.quantity) AS units
      FROM order_items i JOIN orders o USING (oi) WHERE o.status <> 'cancelled' GROUP BY ALL
    ), stocked AS (
      SELECT p.sku, p.k, g.d AS date, coalesce(s.units, 0) AS units,
        (g.day_idx + floor(rnd(p.k, 'cycle_offset') * 14)::BIGINT) // list_extract([7, 10, 14], 1 + floor(rnd(p.k, 'cycle') * 3)::BIGINT) AS cycle,
        p.sku = ${str(sku)} AND g.d BETWEEN ${date(start)} AND ${date(end)} AS in_episode
      FROM products p JOIN g_days g ON g.d >= p.launched_on AND (p.retired_on IS NULL OR g.d <= p.retired_on)
      LEFT JOIN sold s ON s.sku = p.sku AND s.date = g.d
    ), levels AS (
      SELECT *,
        SUM(units) OVER (PARTITION BY sku, cycle) AS cycle_units,
        SUM(units) OVER (PARTITION BY sku, cycle ORDER BY date ROWS UNBOUNDED PRECEDING) AS sold_in_cycle,
        SUM(CASE WHEN in_episode THEN units ELSE 0 END) OVER (PARTITION BY sku ORDER BY date ROWS UNBOUNDED PRECEDING) AS back_ordered,
        CASE WHEN rnd2(k, cycle, 'short') < 0.012 THEN 0.6 + 0.3 * rnd2(k, cycle, 'margin')
             ELSE 1.15 + 0.5 * rnd2(k, cycle, 'margin') END AS margin
      FROM stocked
    )
    SELECT date, sku,
      CASE WHEN in_episode THEN -back_ordered
           ELSE ceil(cycle_units * margin)::BIGINT + 5 + floor(rnd2(k, cycle, 'safety') * 20)::BIGINT - sold_in_cycle END::INTEGER AS on_hand
    FROM levels`];
}

/**
 * The market of each category and month, sized so the company holds a few percent of it; the
 * share drifts per category over the period, up for some and down for others.
 */
export function marketSql(ctx: GenContext): string[] {
  return [`CREATE TABLE market AS
    WITH sales AS (
      SELECT p.category, date_trunc('month', o.d)::DATE AS month, SUM(i.quantity * i.unit_price) AS gmv
      FROM order_items i JOIN orders o USING (oi) JOIN products p ON p.sku = i.sku
      WHERE ${VALID} GROUP BY ALL
    ), grid AS (
      SELECT DISTINCT date_trunc('month', g.d)::DATE AS month, c.category FROM g_days g CROSS JOIN g_categories c
    )
    SELECT g.month, g.category,
      -- a floor keeps the market positive in a month without sales
      CAST(greatest(coalesce(s.gmv, 0), 1000)
        / ((0.02 + 0.04 * rnd(g.category, 'share'))
           * (1 + (-0.3 + 0.5 * rnd(g.category, 'drift')) * date_diff('month', date_trunc('month', ${date(ctx.start)}), g.month) / ${ctx.calendarMonths})
           * (0.95 + 0.1 * rnd2(g.category, g.month, 'market'))) AS DECIMAL(18,2)) AS market_size
    FROM grid g LEFT JOIN sales s USING (month, category)`];
}
