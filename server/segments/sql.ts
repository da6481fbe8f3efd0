// Every statement of the segments domain. Values are always bound parameters; the only spliced
// text is identifiers from fixed whitelists (temp-table names, sort columns) and the masked
// customers select list of server/auth/masking.ts.
import { ident } from '../db/duck.ts';

/** A valid order (server/metrics/README.md) with a customer. */
const VALID = `paid_at IS NOT NULL AND status <> 'cancelled' AND customer_id IS NOT NULL`;

export const RFM_TABLES = ['rfm', 'rfm_from', 'rfm_to'] as const;
export type RfmTable = (typeof RFM_TABLES)[number];

/**
 * One row per customer with a valid order in [$from, $until): last order, recency in days
 * ($asOf − date of the last order), frequency (orders) and monetary (Σ paid_amount).
 * server/segments/score.ts scores them.
 */
export const RFM_BASE = `
WITH base AS (
  SELECT customer_id,
         max(ordered_at) AS last_order_at,
         count(*)::INTEGER AS frequency,
         CAST(sum(paid_amount) AS DECIMAL(18,2)) AS monetary
  FROM orders
  WHERE ${VALID}
    AND ordered_at >= CAST($from AS TIMESTAMP) AND ordered_at < CAST($until AS TIMESTAMP)
  GROUP BY customer_id
)
SELECT customer_id, last_order_at, date_diff('day', CAST(last_order_at AS DATE), CAST($asOf AS DATE))::INTEGER AS recency_days, frequency, monetary
FROM base`;

/**
 * In one pass: per occupied score cell (g = 'cell') customers, orders, revenue and the recency
 * sum; per score of each measure (g = 'r' | 'f' | 'm') the raw-value range and customers.
 */
export const RFM_SUMMARY = `
SELECT CASE WHEN grouping(r, f, m) = 0 THEN 'cell' WHEN grouping(r) = 0 THEN 'r' WHEN grouping(f) = 0 THEN 'f' ELSE 'm' END AS g,
       r, f, m, count(*)::INTEGER AS customers, sum(frequency)::BIGINT AS orders,
       sum(monetary)::DOUBLE AS revenue, sum(recency_days)::BIGINT AS recency_sum,
       min(recency_days)::DOUBLE AS r_lo, max(recency_days)::DOUBLE AS r_hi,
       min(frequency)::DOUBLE AS f_lo, max(frequency)::DOUBLE AS f_hi,
       min(monetary)::DOUBLE AS m_lo, max(monetary)::DOUBLE AS m_hi
FROM rfm GROUP BY GROUPING SETS ((r, f, m), (r), (f), (m))
ORDER BY g, r, f, m`;

/** Cells are bound as an INTEGER[] of r*100 + f*10 + m. */
const IN_CELLS = `list_contains(CAST($cells AS INTEGER[]), x.r * 100 + x.f * 10 + x.m)`;

export const CUSTOMER_COUNT = `SELECT count(*)::INTEGER AS n FROM rfm x WHERE ${IN_CELLS}`;

const SORT_COLUMNS = { monetary: 'monetary', frequency: 'frequency', recency: 'recency_days' } as const;

/** A page of customers of the given cells; `columns` is customerColumns(viewer, 'c'). */
export function customerPage(columns: string, sort: keyof typeof SORT_COLUMNS, order: 'asc' | 'desc'): string {
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  return `
SELECT ${columns}, x.customer_id AS rfm_customer_id, strftime(x.last_order_at, '%Y-%m-%d %H:%M:%S') AS last_order_at,
       x.recency_days, x.frequency, x.monetary::DOUBLE AS monetary, x.r, x.f, x.m
FROM rfm x LEFT JOIN customers c ON c.customer_id = x.customer_id
WHERE ${IN_CELLS}
ORDER BY x.${ident(SORT_COLUMNS[sort])} ${direction}, x.customer_id
LIMIT $limit OFFSET $offset`;
}

/** Customers per member tier (from the customers table) with their buyers and revenue in the window. */
export const TIERS = `
SELECT coalesce(c.member_tier, '(unknown)') AS tier,
       count(c.customer_id)::INTEGER AS customers,
       count(x.customer_id)::INTEGER AS buyers,
       coalesce(sum(x.monetary), 0)::DOUBLE AS revenue
FROM rfm x FULL OUTER JOIN customers c ON c.customer_id = x.customer_id
GROUP BY 1`;

export const TIERS_BY_PLATFORM = `
SELECT coalesce(platform_id, '(unknown)') AS platform_id, coalesce(member_tier, '(unknown)') AS tier, count(*)::INTEGER AS customers
FROM customers GROUP BY 1, 2 ORDER BY 1, 2`;

/** Distinct (customer, month) of valid orders, with the customer's first month. */
const CUSTOMER_MONTHS = `
months AS (
  SELECT customer_id, CAST(date_trunc('month', ordered_at) AS DATE) AS month, sum(paid_amount) AS revenue
  FROM orders WHERE ${VALID} GROUP BY 1, 2
), firsts AS (
  SELECT customer_id, min(month) AS cohort FROM months GROUP BY 1
)`;

/** Active customers per (cohort, month) for cohorts in [$from, $to] (first days of months). */
export const COHORTS = `
WITH ${CUSTOMER_MONTHS}
SELECT strftime(f.cohort, '%Y-%m') AS cohort, strftime(m.month, '%Y-%m') AS month,
       date_diff('month', f.cohort, m.month)::INTEGER AS "offset", count(*)::INTEGER AS active
FROM firsts f JOIN months m USING (customer_id)
WHERE f.cohort BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
GROUP BY 1, 2, 3 ORDER BY 1, 3`;

/** Buyers per month in [$from, $to], split by whether the month holds their first valid order. */
export const NEW_RETURNING = `
WITH ${CUSTOMER_MONTHS}
SELECT strftime(m.month, '%Y-%m') AS month, count(*)::INTEGER AS buyers,
       count(*) FILTER (WHERE f.cohort = m.month)::INTEGER AS new,
       count(*) FILTER (WHERE f.cohort < m.month)::INTEGER AS returning,
       coalesce(sum(m.revenue) FILTER (WHERE f.cohort = m.month), 0)::DOUBLE AS new_revenue,
       coalesce(sum(m.revenue) FILTER (WHERE f.cohort < m.month), 0)::DOUBLE AS returning_revenue
FROM months m JOIN firsts f USING (customer_id)
WHERE m.month BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
GROUP BY 1 ORDER BY 1`;

/** Customers per (from cell, to cell); a null cell = no valid order in that window. */
export const MOVEMENT = `
SELECT a.r * 100 + a.f * 10 + a.m AS from_cell, b.r * 100 + b.f * 10 + b.m AS to_cell, count(*)::INTEGER AS customers
FROM rfm_from a FULL OUTER JOIN rfm_to b ON a.customer_id = b.customer_id
GROUP BY 1, 2`;
